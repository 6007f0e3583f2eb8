"""WS-Security for the datahub: sign every outgoing envelope, verify every incoming one.

Signing uses zeep's :class:`zeep.wsse.signature.Signature` (xmlsec): a ``wsu:Timestamp``
(60 s to live) and the ``soap:Body`` are signed with the sender's X.509 key, RSA-SHA256 over
exclusive C14N with SHA-256 digests, and the certificate travels in the KeyInfo.

Verifying (the simulator, a datahub) refuses an envelope that is unsigned, whose signature
does not cover both the Body and the Timestamp, whose Timestamp expired, whose certificate is
not the trusted one (when one is configured), or whose digests or signature do not match.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from zeep.wsse.signature import Signature
from zeep.wsse.utils import WSU, get_security_header

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
TTL = timedelta(seconds=60)
SKEW = timedelta(seconds=120)


class SecurityError(Exception):
    """The envelope's WS-Security does not hold; the message says why (no secrets)."""


class Signer:
    """Signs envelopes with a key and certificate read once from PEM files."""

    def __init__(self, certificate: Path, private_key: Path, password: str | None = None
                 ) -> None:
        self._signature = Signature(str(private_key), str(certificate), password or None,
                                    signature_method=xmlsec.constants.TransformRsaSha256,
                                    digest_method=xmlsec.constants.TransformSha256)
        # Load the pair now, so a wrong path or password fails at start, not per message.
        key = xmlsec.Key.from_memory(private_key.read_bytes(),
                                     xmlsec.constants.KeyDataFormatPem, password or None)
        key.load_cert_from_memory(certificate.read_bytes(), xmlsec.constants.KeyDataFormatPem)

    def sign(self, envelope: etree._Element, now: datetime | None = None) -> None:
        """Add a Timestamp and a Signature over Timestamp and Body, in place."""
        created = (now or datetime.now(UTC)).replace(microsecond=0)
        security = get_security_header(envelope)
        security.set(f"{{{SOAP_NS}}}mustUnderstand", "1")
        security.append(WSU.Timestamp(WSU.Created(_zulu(created)),
                                      WSU.Expires(_zulu(created + TTL))))
        self._signature.apply(envelope, {})


def verify(envelope: etree._Element, trusted_certificate: bytes | None = None,
           now: datetime | None = None) -> x509.Certificate:
    """Check the envelope's signature; the signer's certificate, or SecurityError."""
    signature = envelope.find(f"{{{SOAP_NS}}}Header/{{{WSSE_NS}}}Security/{{{DS_NS}}}Signature")
    if signature is None:
        raise SecurityError("the message is not signed (no wsse:Security/ds:Signature)")
    security = signature.getparent()
    body = envelope.find(f"{{{SOAP_NS}}}Body")
    timestamp = security.find(f"{{{WSU_NS}}}Timestamp")
    if body is None or timestamp is None:
        raise SecurityError("a signed message needs a soap:Body and a wsu:Timestamp")
    _check_references(envelope, signature, {body, timestamp})
    _check_timestamp(timestamp, now or datetime.now(UTC))
    certificate = _certificate(signature)
    if trusted_certificate is not None and certificate.public_bytes(Encoding.DER) != \
            x509.load_pem_x509_certificate(trusted_certificate).public_bytes(Encoding.DER):
        raise SecurityError("the signing certificate is not the one this party registered")
    context = xmlsec.SignatureContext()
    for node in (body, timestamp):
        context.register_id(node, "Id", WSU_NS)
    context.key = xmlsec.Key.from_memory(certificate.public_bytes(Encoding.PEM),
                                         xmlsec.constants.KeyDataFormatCertPem, None)
    try:
        context.verify(signature)
    except xmlsec.Error as exc:
        raise SecurityError("the signature does not match the message (tampered, or signed "
                            "with another key)") from exc
    return certificate


def _check_references(envelope: etree._Element, signature: etree._Element,
                      required: set[etree._Element]) -> None:
    """Every reference names exactly one element, and Body and Timestamp are among them
    (a signature over something else must not vouch for the Body: signature wrapping)."""
    covered = set()
    for ref in signature.iterfind(f"{{{DS_NS}}}SignedInfo/{{{DS_NS}}}Reference"):
        uri = ref.get("URI") or ""
        if not uri.startswith("#"):
            raise SecurityError(f"reference {uri!r} is not a local wsu:Id")
        found = envelope.xpath("//*[@wsu:Id=$id]", namespaces={"wsu": WSU_NS}, id=uri[1:])
        if len(found) != 1:
            raise SecurityError(f"reference {uri!r} names {len(found)} elements, not one")
        covered.add(found[0])
    missing = [etree.QName(n).localname for n in required if n not in covered]
    if missing:
        raise SecurityError(f"the signature does not cover {', '.join(sorted(missing))}")


def _check_timestamp(timestamp: etree._Element, now: datetime) -> None:
    try:
        created = datetime.fromisoformat(timestamp.findtext(f"{{{WSU_NS}}}Created") or "")
        expires = datetime.fromisoformat(timestamp.findtext(f"{{{WSU_NS}}}Expires") or "")
    except ValueError as exc:
        raise SecurityError("wsu:Timestamp needs Created and Expires date-times") from exc
    if created.tzinfo is None or expires.tzinfo is None:
        raise SecurityError("wsu:Timestamp times need a time zone")
    if created > now + SKEW or expires < now - SKEW:
        raise SecurityError("the wsu:Timestamp is outside its validity (expired or future)")


def _certificate(signature: etree._Element) -> x509.Certificate:
    text = signature.findtext(f".//{{{DS_NS}}}X509Certificate")
    if not text:
        raise SecurityError("the signature carries no X509Certificate")
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join(text.split())))
    except ValueError as exc:
        raise SecurityError("the X509Certificate is not a certificate") from exc


def _zulu(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
