"""Access control: users with expiring roles, personal-data permission, API tokens."""

from hub.access.model import (
    ROLE_LIFETIME_DAYS,
    WARN_DAYS,
    AccessDenied,
    Action,
    Grant,
    Principal,
    Role,
    UserInfo,
    now_utc,
)
from hub.access.service import Access

__all__ = ["ROLE_LIFETIME_DAYS", "WARN_DAYS", "Access", "AccessDenied", "Action", "Grant",
           "Principal", "Role", "UserInfo", "now_utc"]
