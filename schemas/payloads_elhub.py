"""The payload of every Elhub document kind kept whole (connectors/elhub/structure.py).

The connector reads and writes these against the kind's structure and XSD; the model here
checks the frame every kind shares. ``payload`` for kinds with one payload element,
``payloads`` for kinds that repeat it.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from schemas.case import CanonicalModel


class DocumentHeader(CanonicalModel):
    id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    document_type: dict[str, str]
    creation: str
    request_positive_acknowledgement: str | None = None
    physical_sender: str
    juridical_sender: str
    juridical_recipient: str


class ProcessContext(CanonicalModel):
    process: str
    energy_business_process_role: dict[str, str]
    industry: str


class KindsDocument(CanonicalModel):
    """One EMIF business document: header, process context and its payload(s)."""

    header: DocumentHeader
    context: ProcessContext
    payload: dict[str, Any] | None = None
    payloads: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _one_body(self) -> KindsDocument:
        if (self.payload is None) == (self.payloads is None):
            raise ValueError("needs either payload or payloads")
        return self
