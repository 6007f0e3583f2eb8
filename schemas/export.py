"""JSON Schema export of the canonical model: the files published in ``schemas/json/``.

``generate()`` is the single source; ``write(dir)`` puts it on disk and ``stale(dir)`` says
which files on disk differ from it (the CLI: ``gridhub schemas export [--check]``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas.case import Case
from schemas.envelope import SCHEMA_VERSION, Envelope
from schemas.payloads import PAYLOAD_MODELS

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SUFFIX = ".schema.json"
REGENERATE = "gridhub schemas export"


def _schema(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": DIALECT,
        "$comment": f"Generated from the pydantic models; regenerate with `{REGENERATE}`.",
        "x-gridhub-schema-version": SCHEMA_VERSION,
        **schema,
        "title": title,
        "description": description,
    }


def generate() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema for the envelope, the case and every message type's payload."""
    files = {
        f"envelope{SUFFIX}": _schema(Envelope, "Envelope", "A canonical gridhub message."),
        f"case{SUFFIX}": _schema(Case, "Case", "An installer's notification (anmälan)."),
    }
    for type_, model in sorted(PAYLOAD_MODELS.items()):
        files[f"payload.{type_}{SUFFIX}"] = _schema(
            model,
            f"{type_} payload",
            f"Envelope.payload of a `{type_}` message ({model.__name__}).",
        )
    return files


def render(schema: dict[str, Any]) -> str:
    """The exact text a schema file holds (stable key order, UTF-8, final newline)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path | str) -> list[str]:
    """Write every generated schema to ``directory`` and delete generated-looking files that
    are no longer generated. Returns the names written."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    files = generate()
    for name, schema in files.items():
        (out / name).write_text(render(schema), encoding="utf-8")
    for old in out.glob(f"*{SUFFIX}"):
        if old.name not in files:
            old.unlink()
    return sorted(files)


def stale(directory: Path | str) -> list[str]:
    """Names of schema files in ``directory`` that are missing, differ from ``generate()``, or
    are no longer generated. Empty when the directory is up to date."""
    out = Path(directory)
    files = generate()
    result = [
        name
        for name, schema in files.items()
        if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != render(schema)
    ]
    result += [old.name for old in out.glob(f"*{SUFFIX}") if old.name not in files]
    return sorted(result)
