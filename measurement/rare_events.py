"""The series the SPC engine charts from rare events (pure functions, no database).

* t chart: the days between consecutive events (``days_between``); the first event
  starts the clock and gives no point. Events on the same day give 0 days.
* g chart: the opportunities (procedures, patient-days...) counted between events, as
  recorded with each event (``cases_between``); an event recorded without a count
  gives no point, so the chart never invents one.

Each point keeps the date of the event that closes its interval, which labels the
point on the chart and in its table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class EventRow:
    """What the derivations need of an event: its date and recorded opportunities."""

    occurred_on: dt.date
    opportunities: Decimal | float | None = None


@dataclass(frozen=True)
class Interval:
    """One plotted value: the interval that ends with the event of ``ended_on``."""

    ended_on: dt.date
    value: float


def days_between(events: Iterable[EventRow]) -> list[Interval]:
    """Days from each event to the next, in date order (t chart)."""
    dates = sorted(e.occurred_on for e in events)
    return [
        Interval(later, float((later - earlier).days))
        for earlier, later in zip(dates, dates[1:], strict=False)
    ]


def cases_between(events: Iterable[EventRow]) -> list[Interval]:
    """The opportunities recorded with each event, in date order (g chart)."""
    ordered = sorted(events, key=lambda e: e.occurred_on)
    return [
        Interval(e.occurred_on, float(e.opportunities))
        for e in ordered
        if e.opportunities is not None
    ]


def intervals(chart: str, events: Iterable[EventRow]) -> list[Interval]:
    """The series a t or g chart plots."""
    if chart == "g":
        return cases_between(events)
    if chart == "t":
        return days_between(events)
    raise ValueError(f"not an event chart: {chart}")


def counts_by_period(dates: Iterable[dt.date], periods: list[dt.date], align) -> dict[dt.date, int]:
    """Events per period (every listed period, 0 where none happened)."""
    counts = dict.fromkeys(periods, 0)
    for day in dates:
        start = align(day)
        if start in counts:
            counts[start] += 1
    return counts
