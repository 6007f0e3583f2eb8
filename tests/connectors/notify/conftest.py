"""Fixtures: the SMTP simulator (aiosmtpd on loopback) and a self-signed certificate."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.notify.simulator import NotifySimulator

SENDER = "Helsingborgs Nät <noreply@helsingborgsnat.se>"


class NoInbound:
    def publish(self, messages):
        raise AssertionError("notify has no inbound")


@pytest.fixture(autouse=True)
def _own_directory(tmp_path, monkeypatch) -> None:
    """The contact book's default home, var/notify, is relative: never the checkout's."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def _smtp(tmp_path_factory) -> Iterator[NotifySimulator]:
    sim = NotifySimulator(state_dir=tmp_path_factory.mktemp("smtp"), slow_seconds=1.5).start()
    yield sim
    sim.stop()


@pytest.fixture
def smtp_sim(_smtp) -> NotifySimulator:
    _smtp.fail("none")
    _smtp.mails.clear()
    return _smtp


@pytest.fixture
def settings(smtp_sim, tmp_path) -> dict:
    return {"host": "127.0.0.1", "port": smtp_sim.port, "sender": SENDER, "timeout": "1s",
            "state_dir": str(tmp_path / "notify")}


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context
