"""Who may do what: roles, actions, the authenticated principal, and why access is refused.

Roles are cumulative (an operator can do what a viewer can, an admin what an operator can).
Seeing personal data is not part of any role: it is a separate, explicit permission, so an
admin who manages users does not see personal numbers unless granted that too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from hub.errors import PermanentError

ROLE_LIFETIME_DAYS = 365
WARN_DAYS = 30


def now_utc() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    viewer = "viewer"
    operator = "operator"
    admin = "admin"


class Action(StrEnum):
    read = "read"
    replay = "replay"
    discard = "discard"
    pause = "pause"
    manage_users = "manage_users"
    see_personal_data = "see_personal_data"


_VIEWER = frozenset({Action.read})
_OPERATOR = _VIEWER | {Action.replay, Action.discard, Action.pause}
ALLOWED: dict[Role, frozenset[Action]] = {
    Role.viewer: _VIEWER,
    Role.operator: _OPERATOR,
    Role.admin: _OPERATOR | {Action.manage_users},
}


@dataclass(frozen=True)
class Principal:
    """A user (logged in) or an API token, with the roles that are valid right now."""

    name: str
    kind: Literal["user", "token"]
    roles: frozenset[Role]
    personal_data: bool

    def can(self, action: Action) -> bool:
        if action is Action.see_personal_data:
            # Only together with some role: a principal without one may do nothing at all.
            return self.personal_data and bool(self.roles)
        return any(action in ALLOWED[role] for role in self.roles)


class AccessDenied(PermanentError):
    """Authentication or authorisation refused; the message says why and what to do."""


@dataclass(frozen=True)
class Grant:
    user: str
    role: Role
    granted_at: datetime
    expires_at: datetime
    granted_by: str

    def days_left(self, at: datetime) -> int:
        """Whole days until expiry (0 on the last day, negative once expired)."""
        return (self.expires_at - at).days

    def active(self, at: datetime) -> bool:
        return at < self.expires_at


@dataclass(frozen=True)
class UserInfo:
    """One user for listings: every grant (active or expired) with its expiry."""

    name: str
    email: str | None
    personal_data: bool
    grants: tuple[Grant, ...]
    created_at: datetime

    def roles(self, at: datetime) -> frozenset[Role]:
        """The roles valid at ``at``."""
        return frozenset(g.role for g in self.grants if g.active(at))
