"""Signing (zeep + xmlsec) and the datahub-side verification, including what it must refuse."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from connectors.elhub.wssecurity import DS_NS, WSU_NS, SecurityError, Signer, verify
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


def test_the_signature_covers_body_and_timestamp_with_sha256(keypair: KeyPair) -> None:
    envelope = parse(signed(keypair))
    refs = envelope.findall(f".//{{{DS_NS}}}Reference")
    ids = {r.get("URI")[1:] for r in refs}
    body = envelope.find(f"{{{soap.SOAP_NS}}}Body")
    timestamp = envelope.find(f".//{{{WSU_NS}}}Timestamp")
    assert ids == {body.get(f"{{{WSU_NS}}}Id"), timestamp.get(f"{{{WSU_NS}}}Id")}
    method = envelope.find(f".//{{{DS_NS}}}SignatureMethod").get("Algorithm")
    assert method.endswith("rsa-sha256")


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
