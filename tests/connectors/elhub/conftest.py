"""Fixtures: test certificates (generated here, never committed), the datahub simulator on
loopback and a connector pointed at it, publishing into a recording inbound."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from connectors.elhub import ElhubConnector
from connectors.elhub.simulator import ElhubSimulator
from hub.intake import Intake
from hub.ops.db import open_store
from hub.store import Store
from schemas.envelope import Envelope
from tests.factories import gsrn

KNOWN_GSRN = gsrn(21, "NO").reveal()  # registered and active at the datahub
NEW_GSRN = gsrn(22, "NO").reveal()  # not yet known: for BRS-NO-121
UNKNOWN_GSRN = gsrn(23, "NO").reveal()  # never registered


@dataclass(frozen=True)
class KeyPair:
    certificate: Path
    private_key: Path

    @property
    def pem(self) -> bytes:
        return self.certificate.read_bytes()


def make_keypair(directory: Path, organisation: str, password: bytes | None = None) -> KeyPair:
    """A self-signed X.509 certificate (RSA 2048) naming an organisation number, as an
    enterprise certificate would."""
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Nettselskap Sør AS"),
                      x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER,
                                         f"NTRNO-{organisation}"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "gridhub elhub test")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=7))
            .sign(key, hashes.SHA256()))
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    pair = KeyPair(directory / "cert.pem", directory / "key.pem")
    pair.certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pair.private_key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                   serialization.PrivateFormat.PKCS8,
                                                   encryption))
    return pair


@pytest.fixture(scope="session")
def keypair(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_keypair(tmp_path_factory.mktemp("elhub-cert"), "987654325")


@pytest.fixture(scope="session")
def other_keypair(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_keypair(tmp_path_factory.mktemp("elhub-other"), "910000004")


class RecordingInbound:
    """The hub side of a connector: keeps what was published; can be told to fail first.
    Polled documents are kept in a real store (SQLite file), as the hub keeps them."""

    def __init__(self, store: Store) -> None:
        self.messages: list[Envelope] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        self.store = store

    def intake(self, connector: str, plugin: str | None = None) -> Intake:
        return Intake(self.store, connector, plugin)

    def publish(self, messages: Sequence[Envelope]) -> None:
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                raise ConnectionError("hub broker unavailable (test)")
            self.messages.extend(messages)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The hub's store as operations open it (with the audit and pause tables)."""
    opened = open_store(f"sqlite:///{tmp_path / 'gridhub.db'}")
    yield opened
    opened.close()


@pytest.fixture
def inbound(store: Store) -> RecordingInbound:
    return RecordingInbound(store)


def start_simulator(keypair: KeyPair, **options: object) -> ElhubSimulator:
    sim = ElhubSimulator(trusted_certificate=keypair.pem, slow_seconds=1.5,
                         **options)  # type: ignore[arg-type]
    sim.start()
    sim.add_metering_point(KNOWN_GSRN, "active", meter_number="6970631400000001")
    return sim


@pytest.fixture
def simulator(keypair: KeyPair) -> Iterator[ElhubSimulator]:
    sim = start_simulator(keypair)
    yield sim
    sim.stop()


def settings_for(sim: ElhubSimulator, keypair: KeyPair, **extra: object) -> dict[str, object]:
    return {"url": sim.url, "certificate": str(keypair.certificate),
            "private_key": str(keypair.private_key),
            "elhub_certificate": str(sim.certificate), "timeout": 0.5, "poll_interval": 0,
            **extra}


@pytest.fixture
def connector(simulator: ElhubSimulator, keypair: KeyPair,
              inbound: RecordingInbound) -> ElhubConnector:
    return ElhubConnector(settings_for(simulator, keypair), inbound)


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "it") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
