"""Settings: defaults < config file (TOML) < environment (GRIDHUB_*) < command-line flags.

With no configuration at all gridhub runs on the embedded broker and a SQLite file under
``./var``, so one command shows it working.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, TomlConfigSettingsSource


class Settings(BaseSettings):
    """Everything the composition root needs. Environment: GRIDHUB_<FIELD> (GRIDHUB_BROKER_URL)."""

    model_config = SettingsConfigDict(env_prefix="GRIDHUB_", extra="forbid")

    broker_url: str = Field(
        default="embedded://var/broker.db",
        description="embedded://FILE (default, no server) or amqp://user:pass@host:5672/vhost",
    )
    store_url: str = Field(
        default="sqlite:///var/gridhub.db",
        description="sqlite:///FILE (default) or postgresql+psycopg://user:pass@host/db",
    )
    routes: Path = Field(default=Path("routes.yaml"), description="the routes file")
    namespace: str = Field(default="gridhub", pattern=r"^[a-z][a-z0-9_-]{0,30}$",
                           description="prefix of every exchange and queue name")
    prefetch: int = Field(default=500, ge=1, le=10_000)
    batch_max: int = Field(default=250, ge=1, le=5_000,
                           description="messages per store transaction")
    batch_linger_ms: float = Field(default=5.0, ge=0, le=1_000)
    scheduler_interval_ms: float = Field(default=250.0, gt=0)
    idempotency_retention_days: float = Field(default=14.0, gt=0)
    # Data retention (hub/retention.py; the defaults are argued in README "Operating gridhub").
    retention_case_days: float = Field(
        default=90.0, gt=0, description="erase the personal data of archived and cancelled "
                                        "cases this many days after their last change")
    retention_trace_days: float = Field(default=180.0, gt=0,
                                        description="delete trace rows older than this")
    retention_dead_letter_days: float = Field(
        default=30.0, gt=0, description="delete replayed and discarded dead letters this many "
                                        "days after they were settled (open ones stay)")
    retention_audit_days: float = Field(default=1830.0, gt=0,
                                        description="delete audit rows older than this")
    retention_batch: int = Field(default=500, ge=1, le=10_000,
                                 description="rows per purge transaction")
    web_listen: str | None = Field(
        default=None, pattern=r"^[^:\s]+:\d{1,5}$",
        description="HOST:PORT to serve the ops web and /metrics from `gridhub run` (off if unset)",
    )
    log_level: str = Field(default="INFO")
    log_json: bool = Field(default=True)
    roles: tuple[str, ...] = Field(
        default=("hub", "deliver", "scheduler", "inbound"),
        description="what this process runs; several processes may split the roles",
    )
    # Mail (role-expiry warnings, hub/access/warn.py). The URL holds the SMTP password: give
    # it in the environment (GRIDHUB_SMTP_URL), never on a command line; SecretStr keeps it out
    # of reprs and logs. It is checked where it is used (hub.access.mailer), because a pydantic
    # error would echo the raw value, password included.
    smtp_url: SecretStr | None = Field(
        default=None,
        description="smtp://USER:PASS@HOST:587?starttls=true or smtps://USER:PASS@HOST:465 "
                    "(options: starttls, timeout, cafile); unset: no mail",
    )
    mail_from: str | None = Field(
        default=None, max_length=254,
        description="sender of gridhub's own mail, e.g. gridhub@nat.example (needed with "
                    "smtp_url)",
    )

    @field_validator("mail_from")
    @classmethod
    def _one_address(cls, value: str | None) -> str | None:
        from email.utils import parseaddr

        if value is None:
            return None
        address = parseaddr(value)[1]
        if not address or address.count("@") != 1 or not all(address.split("@")):
            raise ValueError("an e-mail address (gridhub@nat.example or "
                             "'gridhub <gridhub@nat.example>')")
        return value.strip()

    @model_validator(mode="after")
    def _audit_outlives(self) -> Settings:
        # The audit is the record of what was replayed, discarded and erased: it must not go
        # before the data it speaks of.
        shortest = max(self.retention_case_days, self.retention_dead_letter_days)
        if self.retention_audit_days < shortest:
            raise ValueError(f"retention_audit_days ({self.retention_audit_days:g}) must be at "
                             f"least retention_case_days and retention_dead_letter_days "
                             f"({shortest:g})")
        return self

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> Settings:
        """Build settings from an optional TOML file, the environment and explicit overrides."""
        path = config_file or _env_config_file()
        if path is not None and not path.is_file():
            from hub.errors import ConfigurationError

            raise ConfigurationError(f"config file {path} does not exist", where="--config")
        clean = {k: v for k, v in overrides.items() if v is not None}
        if path is None:
            return cls(**clean)
        return _with_toml(path)(**clean)

    def uses_embedded_broker(self) -> bool:
        return self.broker_url.startswith("embedded:")


def _env_config_file() -> Path | None:
    value = os.environ.get("GRIDHUB_CONFIG")
    return Path(value) if value else None


def _with_toml(path: Path) -> type[Settings]:
    """A Settings subclass that reads ``path`` below the environment in priority."""

    class _FileSettings(Settings):
        @classmethod
        def settings_customise_sources(  # type: ignore[override]
            cls, settings_cls: type[BaseSettings], init_settings: Any, env_settings: Any,
            dotenv_settings: Any, file_secret_settings: Any,
        ) -> tuple[Any, ...]:
            toml = TomlConfigSettingsSource(settings_cls, toml_file=path)
            return (init_settings, env_settings, toml)

    return _FileSettings
