"""``gridhub db`` on a store made by gridhub 0.1.0: the hub refuses it naming the command,
``db upgrade`` adopts it, ``db current`` tells a deploy script whether to run it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.app import build
from hub.cli import main
from hub.config import Settings
from hub.errors import ConfigurationError
from hub.store import schema
from tests.hub.store.test_migrations import load_release_store
from tests.support.shipped import SHIPPED_SECRETS

HEAD = schema.head()


def gridhub(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"GRIDHUB_STORE_URL": url})
    return result.exit_code, result.output


def test_a_release_store_is_refused_by_run_and_adopted_by_db_upgrade(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    load_release_store(url)

    code, out = gridhub(url, "db", "current")
    assert code == 1
    assert f"revision (none) (unversioned); this gridhub needs {HEAD}" in out
    assert "run `gridhub db upgrade`" in out

    # The hub does not start: a ConfigurationError, which `gridhub run` exits 3 with. (Built
    # directly: `gridhub run` would configure logging for the whole test session.)
    for name, value in SHIPPED_SECRETS.items():  # the shipped routes.yaml's secrets
        monkeypatch.setenv(name, value)
    settings = Settings(store_url=url, broker_url=f"embedded://{tmp_path / 'broker.db'}")
    with pytest.raises(ConfigurationError, match=r"made by gridhub 0\.1\.0.*`gridhub db upgrade`"):
        build(settings)

    code, out = gridhub(url, "db", "upgrade")
    assert (code, out.strip()) == (
        0, f"store {url}: made by gridhub 0.1.0: tables checked and adopted, now at revision "
           f"{HEAD}")
    assert gridhub(url, "db", "current") == (
        0, f"store {url}: revision {HEAD} (current); this gridhub needs {HEAD}\n")
    assert gridhub(url, "db", "upgrade")[1].endswith(f"already at revision {HEAD}, nothing to do\n")


def test_db_history_and_help(tmp_path: Path) -> None:
    code, out = gridhub(f"sqlite:///{tmp_path / 'g.db'}", "db", "history")
    assert code == 0 and out.splitlines()[:2] == [
        "0001  (base)  Baseline: the schema of gridhub 0.1.0, the last release made with "
        "``create_all``.",
        "0002  after 0001  Retention: cases.erased_at and dead_letter.settled_at."]
    code, out = gridhub("sqlite://", "db", "--help")
    assert code == 0 and all(c in out for c in ("upgrade", "current", "history", "revision"))


def test_purge_dry_run_counts_then_purge_removes_and_audits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    load_release_store(url)
    assert gridhub(url, "db", "upgrade")[0] == 0
    code, out = gridhub(url, "purge", "--dry-run")
    counts = [line.split()[0] for line in out.splitlines()[:4]]
    assert code == 0 and counts == ["3", "10", "2", "0"]  # 3 closed cases, 10 trace, 2 settled
    assert "personal data of archived and cancelled cases" in out
    assert out.endswith("dry run: nothing changed\n")
    assert gridhub(url, "purge", "--dry-run")[1] == out  # really nothing

    code, out = gridhub(url, "purge", "--reason", "first run after the upgrade")
    assert code == 0 and [line.split() for line in out.splitlines()[:4]] == [
        ["3", "cases"], ["10", "trace"], ["2", "dead_letters"], ["0", "audit"]]
    code, out = gridhub(url, "purge", "--dry-run")
    assert [line.split()[0] for line in out.splitlines()[:4]] == ["0", "0", "0", "0"]
