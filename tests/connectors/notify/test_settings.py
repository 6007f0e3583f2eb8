"""notify settings: company choices, statuses, addresses, durations."""

from __future__ import annotations

import pytest

from connectors.notify.settings import NotifySettings
from hub.errors import ConfigurationError
from schemas.codes import CaseStatus

BASE = {"sender": "noreply@helsingborgsnat.se"}


def test_defaults_mail_every_mailed_status():
    settings = NotifySettings.parse(BASE)
    assert settings.default.statuses == {CaseStatus.approved, CaseStatus.pre_rejected,
                                         CaseStatus.completion_rejected, CaseStatus.cancelled}
    assert (settings.port, settings.timeout, settings.starttls) == (25, 10.0, False)


def test_company_choice_by_number_then_name_then_default():
    settings = NotifySettings.parse({**BASE, "companies": {
        "556000-1234": {"statuses": ["approved"]}, "Elisør Elektro AS": {"enabled": "no"}}})
    assert settings.choice_for("556000-1234", "X").statuses == {CaseStatus.approved}
    assert settings.choice_for(None, "Elisør Elektro AS").enabled is False
    assert settings.choice_for("1", "Y") == settings.default


@pytest.mark.parametrize(("raw", "where", "match"), [
    ({}, "sender", "e-mail address"),
    ({**BASE, "statuses": ["archived"]}, "statuses", "cannot be mailed"),
    ({**BASE, "companies": {"X": {"statuses": ["approved"], "lang": "sv"}}}, "companies.X",
     "enabled"),
    ({**BASE, "timeout": "forever"}, "timeout", "duration"),
    ({**BASE, "port": 0}, "port", "port number"),
    ({**BASE, "starttls": "maybe"}, "starttls", "true or false"),
    ({**BASE, "fallback_recipient": "nobody"}, "fallback_recipient", "e-mail"),
    ({**BASE, "smtp_host": "x"}, "", "unknown setting"),
])
def test_errors_name_the_key(raw, where, match):
    with pytest.raises(ConfigurationError, match=match) as info:
        NotifySettings.parse(raw)
    assert info.value.where == "connectors.notify.settings" + (f".{where}" if where else "")
