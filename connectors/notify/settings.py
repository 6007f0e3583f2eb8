"""notify settings (routes.yaml ``connectors.notify.settings``; secrets come as ${ENV}).

    host, port          the SMTP server (default 127.0.0.1:25)
    timeout             seconds or "500ms"/"10s"/"1m" per SMTP command (default 10s)
    starttls            upgrade the connection with STARTTLS before anything else (default no)
    ca_file             CA bundle to verify the server's certificate (default: system CAs)
    username, password  SMTP AUTH after STARTTLS (optional)
    sender              the From address, e.g. "Helsingborgs Nät <noreply@helsingborgsnat.se>"
    state_dir           where the contact book (a SQLite file) lives, default var/notify: it
                        must survive a restart, or every decision mailed after one is dead-
                        lettered with "no installer e-mail known" (issue 13 item 15)
    statuses            statuses mailed by default: approved, pre_rejected, completion_rejected
    companies           per installer company (organisation number or name):
                        {enabled: true|false, statuses: [...]}: Elsmart's "Sändning aktiverad"
                        and "välj vilka status som ska generera ett meddelande"
    fallback_recipient  where to mail when no installer contact is known (default: dead letter)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.errors import ConfigurationError
from hub.settings_fields import flag, optional, seconds
from hub.settings_fields import port as port_number
from schemas.codes import CaseStatus

WHERE = "connectors.notify.settings"
MAILED = (CaseStatus.approved, CaseStatus.pre_rejected, CaseStatus.completion_rejected)
_KEYS = {"host", "port", "timeout", "starttls", "ca_file", "username", "password", "sender",
         "state_dir", "statuses", "companies", "fallback_recipient"}
STATE_DIR = Path("var/notify")  # relative to the working directory, as var/gridhub.db
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class CompanyChoice:
    enabled: bool = True
    statuses: frozenset[CaseStatus] = frozenset(MAILED)


@dataclass(frozen=True)
class NotifySettings:
    sender: str
    host: str = "127.0.0.1"
    port: int = 25
    timeout: float = 10.0
    starttls: bool = False
    ca_file: Path | None = None
    username: str | None = None
    password: str | None = None
    state_dir: Path = STATE_DIR
    default: CompanyChoice = CompanyChoice()
    companies: dict[str, CompanyChoice] = field(default_factory=dict)
    fallback_recipient: str | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> NotifySettings:
        unknown = sorted(set(raw) - _KEYS)
        if unknown:
            raise ConfigurationError(f"unknown setting(s) {', '.join(unknown)} (known: "
                                     f"{', '.join(sorted(_KEYS))})", where=WHERE)
        sender = str(raw.get("sender") or "")
        if "@" not in sender:
            raise ConfigurationError("sender must be an e-mail address (the From of every "
                                     "mail)", where=f"{WHERE}.sender")
        fallback = optional(raw, "fallback_recipient")
        if fallback is not None and not _EMAIL.match(fallback):
            raise ConfigurationError("must be an e-mail address",
                                     where=f"{WHERE}.fallback_recipient")
        return cls(
            sender=sender, host=str(raw.get("host") or "127.0.0.1"),
            port=port_number(raw.get("port", 25), f"{WHERE}.port"),
            timeout=seconds(raw.get("timeout", 10.0), f"{WHERE}.timeout"),
            starttls=flag(raw.get("starttls", False), f"{WHERE}.starttls"),
            ca_file=Path(raw["ca_file"]) if raw.get("ca_file") else None,
            username=optional(raw, "username"), password=optional(raw, "password"),
            state_dir=Path(raw["state_dir"]) if raw.get("state_dir") else STATE_DIR,
            default=CompanyChoice(True, _statuses(raw.get("statuses"), f"{WHERE}.statuses")),
            companies=_companies(raw.get("companies") or {}), fallback_recipient=fallback)

    def choice_for(self, *keys: str | None) -> CompanyChoice:
        """The installer company's choice, looked up by organisation number, then name."""
        for key in keys:
            if key and key in self.companies:
                return self.companies[key]
        return self.default



def _companies(raw: Any) -> dict[str, CompanyChoice]:
    if not isinstance(raw, dict):
        raise ConfigurationError("must map organisation number or name to {enabled, "
                                 "statuses}", where=f"{WHERE}.companies")
    out = {}
    for key, spec in raw.items():
        where = f"{WHERE}.companies.{key}"
        if not isinstance(spec, dict) or set(spec) - {"enabled", "statuses"}:
            raise ConfigurationError("must be {enabled: true|false, statuses: [...]}",
                                     where=where)
        out[str(key)] = CompanyChoice(flag(spec.get("enabled", True), f"{where}.enabled"),
                                      _statuses(spec.get("statuses"), f"{where}.statuses"))
    return out


def _statuses(raw: Any, where: str) -> frozenset[CaseStatus]:
    if raw is None:
        return frozenset(MAILED)
    if not isinstance(raw, list):
        raise ConfigurationError("must be a list of statuses", where=where)
    names = [str(s) for s in raw]
    wrong = [n for n in names if n not in {s.value for s in MAILED}]
    if wrong:
        raise ConfigurationError(f"{', '.join(wrong)} cannot be mailed (choose from "
                                 f"{', '.join(s.value for s in MAILED)})", where=where)
    return frozenset(CaseStatus(n) for n in names)
