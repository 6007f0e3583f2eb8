"""The installer responsible for each case, as the case messages named them.

Status messages (approved, rejected) carry no addressee; the case messages (submitted,
resubmitted, completion submitted) do. notify records the responsible installer from those and
looks it up when a status is to be mailed. The book is a small SQLite file in ``state_dir``
(shared by every notify worker on the host), so it survives a restart; a dict in this process
(``path`` None) is for tests of the book alone.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from schemas.case import Case


@dataclass(frozen=True)
class Contact:
    case_id: str
    reference: str
    installer: str
    email: str | None
    language: str
    company: str
    company_number: str | None
    grid_owner: str
    # The company's own choice from the portal's company data (None: the portal sent none,
    # the settings' default applies). A row written before this field reads back as None.
    mail_statuses: list[str] | None = None

    @classmethod
    def from_case(cls, case: Case) -> Contact:
        company = case.installer_company
        number = company.organisation_number.reveal() if company.organisation_number else None
        chosen = None if company.mail is None else sorted(str(s) for s in company.mail.statuses)
        return cls(case_id=case.case_id, reference=case.reference,
                   installer=case.installer.name,
                   email=case.installer.email or company.email,
                   language=str(case.installer.language), company=company.name,
                   company_number=number, grid_owner=case.grid_owner.name,
                   mail_statuses=chosen)


class ContactBook:
    """``put(contact)`` / ``get(case_id)``; thread-safe; SQLite when ``path`` is given."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._memory: dict[str, Contact] = {}
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("CREATE TABLE IF NOT EXISTS contact (case_id TEXT PRIMARY KEY, "
                           "data TEXT NOT NULL)")

    def put(self, contact: Contact) -> None:
        if self.path is None:
            with self._lock:
                self._memory[contact.case_id] = contact
            return
        with self._connect() as db:
            db.execute("INSERT INTO contact (case_id, data) VALUES (?, ?) ON CONFLICT(case_id)"
                       " DO UPDATE SET data = excluded.data",
                       (contact.case_id, json.dumps(asdict(contact), ensure_ascii=False)))

    def get(self, case_id: str) -> Contact | None:
        if self.path is None:
            with self._lock:
                return self._memory.get(case_id)
        with self._connect() as db:
            row = db.execute("SELECT data FROM contact WHERE case_id = ?", (case_id,)).fetchone()
        return Contact(**json.loads(row[0])) if row else None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        assert self.path is not None
        db = sqlite3.connect(self.path, timeout=10)  # one per call: callers are threads
        try:
            with db:  # commits, or rolls back on error
                yield db
        finally:
            db.close()
