"""notify over real sockets: SMTP to the aiosmtpd simulator on loopback."""

from __future__ import annotations

import socket

import pytest

from connectors.notify import NotifyConnector
from connectors.notify.simulator import NotifySimulator
from hub.errors import (
    ConfigurationError,
    InvalidMessage,
    TargetRejected,
    TargetServerError,
    TargetTimeout,
    TargetUnavailable,
)
from hub.routes import load_routes
from schemas.case import MailChoice
from tests.connectors.notify.conftest import NoInbound, server_tls
from tests.factories import envelope, norwegian_case, swedish_case
from tests.support.shipped import SHIPPED_ROUTES, SHIPPED_SECRETS

CASE = swedish_case()
ORGNR = CASE.installer_company.organisation_number.reveal()


def _connector(settings, **more) -> NotifyConnector:
    return NotifyConnector({**settings, **more}, NoInbound())


def test_case_message_records_the_installer_and_status_mails_them(smtp_sim, settings):
    conn = _connector(settings)
    assert conn.deliver(envelope("case.submitted", CASE)) == []
    assert smtp_sim.mails == []
    rejected = envelope("case.rejected", CASE)
    [notified] = conn.deliver(rejected)
    [mail] = smtp_sim.mails
    assert mail["to"] == ["erik.johansson@bollerud-elektro.se"]
    assert mail["subject"] == "Föranmälan MEE9541 har avvisats"
    assert "Situationsplan saknas." in mail["body"]
    assert (notified.type, notified.causation_id, notified.source) == (
        "installer.notified", rejected.message_id, "notify")
    assert notified.payload["recipient"] == "erik.johansson@bollerud-elektro.se"
    assert mail["gridhub"]["message-id"] == notified.message_id
    assert conn.deliver(rejected)[0].message_id == notified.message_id  # deterministic


def test_norwegian_case_is_mailed_in_norwegian(smtp_sim, settings):
    conn = _connector(settings)
    case = norwegian_case(1)
    conn.deliver(envelope("case.submitted", case))
    conn.deliver(envelope("case.approved", case))
    assert smtp_sim.mails[0]["language"] == "nb"
    assert smtp_sim.mails[0]["subject"] == "Installasjonstillatelse for sak SNS4401"


def test_the_company_choice_comes_with_the_case_from_the_portal(smtp_sim, settings):
    only_approved = CASE.model_copy(update={"installer_company": CASE.installer_company.model_copy(
        update={"mail": MailChoice(pre_rejected=False, completion_rejected=False,
                                   cancelled=False)})})
    conn = _connector(settings)
    conn.deliver(envelope("case.submitted", only_approved))
    assert conn.deliver(envelope("case.rejected", only_approved)) == []
    assert len(conn.deliver(envelope("case.approved", only_approved))) == 1
    disabled = swedish_case(1)
    disabled = disabled.model_copy(update={"installer_company": disabled.installer_company
                                           .model_copy(update={"mail": MailChoice(enabled=False)})})
    conn.deliver(envelope("case.submitted", disabled))
    assert conn.deliver(envelope("case.approved", disabled)) == []
    # a company whose portal data has no choice: the settings' default statuses
    default_off = _connector(settings, statuses=["pre_rejected"])
    default_off.deliver(envelope("case.submitted", CASE))
    assert default_off.deliver(envelope("case.completion.rejected", CASE)) == []
    assert [m["subject"] for m in smtp_sim.mails] == [
        "Installationsmedgivande för ärende MEE9541"]


def test_the_choice_is_no_longer_a_setting(settings):
    with pytest.raises(ConfigurationError, match="unknown setting"):
        _connector(settings, companies={ORGNR: {"statuses": ["approved"]}})


def test_unknown_installer_is_permanent_unless_a_fallback_is_set(smtp_sim, settings):
    with pytest.raises(InvalidMessage, match="no installer e-mail known for case SE-1000"):
        _connector(settings).deliver(envelope("case.rejected", CASE))
    fallback = _connector(settings, fallback_recipient="arenden@helsingborgsnat.se")
    [notified] = fallback.deliver(envelope("case.rejected", CASE))
    assert smtp_sim.mails[0]["to"] == ["arenden@helsingborgsnat.se"]
    assert "Hej installatör," in smtp_sim.mails[0]["body"]
    assert notified.payload["recipient"] == "arenden@helsingborgsnat.se"


def test_contact_book_survives_a_restart(smtp_sim, settings, tmp_path):
    _connector(settings, state_dir=str(tmp_path)).deliver(envelope("case.submitted", CASE))
    restarted = _connector(settings, state_dir=str(tmp_path))
    assert len(restarted.deliver(envelope("case.approved", CASE))) == 1
    assert smtp_sim.mails[0]["to"] == ["erik.johansson@bollerud-elektro.se"]


def test_the_shipped_configuration_keeps_the_contact_book_over_a_restart(smtp_sim, tmp_path,
                                                                        monkeypatch):
    """Issue 13 item 15: the book was in memory, so after a restart every approval was
    dead-lettered with "no installer e-mail known"."""
    monkeypatch.chdir(tmp_path)  # the shipped default, var/notify, is relative to the hub's
    env = {**SHIPPED_SECRETS, "GRIDHUB_SMTP_PORT": str(smtp_sim.port)}
    shipped = load_routes(SHIPPED_ROUTES, env=env).connectors["notify"].settings
    _connector(shipped).deliver(envelope("case.submitted", CASE))
    restarted = _connector(shipped)
    assert len(restarted.deliver(envelope("case.approved", CASE))) == 1
    assert smtp_sim.mails[0]["to"] == ["erik.johansson@bollerud-elektro.se"]
    assert (tmp_path / "var" / "notify" / "notify-contacts.sqlite3").is_file()


def test_without_a_state_dir_the_book_is_on_disk_in_var_notify(smtp_sim, settings, tmp_path,
                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    bare = {k: v for k, v in settings.items() if k != "state_dir"}
    _connector(bare).deliver(envelope("case.submitted", CASE))
    assert len(_connector(bare).deliver(envelope("case.approved", CASE))) == 1
    assert (tmp_path / "var" / "notify" / "notify-contacts.sqlite3").is_file()


def test_types_notify_does_not_handle_are_invalid(settings):
    with pytest.raises(InvalidMessage, match=r"notify does not handle workorder\.created"):
        _connector(settings).deliver(envelope("workorder.created", CASE))


@pytest.mark.parametrize(("mode", "code", "error", "status"), [
    ("5xx", None, TargetServerError, "451"),
    ("5xx", 421, TargetServerError, "421"),
    ("reject", None, TargetRejected, "550"),
    ("reject", 452, TargetServerError, "452"),
    ("soap-fault", None, TargetRejected, "554"),
])
def test_smtp_replies_are_classified(smtp_sim, settings, mode, code, error, status):
    conn = _connector(settings)
    conn.deliver(envelope("case.submitted", CASE))
    smtp_sim.fail(mode, code)
    with pytest.raises(error) as info:
        conn.deliver(envelope("case.approved", CASE))
    assert (info.value.remote.kind, info.value.remote.status) == ("smtp", status)
    assert smtp_sim.mails == []


def test_down_server_is_unavailable_then_recovers(smtp_sim, settings):
    conn = _connector(settings)
    conn.deliver(envelope("case.submitted", CASE))
    smtp_sim.fail("down")
    assert conn.reachable() is False
    with pytest.raises(TargetUnavailable, match="cannot reach the mail server"):
        conn.deliver(envelope("case.approved", CASE))
    smtp_sim.fail("none")
    assert conn.reachable() is True
    assert len(conn.deliver(envelope("case.approved", CASE))) == 1


def test_slow_server_times_out(smtp_sim, settings):
    conn = _connector(settings)
    conn.deliver(envelope("case.submitted", CASE))
    smtp_sim.fail("slow")
    with pytest.raises(TargetTimeout, match="no answer within 1s"):
        conn.deliver(envelope("case.approved", CASE))


def test_refused_port_is_unavailable(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conn = _connector(settings, port=port, fallback_recipient="a@helsingborgsnat.se")
    with pytest.raises(TargetUnavailable):
        conn.deliver(envelope("case.approved", CASE))


@pytest.fixture
def tls_sim(certificate):
    sim = NotifySimulator(tls_context=server_tls(certificate), username="gridhub",
                          password="smtp-secret-3").start()
    yield sim
    sim.stop()


def _tls_settings(sim, certificate, **more):
    return {"host": "127.0.0.1", "port": sim.port, "sender": "noreply@helsingborgsnat.se",
            "timeout": 2, "starttls": True, "ca_file": str(certificate[0]),
            "username": "gridhub", "password": "smtp-secret-3",
            "fallback_recipient": "arenden@helsingborgsnat.se", **more}


def test_starttls_and_auth(tls_sim, certificate):
    conn = NotifyConnector(_tls_settings(tls_sim, certificate), NoInbound())
    assert len(conn.deliver(envelope("case.approved", CASE))) == 1
    assert tls_sim.mails[0]["to"] == ["arenden@helsingborgsnat.se"]


def test_wrong_smtp_password_is_permanent(tls_sim, certificate):
    conn = NotifyConnector(_tls_settings(tls_sim, certificate, password="wrong"), NoInbound())
    with pytest.raises(TargetRejected) as info:
        conn.deliver(envelope("case.approved", CASE))
    assert info.value.remote.status == "535"


def test_untrusted_certificate_is_unavailable(tls_sim, certificate):
    settings = _tls_settings(tls_sim, certificate)
    del settings["ca_file"]
    with pytest.raises(TargetUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
        NotifyConnector(settings, NoInbound()).deliver(envelope("case.approved", CASE))


def test_server_without_starttls_is_permanent(smtp_sim, settings):
    conn = _connector(settings, starttls=True, fallback_recipient="a@helsingborgsnat.se")
    with pytest.raises(TargetRejected, match="does not support"):
        conn.deliver(envelope("case.approved", CASE))
