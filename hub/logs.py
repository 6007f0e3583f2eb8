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
import threading
from collections.abc import MutableMapping
from types import TracebackType
from typing import Any

import structlog
import structlog.tracebacks
from pydantic import BaseModel

from hub.errors import ConfigurationError
from hub.telemetry import current_trace_id
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


def add_message_context(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: ``route``, ``message_type`` and ``trace_id`` on every line (null
    outside a message), so one query finds every line of a message's trace. The stages bind
    route and type (``bound_contextvars``); the trace id is the current span's."""
    event_dict.setdefault("route", None)
    event_dict.setdefault("message_type", None)
    if event_dict.get("trace_id") is None:
        event_dict["trace_id"] = current_trace_id()
    return event_dict


# A traceback as JSON (type, message, frames), never as lines of text in the JSON stream;
# without the frames' local variables, which may hold personal data or secrets.
_exception_as_json = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False))


def _shared_processors(json: bool = True) -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        add_message_context,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        _exception_as_json if json else structlog.processors.format_exc_info,
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
        processors=[*_shared_processors(json), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(name)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *_shared_processors(json)],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(name)
    logging.captureWarnings(True)  # warnings.warn goes through the handler, not to stderr
    if json:
        _uncaught_as_json()


def _uncaught_as_json() -> None:
    """An exception nobody caught (main thread or any other) is one JSON line too."""
    log = structlog.get_logger("gridhub")

    def main(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.critical("uncaught exception", exc_info=(kind, exc, tb))

    def thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        log.error("uncaught exception in a thread",
                  thread=args.thread.name if args.thread else None,
                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = main
    threading.excepthook = thread
