"""Signing (xmlsec) as the policy lays it out, and verification, including what it must refuse."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from connectors.elhub.wssecurity import (
    DS_NS,
    EXC_C14N,
    SUITES,
    WSSE_NS,
    WSU_NS,
    SecurityError,
    Signer,
    verify,
)
from hub import soap
from hub.xmlsafe import parse
from tests.connectors.elhub.conftest import KeyPair


def signed(keypair: KeyPair, text: str = "707057500426971336", now: datetime | None = None
           ) -> bytes:
    payload = etree.Element("{urn:x}Payload")
    payload.text = text
    envelope = parse(soap.envelope(payload))
    Signer(keypair.certificate, keypair.private_key).sign(envelope, now)
    return etree.tostring(envelope)


def test_a_signed_envelope_verifies_and_names_its_signer(keypair: KeyPair) -> None:
    certificate = verify(parse(signed(keypair)), keypair.pem)
    assert "NTRNO-987654325" in certificate.subject.rfc4514_string()


@pytest.mark.parametrize(("suite", "digest", "method"), [
    ("Basic256", "xmldsig#sha1", "xmldsig#rsa-sha1"),
    ("Basic256Sha256", "xmlenc#sha256", "xmldsig-more#rsa-sha256")])
def test_the_header_follows_the_policy(keypair: KeyPair, suite: str, digest: str,
                                       method: str) -> None:
    payload = etree.Element("{urn:x}Payload")
    envelope = parse(soap.envelope(payload))
    now = datetime(2026, 12, 2, 10, 0, 0, 123456, tzinfo=UTC)
    Signer(keypair.certificate, keypair.private_key,
           algorithms=SUITES[suite]).sign(envelope, now)
    envelope = parse(etree.tostring(envelope))  # as the receiver reads it
    security = envelope.find(f"{{{soap.SOAP_NS}}}Header/{{{WSSE_NS}}}Security")
    assert [etree.QName(e).localname for e in security] == [
        "BinarySecurityToken", "Timestamp", "Signature"]  # Strict: declared before use
    token, timestamp, signature = security
    assert token.get("ValueType").endswith("#X509v3")
    assert timestamp.findtext(f"{{{WSU_NS}}}Created") == "2026-12-02T10:00:00.123Z"
    assert timestamp.findtext(f"{{{WSU_NS}}}Expires") == "2026-12-02T10:01:00.123Z"
    body = envelope.find(f"{{{soap.SOAP_NS}}}Body")
    refs = signature.findall(f".//{{{DS_NS}}}Reference")
    assert [r.get("URI")[1:] for r in refs] == [timestamp.get(f"{{{WSU_NS}}}Id"),
                                               body.get(f"{{{WSU_NS}}}Id")]
    for ref in refs:
        assert [t.get("Algorithm") for t in ref.iter(f"{{{DS_NS}}}Transform")] == [EXC_C14N]
        assert ref.find(f"{{{DS_NS}}}DigestMethod").get("Algorithm").endswith(digest)
    assert signature.find(f".//{{{DS_NS}}}SignatureMethod").get("Algorithm").endswith(method)
    direct = signature.find(f"{{{DS_NS}}}KeyInfo/{{{WSSE_NS}}}SecurityTokenReference/"
                            f"{{{WSSE_NS}}}Reference")
    assert direct.get("URI") == "#" + token.get(f"{{{WSU_NS}}}Id")
    verify(envelope, keypair.pem, now, suites=[SUITES[suite]])
    other = next(s for name, s in SUITES.items() if name != suite)
    with pytest.raises(SecurityError, match="is not allowed here"):
        verify(envelope, keypair.pem, now, suites=[other])


def test_a_timestamp_after_the_signature_breaks_the_strict_layout(keypair: KeyPair) -> None:
    envelope = parse(signed(keypair))  # the SoapUI order: BST, Signature, Timestamp
    security = envelope.find(f"{{{soap.SOAP_NS}}}Header/{{{WSSE_NS}}}Security")
    security.append(security.find(f"{{{WSU_NS}}}Timestamp"))
    with pytest.raises(SecurityError, match="Strict layout"):
        verify(envelope, keypair.pem)
    verify(envelope, keypair.pem, strict=False)  # how a client reads a SoapUI-style answer


def test_unsigned_is_refused() -> None:
    with pytest.raises(SecurityError, match="not signed"):
        verify(parse(soap.envelope(etree.Element("{urn:x}Payload"))))


def test_a_changed_body_is_refused(keypair: KeyPair) -> None:
    data = signed(keypair).replace(b"707057500426971336", b"707057500046742057")
    with pytest.raises(SecurityError, match="does not match"):
        verify(parse(data), keypair.pem)


def test_another_certificate_is_refused(keypair: KeyPair, other_keypair: KeyPair) -> None:
    with pytest.raises(SecurityError, match="not the one this party registered"):
        verify(parse(signed(other_keypair)), keypair.pem)


def test_an_expired_timestamp_is_refused(keypair: KeyPair) -> None:
    old = datetime.now(UTC) - timedelta(hours=1)
    with pytest.raises(SecurityError, match="outside its validity"):
        verify(parse(signed(keypair, now=old)), keypair.pem)


def test_a_signature_moved_off_the_body_is_refused(keypair: KeyPair) -> None:
    # Signature wrapping: keep the signed Body in the header, put a forged one in its place.
    envelope = parse(signed(keypair))
    body = envelope.find(f"{{{soap.SOAP_NS}}}Body")
    header = envelope.find(f"{{{soap.SOAP_NS}}}Header")
    header.append(copy.deepcopy(body))
    body.attrib.pop(f"{{{WSU_NS}}}Id")
    body[0].text = "forged"
    with pytest.raises(SecurityError, match="does not cover Body"):
        verify(envelope, keypair.pem)


def test_a_duplicated_id_is_refused(keypair: KeyPair) -> None:
    envelope = parse(signed(keypair))
    body = envelope.find(f"{{{soap.SOAP_NS}}}Body")
    envelope.find(f"{{{soap.SOAP_NS}}}Header").append(copy.deepcopy(body))
    with pytest.raises(SecurityError, match="names 2 elements"):
        verify(envelope, keypair.pem)
