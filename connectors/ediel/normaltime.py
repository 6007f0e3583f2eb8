"""Swedish normal time: UTC+01:00 all year, as metered values are registered (EIFS 2016:2,
1 ch. 2 §) and as every time inside an Ediel message is written. Never Europe/Stockholm: a
metered day is always 24 hours, 96 quarter-hours, with no 23- or 25-hour days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

NORMAL = timezone(timedelta(hours=1), "UTC+01:00")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), NORMAL)


def stamp(moment: datetime) -> str:
    """CCYYMMDDHHMM (format 203) in normal time."""
    return f"{moment.astimezone(NORMAL):%Y%m%d%H%M}"


def parse(value: str, where: str) -> datetime:
    """A format-203 stamp (normal time) as an aware datetime; ValueError naming ``where``."""
    try:
        return datetime.strptime(value, "%Y%m%d%H%M").replace(tzinfo=NORMAL)
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not CCYYMMDDHHMM") from None


def wall_clock(moment: datetime) -> datetime:
    """Local Swedish wall-clock time (with DST), naive: what UNB S004 carries in the portal's
    own samples (§1.5). Informational only; never a business time."""
    return moment.astimezone(ZoneInfo("Europe/Stockholm")).replace(tzinfo=None)
