"""Dates as spreadsheets in English, Spanish, French and Portuguese write them.

ISO forms (``2024-03-01``, ``2024-03``, ``2024-Q1``) are read first, exactly as
``measurement.periods.parse_period`` always has. Then:

- numbers with ``/``, ``-`` or ``.``: day/month/year or month/day/year (which one is
  the column's *reading*, decided once per file), two- or four-digit years, an optional
  time after the date (``01/03/2024 00:00``), and month/year (``03/2024``);
- a month name or abbreviation in any of the four languages, with or without a day
  (``ene-24``, ``janv. 2024``, ``fév. 2024``, ``set-24``, ``out/2024``, ``15 de marzo de
  2024``, ``March 15, 2024``). The names come from the CLDR data shipped with Babel; a
  token may also be a prefix of three letters or more that names only one month
  (``fév`` for février/fevereiro, ``sep`` for September/septiembre/setembro);
- Excel serial day numbers, which ``readers`` converts for XLSX cells.

Two-digit years follow POSIX ``strptime``: 69 and above are 19xx, below 69 are 20xx.

python-dateutil's parser is not used for these cells on purpose: it fills missing
parts from a default date and guesses silently (``ene-24`` becomes the 24th of this
month), while an import must read a whole column one way and say which.

Pure Python (no Django), so the parsing can be tested and benchmarked alone.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from measurement.periods import parse_period

DMY = "dmy"
MDY = "mdy"
ORDERS = (DMY, MDY)

# Where the column does not decide, the uploader's language does. Every language the
# platform offers reads day first: its English-speaking users are in the UK, Ireland,
# Africa, the Caribbean and international agencies. A month-first language variant
# (such as en-us) would be listed here; anyone can switch the reading on the check page.
MONTH_FIRST_LANGUAGES = frozenset({"en-us"})

# How the reading was chosen, shown on the check page.
BASIS_COLUMN = "column"  # a day above 12 (or only first-of-month days) proves the order
BASIS_LANGUAGE = "language"  # nothing in the column decides: the uploader's language does
BASIS_CHOSEN = "chosen"  # the uploader switched it on the check page
BASIS_NONE = "none"  # no cell in the column depends on the order

ISO_SCAN_LIMIT = 10_000  # after this many ISO-only period cells, stop looking

_LOCALES = ("en", "es", "fr", "pt", "pt_PT")
_FILLERS = frozenset({"de", "del", "of", "the", "le", "er", "o"})
_TIME_RE = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([ap]\.?m\.?)?$", re.IGNORECASE)
_NUMERIC_RE = re.compile(r"^(\d{1,4})([/.\-])(\d{1,4})(?:\2(\d{2}|\d{4}))?$")
_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")
_ORDINAL_RE = re.compile(r"^(\d{1,2})(st|nd|rd|th|er|º|°|o)$", re.IGNORECASE)


def language_order(language: str | None) -> str:
    """The reading of ambiguous dates for an uploader who writes ``language``."""
    return MDY if (language or "").lower() in MONTH_FIRST_LANGUAGES else DMY


def _fold(text: str) -> str:
    """Lower case, accents and dots removed: ``Févr.`` -> ``fevr``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(".", "")


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for locale in _LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    names[_fold(name)] = number
    return names


@lru_cache(maxsize=512)
def month_number(word: str) -> int | None:
    """The month a (possibly abbreviated) name means in en, es, fr or pt, or None."""
    token = _fold(word)
    names = _month_names()
    if token in names:
        return names[token]
    if len(token) < 3:
        return None
    found = {number for name, number in names.items() if name.startswith(token)}
    return found.pop() if len(found) == 1 else None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        return year + (1900 if year >= 69 else 2000)
    if len(text) != 4:
        raise ValueError(text)
    return year


def _strip_time(text: str) -> str:
    return _TIME_RE.sub("", text).strip()


@lru_cache(maxsize=8192)  # a file repeats the same few hundred periods
def numeric_parts(text: str) -> tuple[int, int] | None:
    """The first two numbers of a three-part numeric date that is not year-first
    (``03/04/2024`` -> (3, 4)), or None: what the column decision looks at."""
    match = _NUMERIC_RE.match(_strip_time(text.strip()))
    if not match or match[4] is None or len(match[1]) > 2 or len(match[3]) > 2:
        return None
    return int(match[1]), int(match[3])


def _numeric(match: re.Match, order: str) -> dt.date:
    first, second, third = match[1], match[3], match[4]
    if third is None:  # year/month or month/year (a four-digit year either way)
        if len(first) == 4 and len(second) <= 2:
            return dt.date(int(first), int(second), 1)
        if len(first) <= 2 and len(second) == 4:
            return dt.date(int(second), int(first), 1)
        raise ValueError(match[0])
    if len(second) > 2:
        raise ValueError(match[0])
    if len(first) == 4:  # 2024/03/01 or 2024.03.01: year, month, day
        return dt.date(int(first), int(second), int(third))
    if len(first) == 3:
        raise ValueError(match[0])
    a, b = int(first), int(second)
    day, month = (a, b) if order == DMY else (b, a)
    return dt.date(_year(third), month, day)


def _with_month_name(text: str) -> dt.date:
    tokens = [t for t in _TOKEN_RE.findall(text) if _fold(t) not in _FILLERS]
    month = None
    numbers: list[str] = []
    for token in tokens:
        ordinal = _ORDINAL_RE.match(token)
        if ordinal:
            numbers.append(ordinal[1])
        elif token.isdigit():
            numbers.append(token)
        elif month is None:
            month = month_number(token)
            if month is None:
                raise ValueError(text)
        else:
            raise ValueError(text)
    if month is None:
        raise ValueError(text)
    if len(numbers) == 1:
        if len(numbers[0]) not in (2, 4):
            raise ValueError(text)
        return dt.date(_year(numbers[0]), month, 1)
    if len(numbers) == 2:
        first, second = numbers
        if len(first) == 4:
            year, day = first, second
        elif len(second) in (2, 4):
            day, year = first, second
        else:
            raise ValueError(text)
        if len(day) > 2:
            raise ValueError(text)
        return dt.date(_year(year), month, int(day))
    raise ValueError(text)


def parse_date(text: str, order: str = DMY) -> dt.date:
    """Read one period cell. ISO first (unchanged behaviour), then the numeric and
    month-name forms above, with ambiguous numeric dates read in ``order``.
    Raises ValueError for anything that is not a date."""
    return _parse_date(text, order)


@lru_cache(maxsize=8192)  # dates are immutable; errors are not cached (they re-raise)
def _parse_date(text: str, order: str) -> dt.date:
    text = text.strip()
    try:
        return parse_period(text)
    except ValueError:
        pass
    bare = _strip_time(text)
    match = _NUMERIC_RE.match(bare)
    if match:
        return _numeric(match, order)
    if any(c.isalpha() for c in bare):
        return _with_month_name(bare)
    raise ValueError(text)


def is_iso(text: str) -> bool:
    try:
        parse_period(text)
    except ValueError:
        return False
    return True


@dataclass
class Reading:
    """How a file's ambiguous dates (03/04/2024) are read, and why."""

    order: str
    basis: str
    day_first: int = 0  # cells that only make sense day first (13/04/2024)
    month_first: int = 0  # cells that only make sense month first (04/13/2024)

    def as_json(self) -> dict[str, object]:
        return {
            "order": self.order,
            "basis": self.basis,
            "day_first": self.day_first,
            "month_first": self.month_first,
        }


def decide_reading(
    cells: Iterable[str], *, language: str | None, chosen: str | None = None
) -> Reading:
    """Decide day-first or month-first from the whole period column.

    A first number above 12 proves day first; a second number above 12 proves month
    first. With no such cell, a column whose ambiguous dates all fall on the 1st of a
    month when read one way (and not the other) is read that way (monthly data written
    ``01/03/2024``). Otherwise, or when the column contradicts itself, the uploader's
    language decides. ``chosen`` (the uploader's switch) overrides everything.
    """
    day_first = month_first = 0
    first_is_one = second_is_one = ambiguous = 0
    iso_only = 0
    for text in cells:
        parts = numeric_parts(text) if text else None
        if parts is None:
            if not day_first and not month_first and not ambiguous:
                iso_only += 1
                if iso_only >= ISO_SCAN_LIMIT:
                    break
            continue
        a, b = parts
        if a > 12 >= b:
            day_first += 1
        elif b > 12 >= a:
            month_first += 1
        elif a != b:
            ambiguous += 1
            first_is_one += a == 1
            second_is_one += b == 1
    if chosen in ORDERS:
        return Reading(chosen, BASIS_CHOSEN, day_first, month_first)
    if day_first and not month_first:
        return Reading(DMY, BASIS_COLUMN, day_first, month_first)
    if month_first and not day_first:
        return Reading(MDY, BASIS_COLUMN, day_first, month_first)
    if not day_first and not month_first and ambiguous:
        if first_is_one == ambiguous and second_is_one < ambiguous:
            return Reading(DMY, BASIS_COLUMN, ambiguous, 0)
        if second_is_one == ambiguous and first_is_one < ambiguous:
            return Reading(MDY, BASIS_COLUMN, 0, ambiguous)
    if not day_first and not month_first and not ambiguous:
        return Reading(language_order(language), BASIS_NONE)
    return Reading(language_order(language), BASIS_LANGUAGE, day_first, month_first)
