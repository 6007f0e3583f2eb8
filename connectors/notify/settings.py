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
    statuses            statuses mailed to a company whose portal data carries no e-mail choice
                        (default: approved, pre_rejected, completion_rejected, cancelled). The
                        choice itself ("Sändning aktiverad", "välj vilka status som ska generera
                        ett meddelande", seed 000 §11/§15) is the company's, in the portal: it
                        comes with every case (installer_company.mail), not from here
    fallback_recipient  where to mail when no installer contact is known (default: dead letter)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
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
