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
    statuses            statuses mailed by default: approved, pre_rejected, completion_rejected,
                        cancelled
    companies           per installer company (organisation number or name):
                        {enabled: true|false, statuses: [...]}: Elsmart's "Sändning aktiverad"
                        and "välj vilka status som ska generera ett meddelande"
    fallback_recipient  where to mail when no installer contact is known (default: dead letter)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from hub.toolkit import (
    ConnectorSettings,
    Flag,
    OptionalPath,
    OptionalText,
    Port,
    Seconds,
    Secret,
    Text,
)
from schemas.codes import CaseStatus

WHERE = "connectors.notify.settings"
MAILED = (CaseStatus.approved, CaseStatus.pre_rejected, CaseStatus.completion_rejected,
          CaseStatus.cancelled)
STATE_DIR = Path("var/notify")  # relative to the working directory, as var/gridhub.db
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _statuses(raw: Any) -> frozenset[CaseStatus]:
    if raw is None:
        return frozenset(MAILED)
    if isinstance(raw, frozenset):  # already read (the default choice is built from it)
        raw = sorted(raw)
    if not isinstance(raw, list):
        raise ValueError("must be a list of statuses")
    names = [str(s) for s in raw]
    wrong = [n for n in names if n not in {s.value for s in MAILED}]
    if wrong:
        raise ValueError(f"{', '.join(wrong)} cannot be mailed (choose from "
                         f"{', '.join(s.value for s in MAILED)})")
    return frozenset(CaseStatus(n) for n in names)


Statuses = Annotated[frozenset[CaseStatus], BeforeValidator(_statuses)]


class CompanyChoice(BaseModel):
    """Elsmart's "Sändning aktiverad" and its choice of statuses, per installer company."""

    model_config = ConfigDict(frozen=True)
    enabled: Flag = True
    statuses: Statuses = frozenset(MAILED)

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or set(raw) - {"enabled", "statuses"}:
            raise ValueError("must be {enabled: true|false, statuses: [...]}")
        return raw


class NotifySettings(ConnectorSettings):
    WHERE: ClassVar[str] = WHERE

    sender: Text = Field("", validate_default=True)
    host: Text = "127.0.0.1"
    port: Port = 25
    timeout: Seconds = 10.0
    starttls: Flag = False
    ca_file: OptionalPath = None
    username: OptionalText = None
    password: OptionalText = Secret
    state_dir: OptionalPath = STATE_DIR  # durable by default: the contact book survives a restart
    statuses: Statuses = frozenset(MAILED)
    companies: dict[Text, CompanyChoice] = Field(default_factory=dict)
    fallback_recipient: OptionalText = None

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("sender must be an e-mail address (the From of every mail)")
        return value

    @field_validator("fallback_recipient")
    @classmethod
    def _fallback(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("must be an e-mail address")
        return value

    @field_validator("companies", mode="before")
    @classmethod
    def _companies(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("must map organisation number or name to {enabled, statuses}")
        return value

    @property
    def default(self) -> CompanyChoice:
        """The choice for a company the settings do not name."""
        return CompanyChoice(enabled=True, statuses=self.statuses)

    def choice_for(self, *keys: str | None) -> CompanyChoice:
        """The installer company's choice, looked up by organisation number, then name."""
        for key in keys:
            if key and key in self.companies:
                return self.companies[key]
        return self.default
