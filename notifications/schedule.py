"""When each person's digest is due, in their own time zone.

A digest belongs to a *period* (the ISO week, or the day for a daily digest) in the
person's local time and is scheduled at their chosen day and hour inside it. The
hourly tick picks everyone whose scheduled time in the current period has passed and
who has no delivery record for that period yet, so a tick missed while beat was down
is caught up by the next one, and the record keeps it to one email per period.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from notifications.models import Frequency, NotificationPreference

DEFAULTS = NotificationPreference()  # unsaved: the defaults for people without a row


@lru_cache(maxsize=1024)
def zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


@dataclass(frozen=True)
class DigestPeriod:
    key: str
    scheduled: dt.datetime  # aware, in the person's zone
    since: dt.datetime  # start of the window the digest reports on (aware)


def digest_period(
    *, now: dt.datetime, time_zone: str, frequency: str, weekday: int, hour: int
) -> DigestPeriod:
    local = now.astimezone(zone(time_zone))
    if frequency == Frequency.DAILY:
        day = local.date()
        scheduled = dt.datetime.combine(day, dt.time(hour), tzinfo=local.tzinfo)
        return DigestPeriod(day.isoformat(), scheduled, scheduled - dt.timedelta(days=1))
    monday = local.date() - dt.timedelta(days=local.weekday())
    day = monday + dt.timedelta(days=weekday)
    scheduled = dt.datetime.combine(day, dt.time(hour), tzinfo=local.tzinfo)
    year, week, _ = monday.isocalendar()
    return DigestPeriod(f"{year}-W{week:02d}", scheduled, scheduled - dt.timedelta(days=7))


def period_for(user, preference: NotificationPreference | None, now: dt.datetime) -> DigestPeriod:
    pref = preference or DEFAULTS
    return digest_period(
        now=now,
        time_zone=user.time_zone,
        frequency=pref.frequency,
        weekday=pref.weekday,
        hour=pref.hour,
    )


def local_send_time_passed(*, now: dt.datetime, time_zone: str, hour: int) -> tuple[bool, dt.date]:
    """For daily reminders: whether the person's hour has come today, and their date."""
    local = now.astimezone(zone(time_zone))
    return local.hour >= hour, local.date()
