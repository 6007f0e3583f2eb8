"""notify settings: company choices, statuses, addresses, durations."""

from __future__ import annotations

import pytest

from connectors.notify.settings import NotifySettings
from hub.errors import ConfigurationError
from schemas.codes import CaseStatus

BASE = {"sender": "noreply@helsingborgsnat.se"}


def test_defaults_mail_every_mailed_status():
    settings = NotifySettings.parse(BASE)
    assert settings.statuses == {CaseStatus.approved, CaseStatus.pre_rejected,
                                         CaseStatus.completion_rejected, CaseStatus.cancelled}
    assert (settings.port, settings.timeout, settings.starttls) == (25, 10.0, False)


@pytest.mark.parametrize(("raw", "where", "match"), [
    ({}, "sender", "e-mail address"),
    ({**BASE, "statuses": ["archived"]}, "statuses", "cannot be mailed"),
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
