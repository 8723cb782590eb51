"""Print the awkward instants .ci/run moves the test clock to, one ISO time per line.

Computed from today, so the list never ages: half an hour before the next year end (UTC),
07:30 UTC on the next 29 February, and half an hour before each of the next daylight
saving changes in Europe (Europe/Madrid) and the Americas (America/New_York). Digest and
reminder hours are local, so these are the instants where a wrong day or hour shows.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

HALF_HOUR = dt.timedelta(minutes=30)


def next_year_end(now: dt.datetime) -> dt.datetime:
    return dt.datetime(now.year + 1, 1, 1, tzinfo=dt.UTC) - HALF_HOUR


def next_leap_day(now: dt.datetime) -> dt.datetime:
    year = now.year
    while True:
        try:
            moment = dt.datetime(year, 2, 29, 7, 30, tzinfo=dt.UTC)
        except ValueError:
            year += 1
            continue
        if moment > now:
            return moment
        year += 1


def next_offset_changes(now: dt.datetime, zone_name: str, count: int = 2) -> list[dt.datetime]:
    """The next ``count`` instants where the zone's UTC offset changes (hour resolution)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    changes: list[dt.datetime] = []
    moment = now.replace(minute=0, second=0, microsecond=0)
    offset = moment.astimezone(zone).utcoffset()
    for _hour in range(24 * 400):
        moment += dt.timedelta(hours=1)
        current = moment.astimezone(zone).utcoffset()
        if current != offset:
            changes.append(moment)
            offset = current
            if len(changes) == count:
                break
    return changes


def instants(now: dt.datetime) -> list[dt.datetime]:
    found = [next_year_end(now), next_leap_day(now)]
    for zone_name in ("Europe/Madrid", "America/New_York"):
        found += [change - HALF_HOUR for change in next_offset_changes(now, zone_name)]
    return sorted(found)


if __name__ == "__main__":
    for moment in instants(dt.datetime.now(dt.UTC)):
        print(moment.isoformat())
