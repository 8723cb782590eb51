"""Periods aligned to a measure's frequency.

A period is stored as its first day: monthly on the 1st, weekly on the Monday,
quarterly on the first day of the quarter (1 January, 1 April, 1 July, 1 October).
Pure functions, no Django, so imports, the grid, the API and the charts agree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

WEEKLY = "weekly"
MONTHLY = "monthly"
QUARTERLY = "quarterly"

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?[Qq]([1-4])$")


def align(frequency: str, day: dt.date) -> dt.date:
    """The first day of the period of ``frequency`` that contains ``day``."""
    if frequency == WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    if frequency == MONTHLY:
        return day.replace(day=1)
    if frequency == QUARTERLY:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"unknown frequency {frequency!r}")


def next_period(frequency: str, start: dt.date) -> dt.date:
    if frequency == WEEKLY:
        return start + dt.timedelta(days=7)
    months = 1 if frequency == MONTHLY else 3
    month_index = start.year * 12 + start.month - 1 + months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def previous_period(frequency: str, start: dt.date) -> dt.date:
    if frequency == WEEKLY:
        return start - dt.timedelta(days=7)
    months = 1 if frequency == MONTHLY else 3
    month_index = start.year * 12 + start.month - 1 - months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def periods_between(frequency: str, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every aligned period from the one containing ``first`` to the one containing ``last``."""
    current = align(frequency, first)
    end = align(frequency, last)
    while current <= end:
        yield current
        current = next_period(frequency, current)


def last_complete_period(frequency: str, today: dt.date) -> dt.date:
    """The most recent period that has ended by ``today`` (data for it is due)."""
    return previous_period(frequency, align(frequency, today))


def parse_period(text: str) -> dt.date:
    """Read a period as written in files: ``YYYY-MM-DD`` (also ``YYYY-MM-DDThh:mm...``
    from spreadsheets), ``YYYY-MM`` (the 1st of the month) or ``YYYY-Qn`` (the first day
    of the quarter). Raises ValueError for anything else."""
    text = text.strip()
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return dt.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    match = _MONTH_RE.match(text)
    if match:
        return dt.date(int(match[1]), int(match[2]), 1)
    match = _QUARTER_RE.match(text)
    if match:
        return dt.date(int(match[1]), 3 * (int(match[2]) - 1) + 1, 1)
    raise ValueError(text)


def period_label(frequency: str, start: dt.date) -> str:
    """A short, language-neutral label: 2024-03, 2024-W09, 2024-Q1."""
    if frequency == WEEKLY:
        year, week, _weekday = start.isocalendar()
        return f"{year}-W{week:02d}"
    if frequency == QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"
