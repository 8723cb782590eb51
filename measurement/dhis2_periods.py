"""DHIS2 and ADX period identifiers, read and written exactly.

DHIS2 (the health information system most ministries of health use) names a period by
an ISO-like identifier whose form gives its type: ``20240301`` (a day), ``2024W12``
(an ISO 8601 week, Monday to Sunday), ``202403`` (a month), ``202402B`` (a bi-month:
DHIS2 numbers them 01 to 06, so 02B is March-April), ``2024Q1``, ``2024S1`` (January to
June) and ``2024``. ADX, the exchange format DHIS2 also speaks, writes the same periods
as ISO 8601 intervals: a start date and a duration, ``2024-03-01/P1M``.

Only calendar periods the platform's frequencies can use are read; the financial-year,
six-monthly-April, bi-weekly and Wednesday/Thursday/Saturday/Sunday week types DHIS2
also has are refused, as is anything that is not certain: a week 53 in a year with
52 ISO weeks, month 13, a bi-month 07, an ADX interval whose start is not the first day
of a period of its duration. Never a guess: an import that read ``2024W54`` as the
first week of 2025 would put a facility's figure in the wrong place silently.

Pure Python apart from the translation of messages, so imports, the API, the grid and
the DHIS2 connector read periods the same way and the rules can be tested alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"
BIMONTHLY = "bimonthly"
QUARTERLY = "quarterly"
SIXMONTHLY = "sixmonthly"
YEARLY = "yearly"
KINDS = (DAILY, WEEKLY, MONTHLY, BIMONTHLY, QUARTERLY, SIXMONTHLY, YEARLY)

# Months in each period of the month-based kinds.
_MONTHS = {MONTHLY: 1, BIMONTHLY: 2, QUARTERLY: 3, SIXMONTHLY: 6, YEARLY: 12}

# ADX durations (ISO 8601) for each kind; P1W is read as the same week as P7D.
_ADX_DURATION = {
    DAILY: "P1D",
    WEEKLY: "P7D",
    MONTHLY: "P1M",
    BIMONTHLY: "P2M",
    QUARTERLY: "P3M",
    SIXMONTHLY: "P6M",
    YEARLY: "P1Y",
}
_ADX_KIND = {duration: kind for kind, duration in _ADX_DURATION.items()} | {"P1W": WEEKLY}

KIND_LABELS = {
    DAILY: pgettext_lazy("DHIS2 period type", "daily"),
    WEEKLY: pgettext_lazy("DHIS2 period type", "weekly"),
    MONTHLY: pgettext_lazy("DHIS2 period type", "monthly"),
    BIMONTHLY: pgettext_lazy("DHIS2 period type", "bi-monthly"),
    QUARTERLY: pgettext_lazy("DHIS2 period type", "quarterly"),
    SIXMONTHLY: pgettext_lazy("DHIS2 period type", "six-monthly"),
    YEARLY: pgettext_lazy("DHIS2 period type", "yearly"),
}

# What each refusal says, by its code; ``%(kind)s`` is a kind, worded by KIND_LABELS.
MESSAGES = {
    "not_a_period": _("“%(text)s” is not a DHIS2 period. Periods are written like %(examples)s."),
    "no_year": _("“%(text)s”: the year %(year)s does not exist."),
    "no_month": _("“%(text)s”: there is no month %(month)s; months run from 01 to 12."),
    "unknown_duration": _(
        "“%(text)s”: the duration %(duration)s is not a DHIS2 period type; "
        "use P1D, P7D, P1M, P2M, P3M, P6M or P1Y."
    ),
    "not_a_date": _("“%(text)s”: %(date)s is not a date."),
    "unaligned_start": _(
        "“%(text)s” starts on %(start)s, which is not the first day of a "
        "%(kind)s period, so it is not a DHIS2 period."
    ),
    "no_week": _(
        "“%(text)s”: %(year)s has ISO weeks 1 to %(weeks)s, so week %(week)s does not exist."
    ),
    "no_bimonth": _(
        "“%(text)s”: there is no bi-month %(number)s. DHIS2 numbers bi-months "
        "01 to 06: 01B is January–February, 02B March–April, 06B November–December."
    ),
    "no_quarter": _("“%(text)s”: there is no quarter %(number)s; quarters run from Q1 to Q4."),
    "no_half": _("“%(text)s”: there is no six-month period %(number)s; only S1 and S2 exist."),
    "unknown_kind": _("“%(text)s” is not a DHIS2 period type."),
    "unaligned_date": _("%(text)s is not the first day of a %(kind)s period."),
}

_DAILY_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WEEKLY_RE = re.compile(r"^(\d{4})W(\d{1,2})$")
_MONTHLY_RE = re.compile(r"^(\d{4})(\d{2})$")
_BIMONTHLY_RE = re.compile(r"^(\d{4})(\d{2})B$")
_QUARTERLY_RE = re.compile(r"^(\d{4})Q(\d)$")
_SIXMONTHLY_RE = re.compile(r"^(\d{4})S(\d)$")
_YEARLY_RE = re.compile(r"^(\d{4})$")
_ADX_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/(P\w+)$")

_EXAMPLES = "20240301, 2024W12, 202403, 202401B, 2024Q1, 2024S1, 2024, 2024-03-01/P1M"


class PeriodError(ValueError):
    """A text that is not a DHIS2 or ADX period, or not certainly one.

    The message is translated when shown (``str()``), in the language active then, and
    always names the text that was refused; ``code`` and ``params`` are the same as data.
    """

    def __init__(self, code: str, **params: str | int) -> None:
        super().__init__(code, params)
        self.code = code  # a key of MESSAGES
        self.params = params  # plain data: an import report stores them as JSON

    def __str__(self) -> str:
        return message_text(self.code, self.params)


def message_text(code: str, params: Mapping[str, object]) -> str:
    """The sentence of a refusal, in the active language (import reports store the
    code and parameters and word them when shown)."""
    shown = dict(params)
    if shown.get("kind") in KIND_LABELS:
        shown["kind"] = str(KIND_LABELS[str(shown["kind"])])
    return str(MESSAGES[code]) % shown


@dataclass(frozen=True)
class Dhis2Period:
    """One period: its DHIS2 type and its first and last day (both included)."""

    kind: str
    start: dt.date
    end: dt.date  # inclusive


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _end(kind: str, start: dt.date) -> dt.date:
    if kind == DAILY:
        return start
    if kind == WEEKLY:
        return start + dt.timedelta(days=6)
    return _add_months(start, _MONTHS[kind]) - dt.timedelta(days=1)


def _weeks_in(year: int) -> int:
    """52 or 53: 28 December always falls in the ISO year's last week."""
    return dt.date(year, 12, 28).isocalendar()[1]


def _is_aligned(kind: str, start: dt.date) -> bool:
    if kind == DAILY:
        return True
    if kind == WEEKLY:
        return start.weekday() == 0
    return start.day == 1 and (start.month - 1) % _MONTHS[kind] == 0


def _period(kind: str, start: dt.date) -> Dhis2Period:
    return Dhis2Period(kind=kind, start=start, end=_end(kind, start))


def _not_a_period(text: str) -> PeriodError:
    return PeriodError(
        "not_a_period",
        text=text,
        examples=_EXAMPLES,
    )


def _year(text: str, value: str) -> int:
    year = int(value)
    if year < 1:
        raise PeriodError("no_year", text=text, year=value)
    return year


def _month(text: str, year: int, value: str) -> dt.date:
    month = int(value)
    if not 1 <= month <= 12:
        raise PeriodError(
            "no_month",
            text=text,
            month=value,
        )
    return dt.date(year, month, 1)


def _parse_adx(text: str, match: re.Match[str]) -> Dhis2Period:
    year, month, day, duration = match.groups()
    kind = _ADX_KIND.get(duration)
    if kind is None:
        raise PeriodError(
            "unknown_duration",
            text=text,
            duration=duration,
        )
    try:
        start = dt.date(_year(text, year), int(month), int(day))
    except ValueError as error:
        if isinstance(error, PeriodError):
            raise
        raise PeriodError("not_a_date", text=text, date=f"{year}-{month}-{day}") from None
    if not _is_aligned(kind, start):
        raise PeriodError(
            "unaligned_start",
            text=text,
            start=start.isoformat(),
            kind=kind,
        )
    return _period(kind, start)


def _parse(text: str) -> Dhis2Period:
    """The DHIS2 forms, in an order in which no two can match the same text."""
    if match := _ADX_RE.match(text):
        return _parse_adx(text, match)
    if match := _DAILY_RE.match(text):
        year = _year(text, match[1])
        first = _month(text, year, match[2])
        try:
            return _period(DAILY, first.replace(day=int(match[3])))
        except ValueError:
            raise PeriodError(
                "not_a_date",
                text=text,
                date=f"{match[1]}-{match[2]}-{match[3]}",
            ) from None
    if match := _WEEKLY_RE.match(text):
        year = _year(text, match[1])
        week = int(match[2])
        weeks = _weeks_in(year)
        if not 1 <= week <= weeks:
            raise PeriodError(
                "no_week",
                text=text,
                year=match[1],
                weeks=weeks,
                week=match[2],
            )
        return _period(WEEKLY, dt.date.fromisocalendar(year, week, 1))
    if match := _MONTHLY_RE.match(text):
        return _period(MONTHLY, _month(text, _year(text, match[1]), match[2]))
    if match := _BIMONTHLY_RE.match(text):
        number = int(match[2])
        if not 1 <= number <= 6:
            raise PeriodError(
                "no_bimonth",
                text=text,
                number=match[2],
            )
        return _period(BIMONTHLY, dt.date(_year(text, match[1]), 2 * number - 1, 1))
    if match := _QUARTERLY_RE.match(text):
        quarter = int(match[2])
        if not 1 <= quarter <= 4:
            raise PeriodError(
                "no_quarter",
                text=text,
                number=match[2],
            )
        return _period(QUARTERLY, dt.date(_year(text, match[1]), 3 * quarter - 2, 1))
    if match := _SIXMONTHLY_RE.match(text):
        half = int(match[2])
        if half not in (1, 2):
            raise PeriodError(
                "no_half",
                text=text,
                number=match[2],
            )
        return _period(SIXMONTHLY, dt.date(_year(text, match[1]), 6 * half - 5, 1))
    if match := _YEARLY_RE.match(text):
        return _period(YEARLY, dt.date(_year(text, match[1]), 1, 1))
    raise _not_a_period(text)


def parse_dhis2_period(text: str) -> Dhis2Period:
    """Read a DHIS2 period identifier or an ADX interval; raise PeriodError otherwise.

    Surrounding spaces are ignored; nothing else is forgiven (``2024w12`` in lower case
    is read: DHIS2 does not write it so, but its meaning is certain).
    """
    cleaned = text.strip()
    if "/" not in cleaned:  # 2024q1, 2024w12, 202401b: DHIS2 writes capitals
        cleaned = cleaned[:4] + cleaned[4:].upper()
    try:
        return _parse(cleaned)
    except PeriodError as error:
        if cleaned != text:  # name the text as it was written
            error.params["text"] = text.strip()
        raise
    except (ValueError, OverflowError):  # a date beyond year 9999
        raise _not_a_period(text.strip()) from None


def _check(start: dt.date, kind: str) -> None:
    if kind not in KINDS:
        raise PeriodError("unknown_kind", text=kind)
    if not _is_aligned(kind, start):
        raise PeriodError(
            "unaligned_date",
            text=start.isoformat(),
            kind=kind,
        )


def format_dhis2_period(start: dt.date, kind: str) -> str:
    """The DHIS2 identifier of the ``kind`` period starting on ``start`` (its first
    day, as the platform stores periods). Weeks are written as DHIS2 writes them,
    without a leading zero (``2024W1``)."""
    _check(start, kind)
    if kind == DAILY:
        return f"{start.year:04d}{start.month:02d}{start.day:02d}"
    if kind == WEEKLY:
        year, week, _weekday = start.isocalendar()
        return f"{year:04d}W{week}"
    if kind == MONTHLY:
        return f"{start.year:04d}{start.month:02d}"
    if kind == BIMONTHLY:
        return f"{start.year:04d}{(start.month + 1) // 2:02d}B"
    if kind == QUARTERLY:
        return f"{start.year:04d}Q{(start.month + 2) // 3}"
    if kind == SIXMONTHLY:
        return f"{start.year:04d}S{(start.month + 5) // 6}"
    return f"{start.year:04d}"


def format_adx_period(start: dt.date, kind: str) -> str:
    """The ADX (ISO 8601 interval) form of the same period: ``2024-03-01/P1M``."""
    _check(start, kind)
    return f"{start.isoformat()}/{_ADX_DURATION[kind]}"
