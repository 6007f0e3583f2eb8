"""Hostile input around notify: mails given to the reader (headers missing, wrong, or of the
wrong type; binary; empty) and wrong credentials at the SMTP server. Each is an error of ours
naming the header or field; the next good mail still reads and sends."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from connectors.notify.connector import NotifyConnector
from connectors.notify.contacts import Contact
from connectors.notify.simulator import NotifySimulator
from hub.errors import InvalidMessage, TargetRejected
from tests.connectors.notify.conftest import NoInbound, server_tls
from tests.factories import envelope, swedish_case

GOOD = NotifyConnector.to_wire(envelope("installer.notified")).decode()
ADDRESS = "erik.johansson@bollerud-elektro.se"


def _header(name: str, value: str | None) -> bytes:
    replacement = "" if value is None else f"{name}: {value}\n"
    changed = re.sub(rf"^{re.escape(name)}: .*\n", replacement, GOOD, flags=re.M)
    assert changed != GOOD
    return changed.encode()


HOSTILE = {
    "empty": (b"", "mail: Date", "no Date header"),
    "binary": (b"\x00\xff\xfe" * 50, "mail: Date", "no Date header"),
    "json": (b'{"recipient": 42, "status": ["approved"], "extra": true}', "mail: Date",
             "no Date header"),
    "no message id": (_header("X-Gridhub-Message-Id", None), "mail: gridhub",
                      "'message_id' is a required property"),
    "occurred-at garbage": (_header("X-Gridhub-Occurred-At", "yesterday"),
                            "mail: X-Gridhub-Occurred-At", "valid datetime"),
    "occurred-at naive": (_header("X-Gridhub-Occurred-At", "2024-03-14T08:30:00"),
                          "mail: X-Gridhub-Occurred-At", "time zone"),
    "bad date": (_header("Date", "someday"), "mail", "Invalid date"),
    "unknown status": (_header("X-Gridhub-Status", "teleported"), "mail: status",
                       "'teleported' is not one of"),
    "wrong type": (_header("X-Gridhub-Type", "case.submitted"), "mail: gridhub.type",
                   "'installer.notified' was expected"),
    "bad recipient": (_header("To", "not an address"), "mail: to", "not a valid address"),
    "unknown language": (_header("Content-Language", "xx"), "mail: language", "'xx'"),
    "unknown charset": (GOOD.replace('charset="utf-8"', 'charset="klingon"').encode(), "mail",
                        "unknown encoding"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_mail_is_invalid_naming_the_header(name):
    document, where, expected = HOSTILE[name]
    with pytest.raises(InvalidMessage) as info:
        NotifyConnector.to_canonical(document)
    assert (info.value.where or "").startswith(where), info.value.where
    assert expected in info.value.message, info.value.message
    assert NotifyConnector.to_canonical(GOOD.encode())[0].payload["recipient"] == ADDRESS


def test_a_bad_address_is_not_echoed():
    with pytest.raises(InvalidMessage) as info:
        NotifyConnector.to_canonical(_header("To", "erik.johansson(at)bollerud"))
    assert "erik" not in str(info.value)


@pytest.fixture(scope="module")
def auth_sim(certificate):
    sim = NotifySimulator(tls_context=server_tls(certificate), username="gridhub",
                          password="smtp-secret-3").start()
    yield sim
    sim.stop()


def _settings(sim, certificate, **more):
    return {"host": "127.0.0.1", "port": sim.port, "sender": "noreply@helsingborgsnat.se",
            "timeout": 2, "starttls": True, "ca_file": str(certificate[0]),
            "username": "gridhub", "password": "smtp-secret-3",
            "fallback_recipient": "arenden@helsingborgsnat.se", **more}


@pytest.mark.parametrize("more", [{"username": "intruder"}, {"password": "wrong"},
                                  {"username": None, "password": None}])
def test_wrong_smtp_credentials_are_refused_and_the_next_mail_flows(auth_sim, certificate,
                                                                    more):
    case = swedish_case(8)
    before = len(auth_sim.mails)
    with pytest.raises(TargetRejected) as info:
        NotifyConnector(_settings(auth_sim, certificate, **more), NoInbound()).deliver(
            envelope("case.approved", case))
    assert info.value.remote is not None and info.value.remote.status in ("530", "535")
    assert len(auth_sim.mails) == before
    good = NotifyConnector(_settings(auth_sim, certificate), NoInbound())
    assert len(good.deliver(envelope("case.approved", case))) == 1
    assert len(auth_sim.mails) == before + 1


@pytest.mark.parametrize("reference", ["MEE9541\nBcc: attacker@example.com",
                                       "MEE9541\r\n\r\nEn annan text", "MEE\x00", "MEE\u2028x"])
def test_a_line_break_from_data_never_reaches_a_header(smtp_sim, settings, reference):
    """The review's probe: a case reference with a line break in the contact book (written
    before the contract refused it) must not move headers into the body or add a Bcc, and is
    a permanent error naming the header, not a transient one retried 8 times."""
    connector = NotifyConnector(settings, NoInbound())
    case = swedish_case(11)
    connector.contacts.put(replace(Contact.from_case(case), reference=reference))
    before = len(smtp_sim.mails)
    with pytest.raises(InvalidMessage) as info:
        connector.deliver(envelope("case.approved", case))
    assert (info.value.where or "").endswith(": Subject")
    bad = next(c for c in reference if not c.isprintable() or c == "\u2028")
    assert f"U+{ord(bad):04X}" in info.value.message
    assert "attacker" not in str(info.value)
    assert len(smtp_sim.mails) == before  # nothing was sent
    connector.contacts.put(Contact.from_case(case))
    assert len(connector.deliver(envelope("case.approved", case))) == 1
