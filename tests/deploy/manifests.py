"""Reading the shipped deployment files, for the structural tests of tests/deploy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"


def kubernetes_documents() -> list[tuple[str, dict[str, Any]]]:
    """(file name, document) of every manifest kustomization.yaml lists."""
    listed = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))
    found = []
    for name in listed["resources"]:
        text = (KUBERNETES / name).read_text(encoding="utf-8")
        found += [(name, doc) for doc in yaml.safe_load_all(text) if doc]
    return found


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in kubernetes_documents() if doc["kind"] == kind]
