"""The published JSON Schemas: complete, deterministic, and committed up to date."""

import json
from pathlib import Path

import schemas
from schemas.export import REGENERATE, generate, render, stale, write
from schemas.message_types import MessageType

COMMITTED = Path(schemas.__file__).parent / "json"


def test_committed_schemas_are_up_to_date():
    outdated = stale(COMMITTED)
    assert not outdated, (
        f"stale JSON Schema file(s) in schemas/json: {', '.join(outdated)}; "
        f"regenerate with `{REGENERATE}`"
    )


def test_one_file_per_message_type_plus_envelope_and_case():
    names = set(generate())
    assert {"envelope.schema.json", "case.schema.json"} <= names
    assert {f"payload.{t}.schema.json" for t in MessageType} <= names
    assert len(names) == len(MessageType) + 2


def test_generation_is_deterministic():
    assert {k: render(v) for k, v in generate().items()} == {
        k: render(v) for k, v in generate().items()}


def test_case_schema_forbids_unknown_fields_and_types_identifiers():
    case = generate()["case.schema.json"]
    assert case["additionalProperties"] is False
    assert case["$schema"].endswith("2020-12/schema")
    text = json.dumps(case)
    assert r"^\\d{18}$" in text  # GSRN pattern


def test_write_then_stale_detects_each_kind_of_drift(tmp_path):
    written = write(tmp_path)
    assert stale(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == written
    changed = tmp_path / "case.schema.json"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Facility", "Anlaggning"),
                       encoding="utf-8")
    (tmp_path / "envelope.schema.json").unlink()
    (tmp_path / "payload.case.lost.schema.json").write_text("{}\n", encoding="utf-8")
    assert stale(tmp_path) == ["case.schema.json", "envelope.schema.json",
                               "payload.case.lost.schema.json"]
    write(tmp_path)
    assert stale(tmp_path) == []
    assert not (tmp_path / "payload.case.lost.schema.json").exists()
