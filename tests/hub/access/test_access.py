from __future__ import annotations

import logging
from datetime import timedelta
from typing import Literal

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from hub.access import Access, AccessDenied, Action, Principal, Role
from hub.access.tables import tokens, users
from hub.ops.audit import audit
from tests.hub.access.conftest import Clock

ADMIN = "admin@drift"


def add(access: Access, name: str = "maria.holm", *roles: Role) -> None:
    access.add_user(name, "correct horse battery", by=ADMIN, email=f"{name}@grid.example")
    for role in roles:
        access.grant(name, role, by=ADMIN)


def test_principal_can_by_role() -> None:
    viewer = Principal("v", "user", frozenset({Role.viewer}), False)
    operator = Principal("o", "user", frozenset({Role.operator}), True)
    admin = Principal("a", "user", frozenset({Role.admin}), False)
    assert viewer.can(Action.read) and not viewer.can(Action.replay)
    assert not viewer.can(Action.see_personal_data)
    assert all(operator.can(a) for a in (Action.read, Action.replay, Action.discard,
                                         Action.pause, Action.see_personal_data))
    assert not operator.can(Action.manage_users)
    assert admin.can(Action.manage_users) and admin.can(Action.replay)
    assert not admin.can(Action.see_personal_data)
    assert not Principal("n", "user", frozenset(), True).can(Action.see_personal_data)


def test_login_with_roles_and_stored_hash_only(access: Access) -> None:
    add(access, "maria.holm", Role.operator)
    who = access.authenticate("maria.holm", "correct horse battery")
    assert who == Principal("maria.holm", "user", frozenset({Role.operator}), False)
    with access.store.engine.connect() as conn:
        stored = conn.scalar(sa.select(users.c.password_hash))
    assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_login_refusals_say_why(access: Access) -> None:
    add(access, "maria.holm")
    with pytest.raises(AccessDenied) as unknown:
        access.authenticate("nobody", "x")
    with pytest.raises(AccessDenied) as wrong:
        access.authenticate("maria.holm", "wrong")
    # One answer for both: a login does not tell who has an account.
    assert str(unknown.value) == str(wrong.value) == "login: wrong user name or password"
    with pytest.raises(AccessDenied, match="has no role"):
        access.authenticate("maria.holm", "correct horse battery")
    access.set_password("maria.holm", "another long secret", by=ADMIN)
    access.grant("maria.holm", Role.viewer, by=ADMIN)
    assert access.authenticate("maria.holm", "another long secret").roles == {Role.viewer}


def test_role_expires_after_a_year_and_renew_restores(access: Access, clock: Clock) -> None:
    add(access, "maria.holm", Role.viewer)
    clock.advance(days=364)
    assert access.principal("maria.holm").roles == {Role.viewer}
    clock.advance(days=1)
    with pytest.raises(AccessDenied, match=r"role viewer .* expired on 2027-03-01 "
                                           r"\(ask an admin to renew\)"):
        access.principal("maria.holm")
    grant = access.renew("maria.holm", Role.viewer, by=ADMIN)
    assert grant.expires_at == clock.at + timedelta(days=365)
    assert access.principal("maria.holm").roles == {Role.viewer}
    with pytest.raises(AccessDenied, match="no admin role to renew"):
        access.renew("maria.holm", Role.admin, by=ADMIN)


def test_revoke_and_personal_data(access: Access) -> None:
    add(access, "maria.holm", Role.viewer, Role.operator)
    access.allow_personal_data("maria.holm", True, by=ADMIN)
    assert access.principal("maria.holm").can(Action.see_personal_data)
    access.revoke("maria.holm", Role.operator, by=ADMIN)
    who = access.principal("maria.holm")
    assert who.roles == {Role.viewer} and not who.can(Action.replay)
    access.allow_personal_data("maria.holm", False, by=ADMIN)
    assert not access.principal("maria.holm").can(Action.see_personal_data)
    with pytest.raises(AccessDenied, match="no operator role"):
        access.revoke("maria.holm", Role.operator, by=ADMIN)
    with pytest.raises(AccessDenied, match="unknown user 'ghost'"):
        access.grant("ghost", Role.viewer, by=ADMIN)


def test_every_change_is_audited(access: Access) -> None:
    add(access, "maria.holm", Role.viewer)
    access.renew("maria.holm", Role.viewer, by="boss")
    access.revoke("maria.holm", Role.viewer, by="boss")
    access.allow_personal_data("maria.holm", True, by="boss")
    access.create_token("scraper", [Role.viewer], by="boss")
    with access.store.engine.connect() as conn:
        rows = conn.execute(sa.select(audit.c.actor, audit.c.action, audit.c.subject)
                            .order_by(audit.c.id)).all()
    assert [r.action for r in rows] == ["user.add", "role.grant", "role.renew", "role.revoke",
                                        "user.personal_data", "token.create"]
    assert rows[2] == ("boss", "role.renew", "user maria.holm")


def test_token_scoped_expiring_and_hashed(access: Access, clock: Clock) -> None:
    token = access.create_token("prometheus", [Role.viewer], by=ADMIN, expires_in_days=10)
    who = access.authenticate_token(token)
    assert who == Principal("prometheus", "token", frozenset({Role.viewer}), False)
    assert not who.can(Action.replay)
    with access.store.engine.connect() as conn:
        assert token.split("_")[-1] not in conn.scalar(sa.select(tokens.c.secret_hash))
    with pytest.raises(AccessDenied, match="bad token"):
        access.authenticate_token(token[:-2] + "xx")
    with pytest.raises(AccessDenied, match="bad token"):
        access.authenticate_token("Bearer nonsense")
    clock.advance(days=10)
    with pytest.raises(AccessDenied, match="expired on 2026-03-11"):
        access.authenticate_token(token)


def test_revoked_token_is_refused(access: Access) -> None:
    token = access.create_token("robot", [Role.operator], personal_data=True, by=ADMIN)
    assert access.authenticate_token(token).can(Action.see_personal_data)
    assert access.revoke_tokens("robot", by=ADMIN) == 1
    with pytest.raises(AccessDenied, match="revoked"):
        access.authenticate_token(token)


def test_expiring_lists_and_warns_once_a_day(access: Access, clock: Clock,
                                            caplog: pytest.LogCaptureFixture,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    add(access, "maria.holm", Role.viewer)
    add(access, "ola.nordmann", Role.admin)
    clock.advance(days=300)
    access.renew("ola.nordmann", Role.admin, by=ADMIN)
    assert access.expiring() == []
    clock.advance(days=40)  # maria's viewer role: 25 days left
    found = access.expiring()
    assert [(g.user, g.role, g.days_left(clock.at)) for g in found] == [
        ("maria.holm", Role.viewer, 25)]
    first = _warnings(caplog, capsys)
    access.expiring()
    assert first == 1 and _warnings(caplog, capsys) == 0
    clock.advance(days=1)
    access.expiring()
    assert _warnings(caplog, capsys) == 1


def _warnings(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> int:
    """Warnings logged since the last call (structlog may go to stdlib or to stdout)."""
    text = capsys.readouterr().out + "".join(
        r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    caplog.clear()
    assert "maria" not in text
    return text.count("role expires soon")


def test_users_lists_grants(access: Access, clock: Clock) -> None:
    add(access, "b.user", Role.viewer, Role.operator)
    add(access, "a.user")
    listed = access.users()
    assert [u.name for u in listed] == ["a.user", "b.user"]
    assert listed[0].grants == () and listed[0].email == "a.user@grid.example"
    assert listed[1].roles(clock.at) == {Role.viewer, Role.operator}
    clock.advance(days=366)
    assert access.users()[1].roles(clock.at) == frozenset()


class CountingHasher(PasswordHasher):
    """Real argon2id (cheap parameters) that counts its verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_name_costs_the_same_argon2_check_as_a_known_one(store, clock) -> None:
    hasher = CountingHasher()
    access = Access(store, clock=clock, hasher=hasher)
    access.ensure_tables()
    add(access, "maria.holm", Role.operator)
    for name in ("maria.holm", "nobody", "nobody.else"):
        before = hasher.verified
        with pytest.raises(AccessDenied, match="wrong user name or password"):
            access.authenticate(name, "not the password")
        assert hasher.verified - before == 1, name
