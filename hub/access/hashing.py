"""Password and token hashing with argon2id (argon2-cffi), and the token format.

A token is ``ghk_<id>_<secret>``. The id is public and indexes the row, so a request costs
one argon2 verification rather than one per stored token (argon2 hashes are salted and cannot
be looked up). The secret is 32 random bytes; only its argon2 hash is stored, so a copy of
the database does not hand out working tokens.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "ghk_"
MIN_PASSWORD = 12


def default_hasher() -> PasswordHasher:
    """argon2id with the library's current recommended parameters."""
    return PasswordHasher()


def verify(hasher: PasswordHasher, stored: str, given: str) -> bool:
    try:
        return hasher.verify(stored, given)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    """Refuse passwords that are too short to resist guessing; ValueError says why."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password too short: at least {MIN_PASSWORD} characters")


def new_token() -> tuple[str, str, str]:
    """(plain token, token id, secret)."""
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return f"{TOKEN_PREFIX}{token_id}_{secret}", token_id, secret


def split_token(token: str) -> tuple[str, str] | None:
    """(token id, secret), or None if ``token`` is not in the token format."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_id, sep, secret = token[len(TOKEN_PREFIX):].partition("_")
    if not sep or len(token_id) != 16 or not secret:
        return None
    return token_id, secret
