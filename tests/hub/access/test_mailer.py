"""Role-expiry warnings by e-mail, through a real SMTP server on loopback (the notify
simulator, aiosmtpd): the user and the admins once a day, nobody without an address, the
server down (nothing lost, exit 1), no server configured (exit 3), STARTTLS with a login."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from pydantic import ValidationError

from connectors.notify.simulator import NotifySimulator
from hub.access import Access, Role
from hub.access.mailer import Mailer, SmtpServer
from hub.access.tables import grants
from hub.access.warn import DailyWarnings, warn_due
from hub.cli import main
from hub.config import Settings
from hub.errors import ConfigurationError, TargetRejected, TargetUnavailable
from hub.ops.db import open_store
from tests.conftest import free_port
from tests.connectors.notify.conftest import certificate, server_tls  # noqa: F401 - fixture
from tests.hub.access.conftest import Clock, cheap_hasher

PASSWORD = "a long enough passphrase"
SENDER = "gridhub <gridhub@helsingborgsnat.se>"


@pytest.fixture(scope="module")
def _smtp() -> Iterator[NotifySimulator]:
    sim = NotifySimulator().start()
    yield sim
    sim.stop()


@pytest.fixture
def smtp(_smtp: NotifySimulator) -> NotifySimulator:
    _smtp.fail("none")
    _smtp.mails.clear()
    return _smtp


def mailer_for(sim: NotifySimulator, query: str = "") -> Mailer:
    server = SmtpServer.from_url(f"smtp://127.0.0.1:{sim.port}?timeout=5{query}")
    return Mailer(server, SENDER)


def staff(access: Access, clock: Clock, *, emails: bool = True) -> None:
    """maria (operator, e-mail) and olle (viewer, none) whose roles end in 20 days; ola, an
    admin granted later (no warning for him), and kari, an admin without e-mail."""
    access.add_user("maria", PASSWORD, by="test", email="maria@helsingborgsnat.se" if emails
                    else None)
    access.grant("maria", Role.operator, by="test")
    access.add_user("olle", PASSWORD, by="test")
    access.grant("olle", Role.viewer, by="test")
    clock.advance(days=345)
    access.add_user("ola", PASSWORD, by="test", email="ola@helsingborgsnat.se" if emails
                    else None)
    access.grant("ola", Role.admin, by="test")
    access.add_user("kari", PASSWORD, by="test")
    access.grant("kari", Role.admin, by="test")


def test_user_and_admins_are_mailed_once_a_day(access: Access, clock: Clock,
                                               smtp: NotifySimulator) -> None:
    staff(access, clock)
    report = warn_due(access, mailer_for(smtp), clock())
    assert report.error is None and not report.refused
    assert sorted((s.kind, s.name) for s in report.sent) == [("admin", "ola"), ("user", "maria")]
    assert [g.user for g in report.no_address] == ["olle"]
    mails = {tuple(m["to"]): m for m in smtp.mails}
    assert set(mails) == {("maria@helsingborgsnat.se",), ("ola@helsingborgsnat.se",)}
    to_maria = mails[("maria@helsingborgsnat.se",)]
    expires = (datetime(2026, 3, 1, tzinfo=UTC) + timedelta(days=365)).date().isoformat()
    assert to_maria["subject"] == f"gridhub: your operator role expires on {expires}"
    body = to_maria["body"]
    assert "gridhub users renew maria operator" in body and "in 20 days" in body
    assert "går ut" in body and "utløper" in body and "viewer" not in body
    digest = mails[("ola@helsingborgsnat.se",)]["body"]
    assert "gridhub users renew maria operator" in digest
    assert "gridhub users renew olle viewer" in digest

    again = warn_due(access, mailer_for(smtp), clock())
    assert again.due == [] and again.sent == [] and len(smtp.mails) == 2

    clock.advance(days=1)
    tomorrow = warn_due(access, mailer_for(smtp), clock())
    assert len(tomorrow.sent) == 2 and len(smtp.mails) == 4
    assert "in 19 days" in smtp.mails[-2]["body"] + smtp.mails[-1]["body"]


def test_nobody_with_an_address_gets_no_mail(access: Access, clock: Clock,
                                             smtp: NotifySimulator) -> None:
    staff(access, clock, emails=False)
    report = warn_due(access, mailer_for(smtp), clock())
    assert report.sent == [] and report.error is None
    assert sorted(g.user for g in report.no_address) == ["maria", "olle"]
    assert smtp.mails == []


def test_server_down_loses_nothing(access: Access, clock: Clock, smtp: NotifySimulator) -> None:
    staff(access, clock)
    smtp.fail("down")
    report = warn_due(access, mailer_for(smtp), clock())
    assert isinstance(report.error, TargetUnavailable)
    assert f"127.0.0.1:{smtp.port}" in str(report.error) and report.sent == []
    smtp.fail("none")
    later = warn_due(access, mailer_for(smtp), clock() + timedelta(hours=1))
    assert later.error is None and len(later.sent) == 2 and len(smtp.mails) == 2


def test_refused_recipient_is_reported_and_not_retried_today(
        access: Access, clock: Clock, smtp: NotifySimulator) -> None:
    staff(access, clock)
    smtp.fail("reject")
    report = warn_due(access, mailer_for(smtp), clock())
    assert report.failed and report.error is None
    assert sorted(s.name for s, _ in report.refused) == ["maria", "ola"]
    assert all("550" in why for _, why in report.refused)
    smtp.fail("none")
    assert warn_due(access, mailer_for(smtp), clock()).sent == []


def test_dry_run_sends_nothing_and_keeps_the_warnings_due(
        access: Access, clock: Clock, smtp: NotifySimulator) -> None:
    staff(access, clock)
    plan = warn_due(access, None, clock(), dry_run=True)
    assert sorted((s.kind, s.name) for s in plan.sent) == [("admin", "ola"), ("user", "maria")]
    assert smtp.mails == []
    assert len(warn_due(access, mailer_for(smtp), clock()).sent) == 2


def test_starttls_and_login(access: Access, clock: Clock,
                            certificate: tuple[Path, Path]) -> None:  # noqa: F811
    sim = NotifySimulator(tls_context=server_tls(certificate), username="gridhub",
                          password="smtp-hemligt-7").start()
    try:
        staff(access, clock)
        url = (f"smtp://gridhub:smtp-hemligt-7@localhost:{sim.port}?starttls=true"
               f"&cafile={certificate[0]}&timeout=5")
        mailer = Mailer.from_settings(Settings(smtp_url=url, mail_from=SENDER))
        assert mailer is not None
        assert len(warn_due(access, mailer, clock()).sent) == 2 and len(sim.mails) == 2
        wrong = Mailer(SmtpServer.from_url(url.replace("hemligt-7", "fel")), SENDER)
        clock.advance(days=1)
        refused = warn_due(access, wrong, clock())
        assert isinstance(refused.error, TargetRejected) and refused.error.remote is not None
        assert refused.error.remote.status == "535"
    finally:
        sim.stop()


def test_a_bad_smtp_url_names_the_setting_and_hides_the_password() -> None:
    with pytest.raises(ConfigurationError) as info:
        Mailer.from_settings(Settings(smtp_url="smtp://u:topsecret@mail.example?tls=yes",
                                      mail_from=SENDER))
    assert "smtp_url (GRIDHUB_SMTP_URL)" in str(info.value) and "tls" in str(info.value)
    assert "topsecret" not in str(info.value)
    with pytest.raises(ConfigurationError, match="percent-encode") as info:
        SmtpServer.from_url("smtp://maria@nat.example:top/secret@mail.example:587")
    assert "top" not in str(info.value) and "maria" not in str(info.value)
    assert "hemligt" not in repr(SmtpServer.from_url("smtp://u:hemligt@mail.example"))
    with pytest.raises(ConfigurationError, match="mail_from"):
        Mailer.from_settings(Settings(smtp_url="smtp://mail.example"))
    with pytest.raises(ValidationError, match="mail_from"):
        Settings(mail_from="gridhub at nat")


def test_the_hub_trigger_runs_hourly_in_its_own_thread(access: Access, clock: Clock,
                                                      smtp: NotifySimulator) -> None:
    staff(access, clock)
    trigger = DailyWarnings(access, mailer_for(smtp))
    assert trigger.tick() is True
    trigger.join(timeout=20)
    assert len(smtp.mails) == 2
    assert trigger.tick() is False  # within the hour: not again
    clock.advance(days=1)
    report = trigger.run_once()
    assert report is not None and len(report.sent) == 2 and len(smtp.mails) == 4
    assert DailyWarnings(None, None).tick() is False  # smtp_url unset: never mails
    broken = Settings(smtp_url="ftp://mail.example", mail_from=SENDER)
    assert DailyWarnings.for_hub(access.store, broken).tick() is False  # logged, not raised


# -- gridhub users warn ---------------------------------------------------------------------


def _root() -> click.Group:
    """The real `gridhub` command group."""
    return main


@pytest.fixture
def hub_db(tmp_path: Path) -> str:
    """A SQLite store whose users maria (operator) and ola (admin) have roles ending in 14
    days (the CLI runs on the real clock)."""
    url = f"sqlite:///{tmp_path / 'gridhub.db'}"
    users_expiring(url, timedelta(days=14, hours=12),
                   {"maria": Role.operator, "ola": Role.admin})
    return url


def users_expiring(store_url: str, left: timedelta, roles: dict[str, Role]) -> None:
    """Users (with an e-mail each) whose roles end ``left`` from now on the real clock."""
    store = open_store(store_url)
    try:
        access = Access(store, hasher=cheap_hasher())
        access.ensure_tables()
        for name, role in roles.items():
            access.add_user(name, PASSWORD, by="test", email=f"{name}@helsingborgsnat.se")
            access.grant(name, role, by="test")
        with store.engine.begin() as conn:
            conn.execute(sa.update(grants).values(expires_at=datetime.now(UTC) + left))
    finally:
        store.close()


def warn(url: str, tmp_path: Path, *args: str, smtp_url: str | None) -> Result:
    env = {"GRIDHUB_STORE_URL": url, "GRIDHUB_ROUTES": str(tmp_path / "r.yaml"),
           "GRIDHUB_MAIL_FROM": SENDER, "GRIDHUB_SMTP_URL": smtp_url}
    return CliRunner().invoke(_root(), ["users", "warn", *args], env=env)


def test_cli_sends_once_and_prints_what(hub_db: str, tmp_path: Path,
                                        smtp: NotifySimulator) -> None:
    url = f"smtp://127.0.0.1:{smtp.port}?timeout=5"
    moved = CliRunner().invoke(_root(), ["users", "email", "ola", "ola.nordmann@sorlandsnett.no"],
                               env={"GRIDHUB_STORE_URL": hub_db, "GRIDHUB_ACTOR": "boss@drift"})
    assert moved.exit_code == 0, moved.output
    dry = warn(hub_db, tmp_path, "--dry-run", smtp_url=url)
    assert dry.exit_code == 0, dry.output
    assert "would send to maria <maria@helsingborgsnat.se>: operator expires" in dry.output
    assert smtp.mails == []
    sent = warn(hub_db, tmp_path, smtp_url=url)
    assert sent.exit_code == 0, sent.output
    assert "sent digest to admin ola <ola.nordmann@sorlandsnett.no>: 2 role(s)" in sent.output
    assert len(smtp.mails) == 3  # maria's, ola's own (admin), the digest to ola
    assert {m["to"][0] for m in smtp.mails} == {"maria@helsingborgsnat.se",
                                                 "ola.nordmann@sorlandsnett.no"}
    again = warn(hub_db, tmp_path, smtp_url=url)
    assert again.exit_code == 0 and "no role-expiry warning due" in again.output
    assert len(smtp.mails) == 3


def test_cli_server_down_exits_1_and_unconfigured_exits_3(hub_db: str, tmp_path: Path) -> None:
    down = warn(hub_db, tmp_path, smtp_url=f"smtp://u:pw-9@127.0.0.1:{free_port()}?timeout=2")
    assert down.exit_code == 1, down.output
    assert "the mail server failed" in down.stderr and "cannot reach" in down.stderr
    assert "pw-9" not in down.output
    unset = warn(hub_db, tmp_path, smtp_url=None)
    assert unset.exit_code == 3 and "GRIDHUB_SMTP_URL" in unset.stderr
    bad = warn(hub_db, tmp_path, smtp_url="smtp://u:pw-9@127.0.0.1?starttls=maybe")
    assert bad.exit_code == 3 and "smtp_url" in bad.stderr and "pw-9" not in bad.stderr


def test_a_running_hub_mails_the_warnings_by_itself(tmp_path: Path,
                                                    smtp: NotifySimulator) -> None:
    from tests.support.hubrun import routes_yaml, running_hub, settings_for, wait_until

    routes = routes_yaml({"alpha": "http://127.0.0.1:9/"}, "  []\n")
    settings = settings_for(tmp_path, "embedded", "ns", routes,
                            smtp_url=f"smtp://127.0.0.1:{smtp.port}?timeout=5",
                            mail_from=SENDER)
    users_expiring(settings.store_url, timedelta(days=9, hours=12), {"maria": Role.operator})
    with running_hub(settings):
        wait_until(lambda: len(smtp.mails) == 1, what="the expiry mail")
    [mail] = smtp.mails
    assert mail["to"] == ["maria@helsingborgsnat.se"] and "operator" in mail["subject"]


def test_a_bad_smtp_url_stops_the_hub_at_start(tmp_path: Path) -> None:
    from hub.app import build
    from tests.support.hubrun import routes_yaml, settings_for

    settings = settings_for(tmp_path, "embedded", "ns",
                            routes_yaml({"alpha": "http://127.0.0.1:9/"}, "  []\n"),
                            smtp_url="ftp://gridhub:secret@mail.example", mail_from=SENDER)
    with pytest.raises(ConfigurationError) as info:
        build(settings)
    assert "smtp_url" in str(info.value) and "secret" not in str(info.value)
