"""Connector settings: one pydantic model per connector, on this base.

routes.yaml gives each connector a mapping of settings (secrets arrive as ``${ENV}``, so
numbers and flags may come as strings). A connector declares its model once::

    class NisSettings(ConnectorSettings):
        WHERE: ClassVar[str] = "connectors.nis.settings"
        url: HttpUrl
        timeout: Seconds = 10.0

and reads it with ``NisSettings.parse(raw)``. Unknown keys are refused (a typo must not
silently fall back to a default), and any error is a :class:`ConfigurationError` naming the
setting (``where``) and what is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from hub.errors import ConfigurationError
from hub.routes.durations import parse_duration
from hub.toolkit.http import HttpClient

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _seconds(value: Any) -> float:
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = float(value)  # "${TIMEOUT:-10}" arrives as a string of seconds
    number = parse_duration(value)  # ValueError says what is accepted
    if number <= 0:
        raise ValueError(f"must be more than 0, got {value!r}")
    return number


def _interval(value: Any) -> float:
    """Like a duration, but 0 is allowed: "never" (no polling)."""
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = float(value)
    return parse_duration(value)


def _port(value: Any, low: int = 1) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not low <= number <= 65535 or isinstance(value, bool):
        raise ValueError(f"must be a port number {low}-65535, got {value!r}")
    return number


def _listen_port(value: Any) -> int:
    return _port(value, low=0)


def _count(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or isinstance(value, bool) or (isinstance(value, float)
                                                 and not value.is_integer()):
        raise ValueError(f"must be a whole number of at least 1, got {value!r}")
    return number


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "false", "no", "0"):
        return text in ("true", "yes", "1")
    raise ValueError(f"must be true or false, got {value!r}")


def _http_url(value: Any) -> str:
    url = str(value or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Not the value itself: a URL may hold a user and password.
        got = f"scheme {parts.scheme!r}" if parts.scheme not in ("http", "https") else "no host"
        raise ValueError(f"must be http(s)://host..., got {got}")
    return url


def _empty_is_none(value: Any) -> Any:
    return None if value is None or value == "" else value


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        raise ValueError(f"must be a text, got {value!r}")
    return str(value)


Seconds = Annotated[float, BeforeValidator(_seconds)]
"""A positive duration: a number of seconds or "250ms", "10s", "2m"."""
Interval = Annotated[float, BeforeValidator(_interval)]
"""A duration of 0 or more (0: off)."""
Port = Annotated[int, BeforeValidator(_port)]
"""A TCP port to connect to."""
ListenPort = Annotated[int, BeforeValidator(_listen_port)]
"""A TCP port to listen on, 0 for "any free one"."""
Count = Annotated[int, BeforeValidator(_count)]
"""A whole number of at least 1 (a batch size, a prefetch)."""
Flag = Annotated[bool, BeforeValidator(_flag)]
"""true/false, yes/no, 1/0."""
HttpUrl = Annotated[str, BeforeValidator(_http_url)]
"""An http(s) URL with a host."""
Text = Annotated[str, BeforeValidator(_text)]
"""A text setting (a number written in YAML is taken as its text)."""
OptionalText = Annotated[Text | None, BeforeValidator(_empty_is_none)]
"""A text setting, None when absent or empty (an unset ``${VAR:-}``)."""
OptionalUrl = Annotated[HttpUrl | None, BeforeValidator(_empty_is_none)]
OptionalPath = Annotated[Path | None, BeforeValidator(_empty_is_none)]
OptionalListenPort = Annotated[ListenPort | None, BeforeValidator(_empty_is_none)]


Secret: Any = Field(default=None, repr=False)
"""The default of a secret setting (a password, a token, a URL holding one): None, and never
shown in a repr, so a logged or printed settings object does not carry it."""


class ConnectorSettings(BaseModel):
    """Base of every connector's settings model. Subclasses set ``WHERE``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    WHERE: ClassVar[str] = "connectors.<name>.settings"

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        """The settings from routes.yaml, or a ConfigurationError naming the first wrong one."""
        try:
            return cls.model_validate(dict(raw))
        except ValidationError as exc:
            raise _configuration_error(cls, exc) from None

    def require(self, condition: bool, message: str, key: str) -> None:
        """For rules across settings (in a model validator): refuse naming ``key``."""
        if not condition:
            raise ConfigurationError(message, where=f"{self.WHERE}.{key}")


class HttpSettings(ConnectorSettings):
    """The settings of every connector calling an HTTP back end, besides its url."""

    token: OptionalText = Secret  # Bearer; or username/password for HTTP Basic (as ${ENV})
    username: OptionalText = None
    password: OptionalText = Secret
    timeout: Seconds = 10.0  # per call: connect, and each read

    def http_client(self, url: str, *, target: str, **options: Any) -> HttpClient:
        """The toolkit's HttpClient for ``url`` with these credentials and time-out;
        ``options`` as :class:`HttpClient` takes them (``soap``, ``error_detail`` ...)."""
        return HttpClient(url, target=target, timeout=self.timeout, token=self.token,
                          username=self.username, password=self.password, **options)


def _configuration_error(model: type[ConnectorSettings], exc: ValidationError
                         ) -> ConfigurationError:
    error = exc.errors(include_url=False)[0]
    path = ".".join(str(part) for part in error["loc"])
    where = f"{model.WHERE}.{path}" if path else model.WHERE
    if error["type"] == "extra_forbidden":
        known = ", ".join(sorted(model.model_fields))
        return ConfigurationError(f"unknown setting {path} (known: {known})", where=model.WHERE)
    if error["type"] == "missing":
        return ConfigurationError("required, not set", where=where)
    message = str(error["msg"]).removeprefix("Value error, ")
    return ConfigurationError(message, where=where)
