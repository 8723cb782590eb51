"""The recurrence builder: a convener's choices ("every week on Monday and Wednesday",
"every month on the last Friday", "ends after 6 sessions") written as the RFC 5545
RRULE the series stores, and the first dates a rule gives, for the form's preview.

Conveners think in these choices, not in RRULE syntax; the raw rule stays available as
an advanced option for what the choices do not cover (``sessions.recurrence`` reads both).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions import recurrence

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PREVIEW_COUNT = 5


class Repeat(models.TextChoices):
    WEEKLY = "weekly", _("Every week, on chosen days")
    MONTHLY = "monthly", _("Every month")


class MonthlyBy(models.TextChoices):
    WEEKDAY = "weekday", _("On a weekday of the month (for example the first Tuesday)")
    DAY = "day", _("On a day of the month (for example the 15th)")


class Ends(models.TextChoices):
    NEVER = "never", _("No end date (sessions are scheduled six months ahead)")
    AFTER = "after", _("After a number of sessions")
    ON = "on", _("On a date")


class Weekday(models.TextChoices):
    MONDAY = "MO", _("Monday")
    TUESDAY = "TU", _("Tuesday")
    WEDNESDAY = "WE", _("Wednesday")
    THURSDAY = "TH", _("Thursday")
    FRIDAY = "FR", _("Friday")
    SATURDAY = "SA", _("Saturday")
    SUNDAY = "SU", _("Sunday")


class WeekOfMonth(models.TextChoices):
    FIRST = "1", _("First")
    SECOND = "2", _("Second")
    THIRD = "3", _("Third")
    FOURTH = "4", _("Fourth")
    LAST = "-1", _("Last")


@dataclass(frozen=True)
class Choices:
    """What the convener chose on the form. ``interval`` is "every N weeks/months"."""

    repeat: str
    interval: int = 1
    weekdays: tuple[str, ...] = ()
    monthly_by: str = MonthlyBy.WEEKDAY
    week_of_month: str = WeekOfMonth.FIRST
    month_weekday: str = Weekday.TUESDAY
    month_day: int | None = None
    ends: str = Ends.NEVER
    count: int | None = None
    until: dt.date | None = None


class BuilderError(ValueError):
    """A choice that cannot make a rule; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def rule_text(choices: Choices, *, first_date: dt.date) -> str:
    """The RRULE for the choices (no ``RRULE:`` prefix), or BuilderError naming the field.
    An end date is written as a local UNTIL at the end of that day, so the last session
    on that date is included whatever the series' time zone."""
    parts: list[str]
    if choices.repeat == Repeat.WEEKLY:
        days = [code for code in WEEKDAY_CODES if code in choices.weekdays]
        if not days:
            raise BuilderError("weekdays", str(_("Choose at least one day of the week.")))
        parts = ["FREQ=WEEKLY", f"BYDAY={','.join(days)}"]
    elif choices.repeat == Repeat.MONTHLY:
        if choices.monthly_by == MonthlyBy.DAY:
            if choices.month_day is None:
                raise BuilderError("month_day", str(_("Give the day of the month (1 to 31).")))
            parts = ["FREQ=MONTHLY", f"BYMONTHDAY={choices.month_day}"]
        else:
            parts = ["FREQ=MONTHLY", f"BYDAY={choices.week_of_month}{choices.month_weekday}"]
    else:
        raise BuilderError("repeat", str(_("Choose how often the sessions repeat.")))
    if choices.interval > 1:
        parts.insert(1, f"INTERVAL={choices.interval}")
    if choices.ends == Ends.AFTER:
        if not choices.count:
            raise BuilderError("count", str(_("Give the number of sessions.")))
        parts.append(f"COUNT={choices.count}")
    elif choices.ends == Ends.ON:
        if choices.until is None:
            raise BuilderError("until", str(_("Give the date of the last session.")))
        if choices.until < first_date:
            raise BuilderError(
                "until", str(_("The end date is before the date of the first session."))
            )
        parts.append(f"UNTIL={choices.until:%Y%m%d}T235959")
    return ";".join(parts)


def preview(
    *,
    rule: str,
    time_zone: str,
    first_date: dt.date,
    start_time: dt.time,
    today: dt.date,
    count: int = PREVIEW_COUNT,
) -> list[dt.datetime]:
    """The next ``count`` sessions the rule gives from ``today`` (or the first date, if
    later), as aware datetimes in the series' time zone. Raises ValidationError for a
    rule that cannot be read (``recurrence.build_rule``'s human message)."""
    tz = recurrence.time_zone_or_error(time_zone)
    start = dt.datetime.combine(max(first_date, today), dt.time.min).replace(tzinfo=tz)
    # Occurrences are generated up to a horizon long enough for five yearly meetings.
    until = dt.datetime.combine(max(first_date, today), dt.time.max).replace(tzinfo=tz)
    until = until + dt.timedelta(days=366 * 6)
    found: list[dt.datetime] = []
    for occurrence in recurrence.occurrences(
        rule_text=rule,
        time_zone=time_zone,
        first_date=first_date,
        start_time=start_time,
        until=until,
    ):
        local = occurrence.starts_at.astimezone(tz)
        if local >= start:
            found.append(local)
        if len(found) >= count:
            break
    return found
