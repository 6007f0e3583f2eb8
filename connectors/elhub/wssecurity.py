"""WS-Security as Elhub's policy asks (structure reference section 22), on xmlsec.

Signing (:class:`Signer`) builds the ``wsse:Security`` header in the policy's Strict layout:

    wsse:BinarySecurityToken   the signer's X.509 v3 certificate (AlwaysToRecipient)
    wsu:Timestamp              Created, Expires = Created + time to live (60 s), in ms
    ds:Signature               exclusive C14N; one Reference to the Timestamp and one to the
                               soap:Body, each with an exclusive-C14N transform; KeyInfo is a
                               SecurityTokenReference with a direct Reference to the BST

The algorithm suite is a setting (:data:`SUITES`): ``Basic256`` (RSA-SHA1, SHA-1; the 2.3
package's policy) or ``Basic256Sha256`` (SHA-256 digests; RSA-SHA256 signatures, as most
stacks use, or RSA-SHA1 as WS-SP states, by ``signature_method``). The package does not
say which of them the live endpoints take (open point 1), so neither is hard-wired.

Verifying (:func:`verify`) refuses an envelope that is unsigned, uses other algorithms than
allowed, signs anything but exactly Body and Timestamp by local ids (signature wrapping),
carries a Timestamp out of its validity, is signed by another key than the trusted
certificate's, or whose digests or signature do not match. With ``strict`` (the simulator,
checking requests as Elhub would) the key must be referenced directly as a BST and the Timestamp
must precede the Signature; responses (``strict=False``) may also name Elhub's certificate
externally (a Subject Key Identifier or issuer and serial, as the policy's "Never" token means),
and they are always verified against the configured Elhub certificate, never against a
certificate they carry.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
X509V3 = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
          "#X509v3")
SKI = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
       "#X509SubjectKeyIdentifier")
BASE64 = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
          "#Base64Binary")
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
TTL = timedelta(seconds=60)
SKEW = timedelta(seconds=120)


@dataclass(frozen=True)
class Suite:
    """An algorithm suite: digest and signature methods (URIs), and xmlsec's transforms."""

    name: str
    digest: str
    signature: str

    @property
    def digest_transform(self) -> Any:  # xmlsec's transform constant (its stub type is private)
        return _TRANSFORMS[self.digest]

    @property
    def signature_transform(self) -> Any:  # xmlsec's transform constant (its stub type is private)
        return _TRANSFORMS[self.signature]


SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
_TRANSFORMS = {SHA1: xmlsec.constants.TransformSha1, SHA256: xmlsec.constants.TransformSha256,
               RSA_SHA1: xmlsec.constants.TransformRsaSha1,
               RSA_SHA256: xmlsec.constants.TransformRsaSha256}
SIGNATURE_METHODS = {"rsa-sha1": RSA_SHA1, "rsa-sha256": RSA_SHA256}
SUITES = {"Basic256": Suite("Basic256", SHA1, RSA_SHA1),
          "Basic256Sha256": Suite("Basic256Sha256", SHA256, RSA_SHA256)}


def suite(name: str, signature_method: str | None = None) -> Suite:
    """The suite called ``name``, its signature method optionally overridden; ValueError."""
    if name not in SUITES:
        raise ValueError(f"unknown algorithm suite {name!r} (known: {', '.join(SUITES)})")
    chosen = SUITES[name]
    if signature_method is None:
        return chosen
    if signature_method not in SIGNATURE_METHODS:
        raise ValueError(f"unknown signature method {signature_method!r} "
                         f"(known: {', '.join(SIGNATURE_METHODS)})")
    return Suite(chosen.name, chosen.digest, SIGNATURE_METHODS[signature_method])


class SecurityError(Exception):
    """The envelope's WS-Security does not hold; the message says why (no secrets)."""


class Signer:
    """Signs envelopes with a key and certificate read once from PEM files."""

    def __init__(self, certificate: Path, private_key: Path, password: str | None = None, *,
                 algorithms: Suite = SUITES["Basic256"], ttl: timedelta = TTL) -> None:
        # Load the pair now, so a wrong path or password fails at start, not per message.
        self._key = xmlsec.Key.from_memory(private_key.read_bytes(),
                                           xmlsec.constants.KeyDataFormatPem, password or None)
        cert = x509.load_pem_x509_certificate(certificate.read_bytes())
        self._der = cert.public_bytes(Encoding.DER)
        self.suite = algorithms
        self.ttl = ttl

    def sign(self, envelope: etree._Element, now: datetime | None = None) -> None:
        """Add BST, Timestamp and a Signature over Timestamp and Body, in place."""
        body = envelope.find(f"{{{SOAP_NS}}}Body")
        if body is None:
            raise ValueError("a SOAP envelope to sign needs a soap:Body")
        security = _security_header(envelope)
        token = etree.SubElement(security, f"{{{WSSE_NS}}}BinarySecurityToken",
                                 {"EncodingType": BASE64, "ValueType": X509V3})
        token.set(f"{{{WSU_NS}}}Id", f"X509-{uuid.uuid4().hex}")
        token.text = base64.b64encode(self._der).decode("ascii")
        created = now or datetime.now(UTC)
        timestamp = etree.SubElement(security, f"{{{WSU_NS}}}Timestamp")
        timestamp.set(f"{{{WSU_NS}}}Id", f"TS-{uuid.uuid4().hex}")
        etree.SubElement(timestamp, f"{{{WSU_NS}}}Created").text = _ms(created)
        etree.SubElement(timestamp, f"{{{WSU_NS}}}Expires").text = _ms(created + self.ttl)
        body.set(f"{{{WSU_NS}}}Id", f"id-{uuid.uuid4().hex}")
        signature = xmlsec.template.create(envelope, xmlsec.constants.TransformExclC14N,
                                           self.suite.signature_transform, ns="ds")
        security.append(signature)  # after the Timestamp it signs: the Strict layout
        context = xmlsec.SignatureContext()
        context.key = self._key
        for node in (timestamp, body):
            context.register_id(node, "Id", WSU_NS)
            ref = xmlsec.template.add_reference(signature, self.suite.digest_transform,
                                                uri=f"#{node.get(f'{{{WSU_NS}}}Id')}")
            xmlsec.template.add_transform(ref, xmlsec.constants.TransformExclC14N)
        key_info = xmlsec.template.ensure_key_info(signature)
        context.sign(signature)
        reference = etree.SubElement(etree.SubElement(
            key_info, f"{{{WSSE_NS}}}SecurityTokenReference"), f"{{{WSSE_NS}}}Reference")
        reference.set("URI", f"#{token.get(f'{{{WSU_NS}}}Id')}")
        reference.set("ValueType", X509V3)


def verify(envelope: etree._Element, trusted_certificate: bytes | None = None,
           now: datetime | None = None, *, suites: Iterable[Suite] = SUITES.values(),
           strict: bool = True) -> x509.Certificate:
    """Check the envelope's signature; the signer's certificate, or SecurityError.

    ``trusted_certificate`` (PEM): the only key accepted. Without it (a simulator told to
    trust any signer) the BST's certificate is used, and ``strict`` must hold."""
    security = envelope.find(f"{{{SOAP_NS}}}Header/{{{WSSE_NS}}}Security")
    signature = None if security is None else security.find(f"{{{DS_NS}}}Signature")
    if security is None or signature is None:
        raise SecurityError("the message is not signed (no wsse:Security/ds:Signature)")
    body = envelope.find(f"{{{SOAP_NS}}}Body")
    timestamp = security.find(f"{{{WSU_NS}}}Timestamp")
    if body is None or timestamp is None:
        raise SecurityError("a signed message needs a soap:Body and a wsu:Timestamp")
    _check_algorithms(signature, list(suites))
    _check_references(envelope, signature, {body, timestamp})
    _check_timestamp(timestamp, now or datetime.now(UTC))
    if strict and list(security).index(timestamp) > list(security).index(signature):
        raise SecurityError("the wsu:Timestamp must come before the ds:Signature that signs "
                            "it (Strict layout)")
    certificate = _signer_certificate(envelope, signature, trusted_certificate, strict)
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


def _security_header(envelope: etree._Element) -> etree._Element:
    header = envelope.find(f"{{{SOAP_NS}}}Header")
    if header is None:
        header = etree.Element(f"{{{SOAP_NS}}}Header")
        envelope.insert(0, header)
    security = header.find(f"{{{WSSE_NS}}}Security")
    if security is None:
        security = etree.SubElement(header, f"{{{WSSE_NS}}}Security",
                                    nsmap={"wsse": WSSE_NS, "wsu": WSU_NS})
        security.set(f"{{{SOAP_NS}}}mustUnderstand", "1")
    return security


def _check_algorithms(signature: etree._Element, suites: list[Suite]) -> None:
    """Only the suites' algorithms, exclusive C14N, and no transform but exclusive C14N (an
    XPath or XSLT transform could make a digest cover something else than it seems to)."""
    info = f"{{{DS_NS}}}SignedInfo"
    method = signature.find(f"{info}/{{{DS_NS}}}SignatureMethod")
    c14n = signature.find(f"{info}/{{{DS_NS}}}CanonicalizationMethod")
    if c14n is None or c14n.get("Algorithm") != EXC_C14N:
        raise SecurityError("the signature must use exclusive C14N")
    used = method.get("Algorithm") if method is not None else None
    allowed = [s for s in suites if s.signature == used]
    if not allowed:
        raise SecurityError(f"signature method {used} is not allowed here (allowed: "
                            f"{', '.join(sorted({s.signature for s in suites}))})")
    digests = {s.digest for s in allowed}
    for ref in signature.iterfind(f"{info}/{{{DS_NS}}}Reference"):
        digest = ref.find(f"{{{DS_NS}}}DigestMethod")
        found = None if digest is None else digest.get("Algorithm")
        if found not in digests:
            raise SecurityError(f"digest method {found} is not allowed with {used}")
        transforms = [t.get("Algorithm") for t in ref.iterfind(f".//{{{DS_NS}}}Transform")]
        if any(t != EXC_C14N for t in transforms):
            raise SecurityError(f"reference {ref.get('URI')} uses a transform other than "
                                "exclusive C14N")


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


def _signer_certificate(envelope: etree._Element, signature: etree._Element,
                        trusted: bytes | None, strict: bool) -> x509.Certificate:
    """The certificate whose key must have signed: the trusted one, after checking that the
    KeyInfo names it (a direct BST reference; with ``strict`` off also SKI or issuer-serial)."""
    token_ref = signature.find(f"{{{DS_NS}}}KeyInfo/{{{WSSE_NS}}}SecurityTokenReference")
    direct = None if token_ref is None else token_ref.find(f"{{{WSSE_NS}}}Reference")
    expected = x509.load_pem_x509_certificate(trusted) if trusted is not None else None
    if direct is not None:
        carried = _referenced_token(envelope, direct.get("URI") or "")
        if expected is not None and carried.public_bytes(Encoding.DER) != \
                expected.public_bytes(Encoding.DER):
            raise SecurityError("the signing certificate is not the one this party registered")
        return expected or carried
    if strict or expected is None:
        raise SecurityError("the signature must reference its BinarySecurityToken directly "
                            "(wsse:SecurityTokenReference/wsse:Reference)")
    if not _names(signature, expected):
        raise SecurityError("the signature's KeyInfo does not name the configured certificate")
    return expected


def _referenced_token(envelope: etree._Element, uri: str) -> x509.Certificate:
    found = envelope.xpath("//wsse:BinarySecurityToken[@wsu:Id=$id]", id=uri.lstrip("#"),
                           namespaces={"wsse": WSSE_NS, "wsu": WSU_NS})
    if not uri.startswith("#") or len(found) != 1:
        raise SecurityError(f"the KeyInfo's reference {uri!r} names no BinarySecurityToken")
    token = found[0]
    if token.get("ValueType") != X509V3:
        raise SecurityError("the BinarySecurityToken is not an X.509 v3 certificate")
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join((token.text or "")
                                                                       .split())))
    except ValueError as exc:
        raise SecurityError("the BinarySecurityToken is not a certificate") from exc


def _names(signature: etree._Element, certificate: x509.Certificate) -> bool:
    """Whether the KeyInfo names ``certificate`` by Subject Key Identifier or issuer-serial."""
    key_info = signature.find(f"{{{DS_NS}}}KeyInfo")
    if key_info is None:
        return False
    for ki in key_info.iter(f"{{{WSSE_NS}}}KeyIdentifier"):
        if ki.get("ValueType") == SKI:
            try:
                ski = certificate.extensions.get_extension_for_class(
                    x509.SubjectKeyIdentifier).value.digest
            except x509.ExtensionNotFound:
                ski = x509.SubjectKeyIdentifier.from_public_key(certificate.public_key()).digest
            if base64.b64decode("".join((ki.text or "").split())) == ski:
                return True
    for serial in key_info.iter(f"{{{DS_NS}}}X509IssuerSerial"):
        number = serial.findtext(f"{{{DS_NS}}}X509SerialNumber") or ""
        if number.strip() == str(certificate.serial_number):
            return True
    return False


def _ms(value: datetime) -> str:
    """UTC with millisecond precision, as the SoapUI configuration writes it."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{value.astimezone(UTC).microsecond // 1000:03d}Z"
