"""The Ediel code lists, application references and qualifiers from ``codes.yaml``.

Read on first use (no I/O at import time). A grid owner can point the connector at a corrected
copy (setting ``codes``); :func:`use` replaces the table for the process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from hub.toolkit import ConfigurationError

CODES_PATH = Path(__file__).with_name("codes.yaml")
_override: Path | None = None


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read the Ediel code file: {exc}", where=str(path)) \
            from exc
    if not isinstance(data, dict):
        raise ConfigurationError("the Ediel code file is not a mapping", where=str(path))
    return data


def use(path: Path | None) -> None:
    """Read codes from ``path`` from now on (None: the shipped file)."""
    global _override
    _override = path
    table()


def table() -> dict[str, Any]:
    return _load(_override or CODES_PATH)


def get(*path: str) -> Any:
    """The value at ``path`` (``get("utilts", "reason")``); ConfigurationError if absent."""
    value: Any = table()
    for key in path:
        if not isinstance(value, dict) or key not in value:
            raise ConfigurationError(f"the Ediel code file has no {'.'.join(path)}",
                                     where=str(_override or CODES_PATH))
        value = value[key]
    return value
