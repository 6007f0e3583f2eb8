"""Structured logging: JSON lines with ISO timestamps, context ids, and personal data masked.

``structlog.contextvars.bind_contextvars(message_id=..., case_id=...)`` puts ids on every line
logged in that context. :func:`mask_personal_data` runs last before rendering, so nothing
reaches the output unmasked: values under personal-data keys, identifier instances, and
personnummer / fødselsnummer found inside any string, in any written form (seed 001: access
to personal numbers must be limited to those who need them; log readers do not). The numbers
are found by ``schemas.masking.mask_personal_numbers``: the one function the web, the API and
the CLI use too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from pydantic import BaseModel

from hub.errors import ConfigurationError
from schemas.identifiers import Identifier, MaskedIdentifier
from schemas.masking import mask_personal_numbers

PERSONAL_KEYS = frozenset(
    {
        "personal_number",
        "organisation_number",
        "name",
        "first_name",
        "last_name",
        "address",
        "street",
        "email",
        "phone",
        "mobile",
        "co",
    }
)
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def mask_text(value: str) -> str:
    """Mask a free-text value (a name, an address, an e-mail): first character only."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"{value[:1]}***" if value else value


def _mask(value: Any, personal: bool) -> Any:
    if isinstance(value, MaskedIdentifier):
        return value.masked()
    if isinstance(value, Identifier):
        return value.reveal()
    if isinstance(value, BaseModel):
        return _mask(value.model_dump(mode="python"), personal)
    if isinstance(value, str):
        return mask_text(value) if personal else mask_personal_numbers(value)
    if isinstance(value, MutableMapping | dict):
        return {
            key: _mask(item, personal or str(key).lower() in PERSONAL_KEYS)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask(item, personal) for item in value]
    if personal and isinstance(value, int) and not isinstance(value, bool):
        return mask_text(str(value))
    return value


def mask_personal_data(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask personal data anywhere in the event."""
    masked: MutableMapping[str, Any] = _mask(dict(event_dict), False)
    return masked


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        mask_personal_data,
    ]


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """Configure structlog and the standard library (kombu, pika, ...) to write one masked
    event per line to stderr: JSON when ``json``, aligned text otherwise."""
    name = level.upper()
    if name not in LEVELS:
        raise ConfigurationError(
            f"unknown log level {level!r}; use one of {', '.join(LEVELS)}", where="log_level"
        )
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*_shared_processors(), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(name)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *_shared_processors()],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(name)
