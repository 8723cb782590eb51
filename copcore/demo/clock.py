"""The demo's calendar: every date is counted from the day the seed runs, so the demo
never ages (the data end last month, sessions are next week, items are due)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def last_month() -> dt.date:
    """The first day of the previous month: the latest complete monthly period."""
    return add_months(today(), -1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Monthly periods from ``first`` to ``last`` inclusive (both firsts of months)."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def days_ahead(days: int) -> dt.date:
    return today() + dt.timedelta(days=days)


def moment(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware instant on ``day`` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def backdate(queryset, **fields) -> None:
    """Move the timestamps (and the convener's first term) of rows the services wrote
    "now" into the story's past.

    The services stamp what they create with the present; a story that began a year
    ago needs its charter, threads and notes dated then. Only these dates are changed,
    with a plain UPDATE, after the service has done its checks and audit."""
    queryset.update(**fields)
