"""Durations: numbers are seconds; strings take ms, s, m, h, d."""

from __future__ import annotations

import pytest

from hub.routes.durations import parse_duration


@pytest.mark.parametrize(("value", "seconds"), [
    (0, 0.0), (2, 2.0), (1.5, 1.5), ("500ms", 0.5), ("30s", 30.0), ("5m", 300.0),
    ("2h", 7200.0), ("3d", 259200.0), ("0.5s", 0.5), (" 10s ", 10.0),
])
def test_accepted_durations(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "10", "10x", "s", "5 minutes", "1h30m", True, None,
                                   [1], -1, "-5s"])
def test_refused_durations_say_what_is_accepted(value):
    with pytest.raises(ValueError, match="bad duration"):
        parse_duration(value)
