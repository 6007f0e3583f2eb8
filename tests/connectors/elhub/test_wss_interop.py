"""WS-Security interop with an independent implementation (signxml: pure Python on lxml and
cryptography, no xmlsec): it verifies what gridhub signs, and gridhub verifies what it signs,
for both algorithm suites, in the policy's header layout."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidDigest
from signxml.verifier import SignatureConfiguration

from connectors.elhub.wssecurity import (
    BASE64,
    SOAP_NS,
    SUITES,
    WSSE_NS,
    WSU_NS,
    X509V3,
    SecurityError,
    Signer,
    verify,
)
from hub import soap
from hub.xmlsafe import parse
from tests.connectors.elhub.conftest import KeyPair

ALGORITHMS = {"Basic256": (SignatureMethod.RSA_SHA1, DigestAlgorithm.SHA1),
              "Basic256Sha256": (SignatureMethod.RSA_SHA256, DigestAlgorithm.SHA256)}
WSU_ID = f"{{{WSU_NS}}}Id"


class _Signer(XMLSigner):
    """signxml refuses SHA-1 by default; Basic256 is SHA-1 by definition."""

    def check_deprecated_methods(self) -> None:
        pass


def _envelope(text: str = "707057500426971336") -> etree._Element:
    payload = etree.Element("{urn:no:elhub:emif:wsdl:meteringvalues:v2}AcknowledgeRequest")
    payload.text = text
    return parse(soap.envelope(payload))


def _signxml_config(suite: str) -> SignatureConfiguration:
    method, digest = ALGORITHMS[suite]
    return SignatureConfiguration(
        require_x509=False, expect_references=2, signature_methods=frozenset({method}),
        digest_algorithms=frozenset({digest}), location=".//")


@pytest.mark.parametrize("suite", list(SUITES))
def test_signxml_verifies_what_gridhub_signs(keypair: KeyPair, suite: str) -> None:
    envelope = _envelope()
    Signer(keypair.certificate, keypair.private_key, algorithms=SUITES[suite]).sign(envelope)
    data = etree.tostring(envelope)
    results = XMLVerifier().verify(data, x509_cert=keypair.pem.decode(), id_attribute="Id",
                                   expect_config=_signxml_config(suite))
    signed = {etree.QName(r.signed_xml).localname for r in results}
    assert signed == {"Timestamp", "Body"}
    body = next(r.signed_xml for r in results if etree.QName(r.signed_xml).localname == "Body")
    assert body[0].text == "707057500426971336"
    tampered = data.replace(b"707057500426971336", b"707057500046742057")
    with pytest.raises(InvalidDigest):
        XMLVerifier().verify(tampered, x509_cert=keypair.pem.decode(), id_attribute="Id",
                             expect_config=_signxml_config(suite))


def signed_by_signxml(keypair: KeyPair, suite: str, text: str = "707057500426971336"
                      ) -> bytes:
    """The policy's header built by hand, the Signature computed by signxml."""
    envelope = _envelope(text)
    header = etree.Element(f"{{{SOAP_NS}}}Header")
    envelope.insert(0, header)
    security = etree.SubElement(header, f"{{{WSSE_NS}}}Security",
                                nsmap={"wsse": WSSE_NS, "wsu": WSU_NS})
    cert = x509.load_pem_x509_certificate(keypair.pem)
    token = etree.SubElement(security, f"{{{WSSE_NS}}}BinarySecurityToken",
                             {"EncodingType": BASE64, "ValueType": X509V3, WSU_ID: "X509-1"})
    token.text = base64.b64encode(cert.public_bytes(Encoding.DER)).decode()
    now = datetime.now(UTC)
    timestamp = etree.SubElement(security, f"{{{WSU_NS}}}Timestamp", {WSU_ID: "TS-1"})
    etree.SubElement(timestamp, f"{{{WSU_NS}}}Created").text = now.isoformat()
    etree.SubElement(timestamp, f"{{{WSU_NS}}}Expires").text = \
        (now + timedelta(seconds=60)).isoformat()
    envelope.find(f"{{{SOAP_NS}}}Body").set(WSU_ID, "Body-1")
    key_info = etree.Element("{http://www.w3.org/2000/09/xmldsig#}KeyInfo")
    reference = etree.SubElement(etree.SubElement(
        key_info, f"{{{WSSE_NS}}}SecurityTokenReference"), f"{{{WSSE_NS}}}Reference")
    reference.set("URI", "#X509-1")
    reference.set("ValueType", X509V3)
    method, digest = ALGORITHMS[suite]
    signer = _Signer(method=SignatureConstructionMethod.detached, signature_algorithm=method,
                     digest_algorithm=digest,
                     c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signature = signer.sign(envelope, key=keypair.private_key.read_bytes(),
                            reference_uri=["#TS-1", "#Body-1"], key_info=key_info,
                            id_attribute="Id")
    security.append(signature)
    return etree.tostring(envelope)


@pytest.mark.parametrize("suite", list(SUITES))
def test_gridhub_verifies_what_signxml_signs(keypair: KeyPair, other_keypair: KeyPair,
                                            suite: str) -> None:
    data = signed_by_signxml(keypair, suite)
    certificate = verify(parse(data), keypair.pem, suites=[SUITES[suite]], strict=True)
    assert "NTRNO-987654325" in certificate.subject.rfc4514_string()
    with pytest.raises(SecurityError, match="does not match"):
        verify(parse(data.replace(b"707057500426971336", b"707057500046742057")), keypair.pem,
               suites=[SUITES[suite]])
    with pytest.raises(SecurityError, match="not the one this party registered"):
        verify(parse(data), other_keypair.pem, suites=[SUITES[suite]])
