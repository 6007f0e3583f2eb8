"""``gridhub users`` on a real SQLite store, as an admin would run it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
import sqlalchemy as sa
from click.testing import CliRunner, Result

from hub.access import Access, Action
from hub.access.tables import grants
from hub.cli import main
from hub.ops.audit import audit
from hub.ops.db import open_store

PASSWORD = "a long enough passphrase"


def _root() -> click.Group:
    """The real `gridhub` command group."""
    return main


class Cli:
    def __init__(self, tmp_path) -> None:
        self.url = f"sqlite:///{tmp_path / 'gridhub.db'}"
        self.env = {"GRIDHUB_STORE_URL": self.url, "GRIDHUB_ROUTES": str(tmp_path / "r.yaml"),
                    "GRIDHUB_ACTOR": "boss@drift"}

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(_root(), list(args), env=self.env, input=input)


def test_add_grant_list_token_and_audit(tmp_path) -> None:
    gridhub = Cli(tmp_path)
    added = gridhub("users", "add", "maria.holm", "--email", "m@grid.example",
                    "--password-stdin", "--role", "operator", input=PASSWORD + "\n")
    granted = gridhub("users", "grant", "maria.holm", "viewer")
    on = gridhub("users", "personal-data", "maria.holm", "on")
    token = gridhub("users", "token", "prometheus", "--role", "viewer", "--days", "30")
    listed = gridhub("users", "list")
    assert [r.exit_code for r in (added, granted, on, token, listed)] == [0] * 5, \
        [r.output for r in (added, granted, on, token, listed)]
    assert PASSWORD not in listed.output
    assert "maria.holm  (personal data visible)" in listed.output
    assert "operator" in listed.output and "viewer" in listed.output
    plain = token.stdout.strip()
    store = open_store(gridhub.url)
    try:
        access = Access(store)
        who = access.authenticate("maria.holm", PASSWORD)
        assert who.can(Action.replay) and who.can(Action.see_personal_data)
        assert access.authenticate_token(plain).name == "prometheus"
        with store.engine.connect() as conn:
            actors = set(conn.scalars(sa.select(audit.c.actor)))
    finally:
        store.close()
    assert actors == {"boss@drift"}


def test_list_warns_before_expiry_and_flags_expired(tmp_path) -> None:
    gridhub = Cli(tmp_path)
    gridhub("users", "add", "ola", "--password-stdin", "--role", "viewer", "--role", "admin",
            input=PASSWORD + "\n")
    store = open_store(gridhub.url)
    try:
        now = datetime.now(UTC)
        with store.engine.begin() as conn:  # as if granted long ago
            conn.execute(sa.update(grants).where(grants.c.role == "viewer").values(
                expires_at=now + timedelta(days=14, hours=12)))
            conn.execute(sa.update(grants).where(grants.c.role == "admin").values(
                expires_at=now - timedelta(days=1)))
    finally:
        store.close()
    listed = gridhub("users", "list")
    assert listed.exit_code == 0
    assert "warning: expires in 14 days" in listed.output
    assert "EXPIRED: renew with gridhub users renew ola admin" in listed.output
    assert gridhub("users", "renew", "ola", "admin").exit_code == 0
    assert "EXPIRED" not in gridhub("users", "list").output


def test_refusals_and_usage_errors_exit_codes(tmp_path) -> None:
    gridhub = Cli(tmp_path)
    short = gridhub("users", "add", "x", "--password-stdin", input="short\n")
    unknown = gridhub("users", "grant", "ghost", "viewer")
    bad_role = gridhub("users", "grant", "ghost", "superuser")
    no_role = gridhub("users", "token", "robot")
    assert short.exit_code == 2 and "password too short" in short.output
    assert unknown.exit_code == 1
    assert unknown.output.startswith("error: AccessDenied: access: unknown user 'ghost'")
    assert bad_role.exit_code == 2 and no_role.exit_code == 2
    gridhub("users", "add", "dup", "--password-stdin", input=PASSWORD + "\n")
    again = gridhub("users", "add", "dup", "--password-stdin", input=PASSWORD + "\n")
    assert again.exit_code == 1 and "exists already" in again.output
    assert "Traceback" not in again.output + unknown.output
