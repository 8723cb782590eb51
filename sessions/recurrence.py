"""Occurrences of a series from its RFC 5545 RRULE, in the series' own time zone.

The rule is applied to local wall-clock times (dateutil keeps the wall clock when it
steps an aware datetime), and each local occurrence is then converted to UTC. So
"first Tuesday, 18:00 Europe/London" is 18:00 in London in both winter (UTC+0) and
summer (UTC+1), i.e. 18:00 UTC in January and 17:00 UTC in July.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The parser's own text ("not enough values to unpack...") means nothing to a convener:
# the page says what a rule looks like instead.
UNREADABLE_RULE = gettext_lazy(
    "The recurrence rule could not be understood. Write it as NAME=VALUE parts separated "
    "by semicolons, for example FREQ=WEEKLY;BYDAY=WE (every Wednesday) or "
    "FREQ=MONTHLY;BYDAY=1TU (the first Tuesday of every month). Or leave it empty and use "
    "the choices above."
)

ALLOWED_FREQUENCIES = {DAILY, WEEKLY, MONTHLY, YEARLY}
MAX_OCCURRENCES_SCANNED = 5000


@dataclass(frozen=True)
class Occurrence:
    index: int  # 0 for the series' first occurrence; stable, used by the rota
    starts_at: dt.datetime  # aware, UTC


def time_zone_or_error(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": _("Unknown time zone: %(tz)s.") % {"tz": name}})


def normalise(text: str) -> str:
    """The rule as stored: trimmed, without an ``RRULE:`` prefix."""
    rule = (text or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[len("RRULE:") :]
    return rule


def build_rule(
    *, rule_text: str, time_zone: str, first_date: dt.date, start_time: dt.time
) -> rrule:
    """Parse the RRULE anchored at the local first occurrence; ValidationError if it
    cannot be parsed or asks for more than one meeting a day."""
    tz = time_zone_or_error(time_zone)
    rule = normalise(rule_text)
    if not rule or "\n" in rule or ":" in rule:
        raise ValidationError(
            {
                "rrule": _(
                    "Give a single recurrence rule such as FREQ=MONTHLY;BYDAY=1TU "
                    "(first Tuesday of every month)."
                )
            }
        )
    dtstart = dt.datetime.combine(first_date, start_time).replace(tzinfo=tz)
    try:
        parsed = rrulestr(rule, dtstart=dtstart)
    except (ValueError, KeyError, TypeError, IndexError) as error:
        if "UNTIL" not in str(error):
            raise ValidationError({"rrule": UNREADABLE_RULE})
        # A local UNTIL (no trailing Z) is accepted too: evaluate on the naive wall clock.
        try:
            parsed = rrulestr(rule, dtstart=dtstart.replace(tzinfo=None))
        except (ValueError, KeyError, TypeError, IndexError):
            raise ValidationError({"rrule": UNREADABLE_RULE})
    if not isinstance(parsed, rrule) or parsed._freq not in ALLOWED_FREQUENCIES:
        raise ValidationError(
            {"rrule": _("Sessions can repeat daily, weekly, monthly or yearly, not more often.")}
        )
    return parsed


def occurrences(
    *,
    rule_text: str,
    time_zone: str,
    first_date: dt.date,
    start_time: dt.time,
    until: dt.datetime,
) -> Iterator[Occurrence]:
    """Every occurrence starting no later than ``until`` (aware), in UTC, numbered from
    the first occurrence of the series."""
    tz = time_zone_or_error(time_zone)
    rule = build_rule(
        rule_text=rule_text, time_zone=time_zone, first_date=first_date, start_time=start_time
    )
    for index, start in enumerate(rule):
        if index >= MAX_OCCURRENCES_SCANNED:
            return
        local = start if start.tzinfo is not None else start.replace(tzinfo=tz)
        # Re-attach the zone so the offset is the one valid on that local date.
        local = local.replace(tzinfo=None).replace(tzinfo=tz)
        starts_at = local.astimezone(dt.UTC)
        if starts_at > until:
            return
        yield Occurrence(index=index, starts_at=starts_at)
