"""Which period cells are written in a DHIS2 form, and what they mean for a measure.

Files, the API and the grid read DHIS2 period identifiers and ADX intervals
(``measurement.dhis2_periods``) besides the dates they always read. A cell in a DHIS2
shape (``202403``, ``2024W12``, ``2024Q1``, ``2024-03-01/P1M``...) is read as DHIS2 and
nothing else: a DHIS2 form that is not a period (``2024W54``) is refused with DHIS2's
reason instead of falling through to the date readings, which would call it "not a
date" or, worse, read ``2024-03-01/P4M`` as the 1st of March. Every other cell is read
as before (``2024-03``, ``2024-Q1``, ``01/03/2024``, ``mar-24``).

A DHIS2 period names its length as well as its start, so a period of another length
than the measure's frequency is refused even when its first day would fit: ``2024Q1``
is not January's figure of a monthly measure. A DHIS2 day (``20240301``) is a date and
is aligned like one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from measurement.dhis2_periods import DAILY, Dhis2Period, PeriodError, parse_dhis2_period
from measurement.periods import align

# Four-digit year then a DHIS2 suffix, or an interval with an ISO 8601 duration.
_SHAPE = re.compile(
    r"^\s*(\d{4}(\d{2}|\d{4}|\d{2}[bB]|[wWqQsS]\d{1,2})?|\d{4}-\d{2}-\d{2}/P\w*)\s*$"
)


FREQUENCIES = ("weekly", "monthly", "quarterly")  # Measure.Frequency, without Django


def is_dhis2_shaped(text: str) -> bool:
    return bool(_SHAPE.match(text))


def read_dhis2(text: str) -> Dhis2Period | None:
    """The DHIS2 period ``text`` names; None when it is not in a DHIS2 shape at all
    (the date readings apply). Raises ``PeriodError`` when it is in a DHIS2 shape but
    not certainly a period."""
    if not is_dhis2_shaped(text):
        return None
    return parse_dhis2_period(text)


def kind_mismatch(period: Dhis2Period, frequency: str) -> bool:
    """A DHIS2 period of another length than the measure's (a day is a date: aligned
    as dates are)."""
    return period.kind != DAILY and period.kind != frequency


@dataclass
class GridPeriod:
    frequency: str
    start: dt.date | None  # None: the grid opens its default period
    problem: str = ""  # why the period asked for was not opened, in the active language


def grid_period(text: str, frequency: str | None, default: str) -> GridPeriod:
    """The grid's period from its ``?period=`` (any day of it, or a DHIS2 period; a
    DHIS2 period without ``frequency`` opens its own frequency when measures have it)."""
    from measurement import issues

    text = (text or "").strip()
    try:
        dhis2 = read_dhis2(text)
    except PeriodError as error:
        return GridPeriod(frequency or default, None, str(error))
    if not frequency:
        frequency = dhis2.kind if dhis2 is not None and dhis2.kind in FREQUENCIES else default
    if frequency not in FREQUENCIES:
        return GridPeriod(frequency, None)
    if dhis2 is not None and kind_mismatch(dhis2, frequency):
        params = {"text": text, "kind": dhis2.kind, "frequency": frequency}
        return GridPeriod(
            frequency, None, issues.message_text({"msg": "period_kind_mismatch", "params": params})
        )
    try:
        day = dhis2.start if dhis2 is not None else dt.date.fromisoformat(text)
    except ValueError:
        return GridPeriod(frequency, None)
    return GridPeriod(frequency, align(frequency, day))
