"""Connector settings: ``${VAR}`` expansion from the environment and no plain-text secrets.

Only connector settings are expanded: routes and policies are the same in every environment,
settings (URLs, credentials) are what differs between test and production.
A settings key that names a secret (password, secret, token, api_key, private_key, ...)
must be one environment reference, ``${VAR}``, so the file can be committed and shown: the
real secret lives in the environment. A secret has no default (issue 13 item 12: a default
let the inbound endpoint accept the simulators' well-known password when the variable was
unset, and ``${UNSET:-realpassword}`` slipped a plain-text secret past this check): an unset
one stops the start naming the variable. Other settings may have ``${VAR:-default}``.
Secret values, and defaults written for them, never appear in errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.routes.source import Issues, child, item

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SECRET_KEY = re.compile(
    r"(?:^|[_-])(?:password|passwd|passphrase|secret|token|api[_-]?key|private[_-]?key)$")
_ONLY_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}")


def is_secret_key(key: str) -> bool:
    """True for keys like password, db_password, api_key, apiKey, access_token, private_key."""
    return bool(_SECRET_KEY.search(key.lower()))


def expand_settings(settings: dict[str, Any], path: str, env: Mapping[str, str],
                    issues: Issues) -> dict[str, Any]:
    """A copy of ``settings`` with every ``${VAR}`` expanded; problems go to ``issues``."""
    return {key: _value(value, child(path, key), key, env, issues)
            for key, value in settings.items()}


def _value(value: Any, path: str, key: str, env: Mapping[str, str], issues: Issues) -> Any:
    if is_secret_key(key):
        return _secret(value, path, key, env, issues)
    if isinstance(value, dict):
        return expand_settings(value, path, env, issues)
    if isinstance(value, list):
        return [_value(v, item(path, i), key, env, issues) for i, v in enumerate(value)]
    if isinstance(value, str):
        return _expand(value, path, env, issues)
    return value


def _secret(value: Any, path: str, key: str, env: Mapping[str, str], issues: Issues) -> Any:
    """The secret from the environment; None (after an issue) when it cannot be had."""
    if value is None:
        return None
    found = _ONLY_REFERENCE.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        issues.add(path, f"plain-text secret in {key!r}; use ${{ENV_VAR}} and set the "
                   "variable in the environment (the value is not shown here)")
        return None
    name = found.group(1)
    if found.group(2) is not None:
        issues.add(path, f"a secret has no default: write ${{{name}}} in {key!r} and set "
                   f"{name} in the environment (the default is not shown here)")
        return None
    if name not in env:
        issues.add(path, f"environment variable {name} is not set; {key!r} is a secret, "
                   "so it has no default: set it")
        return None
    return env[name]


def _expand(text: str, path: str, env: Mapping[str, str], issues: Issues) -> str:
    def replace(found: re.Match[str]) -> str:
        name, default = found.group(1), found.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        issues.add(path, f"environment variable {name} is not set (set it, or give a "
                   f"default: ${{{name}:-value}})")
        return ""

    expanded = _REFERENCE.sub(replace, text)
    leftover = _REFERENCE.sub("", text)
    if "${" in leftover:
        issues.add(path, "malformed ${...}: write ${NAME} or ${NAME:-default}, NAME of "
                   "letters, digits and _")
    return expanded
