"""Every setting is documented: in the sample deploy/gridhub.toml (which loads, at the
defaults it claims) and in the README's configuration table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.config import Settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "deploy" / "gridhub.toml"
_KEY = re.compile(r"^#?\s*([a-z_]+)\s*=", re.MULTILINE)


def _sample_keys(active_only: bool = False) -> set[str]:
    text = SAMPLE.read_text(encoding="utf-8")
    if active_only:
        return set(re.findall(r"^([a-z_]+)\s*=", text, re.MULTILINE))
    return set(_KEY.findall(text))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("GRIDHUB_"):
            monkeypatch.delenv(name)


def test_the_sample_names_every_setting_and_nothing_else() -> None:
    assert _sample_keys() == set(Settings.model_fields)


def test_the_sample_loads_and_its_values_are_the_defaults(clean_env: None) -> None:
    loaded = Settings.load(SAMPLE)
    defaults = Settings()
    active = _sample_keys(active_only=True)
    assert {"broker_url", "store_url", "roles", "log_json"} <= active
    for key in active:
        assert getattr(loaded, key) == getattr(defaults, key), key


def test_a_changed_value_in_the_sample_is_read(clean_env: None, tmp_path: Path) -> None:
    edited = tmp_path / "gridhub.toml"
    edited.write_text(SAMPLE.read_text(encoding="utf-8")
                      .replace('log_level = "INFO"', 'log_level = "DEBUG"')
                      .replace('# web_listen = "0.0.0.0:8080"', 'web_listen = "0.0.0.0:8080"'),
                      encoding="utf-8")
    loaded = Settings.load(edited)
    assert (loaded.log_level, loaded.web_listen) == ("DEBUG", "0.0.0.0:8080")


def test_the_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Configuration")
    table = readme[start:readme.index("\n## ", start)]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    missing = set(Settings.model_fields) - documented
    assert not missing, f"settings missing from the README's configuration table: {missing}"


def test_a_short_web_secret_is_refused_without_echoing_it(clean_env: None) -> None:
    with pytest.raises(ValueError, match="at least 32 characters") as info:
        Settings(web_secret="tooshort-but-secret")
    assert "tooshort-but-secret" not in str(info.value)
