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

from hub.brokers import BrokerOptions, Failover, join_addresses, split_addresses


class Settings(BaseSettings):
    """Everything the composition root needs. Environment: GRIDHUB_<FIELD> (GRIDHUB_BROKER_URL)."""

    # hide_input_in_errors: a refused store_url, smtp_url or web_secret carries a password,
    # and the error is printed; it still names the setting and what is accepted.
    model_config = SettingsConfigDict(env_prefix="GRIDHUB_", extra="forbid",
                                      hide_input_in_errors=True)

    broker_url: str = Field(
        default="embedded://var/broker.db",
        description="embedded://FILE (default, no server) or amqp://user:pass@host:5672/vhost; "
                    "a RabbitMQ cluster as a list of node URLs (TOML list, JSON list in the "
                    "environment, or joined with ';')",
    )
    broker_failover: Failover = Field(
        default=Failover.SHUFFLE,
        description="which cluster node a process connects to first: shuffle (a random one "
                    "per process: spreads the processes) or in-order (the first listed)",
    )
    broker_heartbeat: float = Field(
        default=5.0, ge=0, le=600,
        description="AMQP heartbeat in seconds: a node that stops answering is left after "
                    "about twice this (0: no heartbeats, a hung node is never noticed)",
    )
    broker_connect_timeout: float = Field(default=5.0, gt=0, le=600,
                                          description="seconds to connect to one node")
    broker_io_timeout: float = Field(
        default=10.0, gt=0, le=600,
        description="seconds any single read or write on a broker connection may take "
                    "(closes and declarations included)")
    broker_confirm_timeout: float = Field(
        default=30.0, gt=0, le=3600,
        description="seconds to wait for the broker to confirm a batch of publishes")
    broker_replicas: int = Field(
        default=3, ge=1, le=99,
        description="members of each quorum queue (x-quorum-initial-group-size; the broker "
                    "takes fewer when the cluster has fewer nodes)")
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
    scheduler_interval_ms: float = Field(default=250.0, gt=0,
                                         description="how often the scheduler looks for due "
                                                     "retries and time-outs")
    idempotency_retention_days: float = Field(default=14.0, gt=0,
                                              description="how long applied message ids are "
                                                          "kept to drop redeliveries")
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
    web_trusted_proxies: tuple[str, ...] = Field(
        default=(),
        description="addresses or networks of the TLS proxies in front of the ops web: only "
                    "their X-Forwarded-For/-Proto are believed (none by default)",
    )
    web_secure_cookies: bool | None = Field(
        default=None,
        description="send the session cookie over https only; unset: yes unless the web "
                    "listens on loopback",
    )
    web_secret: SecretStr | None = Field(
        default=None,
        description="signs the ops web's session cookies (32+ random characters); required "
                    "when the web listens beyond loopback, or every restart would end every "
                    "session; unset on loopback: a random one per process",
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING, ERROR, CRITICAL")
    log_json: bool = Field(default=True, description="one JSON object per line on stderr; "
                           "false: aligned text for a person at a terminal")
    otlp_endpoint: str | None = Field(
        default=None, pattern=r"^https?://",
        description="send a span per hop of every message over OTLP/HTTP here, e.g. "
                    "http://otel-collector:4318/v1/traces; unset: spans are made (the logs' "
                    "trace ids, the traceparent headers) but not exported",
    )
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

    @field_validator("broker_url", mode="before")
    @classmethod
    def _addresses(cls, value: Any) -> Any:
        """A list of node URLs (TOML, or JSON in the environment) becomes kombu's ``a;b``."""
        if isinstance(value, list | tuple) or (isinstance(value, str)
                                               and value.lstrip().startswith("[")):
            try:
                addresses = split_addresses(value)
            except ValueError as exc:  # json.JSONDecodeError too; it never echoes a password
                raise ValueError("a list of broker URLs, e.g. "
                                 '["amqp://u:p@rabbit1//", "amqp://u:p@rabbit2//"]') from exc
            if not addresses:
                raise ValueError("the list of broker URLs is empty")
            return join_addresses(addresses)
        return value

    @field_validator("web_secret")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # The message never echoes the value: pydantic would print it in the error.
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (openssl rand -hex 32)")
        return value

    @field_validator("web_trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import ipaddress

        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an address or network (10.0.0.5, "
                                 "10.0.0.0/24); '*' would let any client choose its "
                                 "address") from None
        return value

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

    def broker_options(self) -> BrokerOptions:
        return BrokerOptions(heartbeat_s=self.broker_heartbeat,
                             connect_timeout_s=self.broker_connect_timeout,
                             io_timeout_s=self.broker_io_timeout,
                             confirm_timeout_s=self.broker_confirm_timeout,
                             failover=self.broker_failover)


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
