"""The SMTP simulator itself: kept mails, persistence, HTTP control."""

from __future__ import annotations

import json
import smtplib

import pytest
import requests

from connectors.notify.simulator import NotifySimulator
from tests.factories import envelope, swedish_case


def _send(sim: NotifySimulator, subject: str = "Hej") -> None:
    with smtplib.SMTP("127.0.0.1", sim.port, timeout=5) as client:
        client.sendmail("noreply@helsingborgsnat.se", ["erik@bollerud-elektro.se"],
                        f"Subject: {subject}\r\nX-Gridhub-Case-Id: SE-1000\r\n\r\nText\r\n")


def test_mails_are_kept_persisted_and_served(tmp_path):
    sim = NotifySimulator(state_dir=tmp_path).start()
    try:
        _send(sim, "Installationsmedgivande")
        state = requests.get(sim.control_url + "/_state", timeout=5).json()
    finally:
        sim.stop()
    [mail] = state["mails"]
    assert (mail["subject"], mail["to"]) == ("Installationsmedgivande",
                                             ["erik@bollerud-elektro.se"])
    assert mail["gridhub"] == {"case-id": "SE-1000"}
    saved = json.loads((tmp_path / "notify-mails.json").read_text(encoding="utf-8"))
    assert saved["mails"][0]["subject"] == "Installationsmedgivande"
    assert NotifySimulator(state_dir=tmp_path).mails[0]["to"] == ["erik@bollerud-elektro.se"]


def test_control_endpoint_switches_modes_including_down_and_back():
    sim = NotifySimulator().start()
    try:
        answer = requests.post(sim.control_url + "/_control/fail",
                               json={"mode": "reject", "code": 553}, timeout=5)
        assert answer.json() == {"mode": "reject", "code": 553}
        with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
            _send(sim)
        assert info.value.recipients["erik@bollerud-elektro.se"][0] == 553
        requests.post(sim.control_url + "/_control/fail", json={"mode": "down"}, timeout=5)
        with pytest.raises(ConnectionRefusedError):
            _send(sim)
        requests.post(sim.control_url + "/_control/fail", json={"mode": "none"}, timeout=5)
        _send(sim)
        assert len(sim.snapshot()["mails"]) == 1
        bad = requests.post(sim.control_url + "/_control/fail", json={"mode": "x"}, timeout=5)
        assert bad.status_code == 400
    finally:
        sim.stop()


def test_fixed_port_puts_control_next_to_it():
    sim = NotifySimulator(port=0)
    assert sim.control_port == 0
    fixed = NotifySimulator(port=2525)
    assert fixed.control_port == 2526


def test_connector_mail_is_readable_from_state(smtp_sim, settings):
    from connectors.notify import NotifyConnector
    from tests.connectors.notify.conftest import NoInbound

    conn = NotifyConnector(settings, NoInbound())
    case = swedish_case()
    conn.deliver(envelope("case.submitted", case))
    [notified] = conn.deliver(envelope("case.approved", case))
    [back] = NotifyConnector.to_canonical(smtp_sim.mails[0]["raw"].encode())
    assert back == notified
