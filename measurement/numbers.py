"""Figures as people and spreadsheets in English, Spanish, French and Portuguese write them.

There are two ways of writing a number among the platform's languages (from Babel's
CLDR data, ``babel.numbers.get_decimal_symbol`` and ``get_group_symbol``):

- decimal **point** (en): ``1,234.5``; thousands grouped with ``,``;
- decimal **comma** (es, fr, pt-BR, pt-PT): ``1.234,5`` (es, pt-BR), ``1 234,5`` with a
  narrow no-break space (fr, U+202F) or a no-break space (pt-PT, U+00A0).

Either way a plain space, a no-break space (U+00A0), a narrow no-break space (U+202F)
or a thin space (U+2009) may group thousands. Grouping must be regular: one mark, groups
of exactly three digits after the first. The decimal mark appears at most once.

``read_number(text, convention)`` reads one figure in one convention and raises
``NumberProblem`` for anything else; ``decide_number_reading`` chooses a file's
convention from its figure columns (as ``measurement.dates.decide_reading`` does for
dates); ``format_number`` writes a figure back in a person's language so that
``read_number`` reads it again as itself (the data-entry grid).

Nothing is guessed: a cell that means two different numbers in the two conventions
(``1.806``) is read in the convention the column proves, or else the uploader's
language gives; a cell that no convention reads (``1.234,5.6``) is refused.

Pure Python (no Django), so the reading can be tested and benchmarked alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

POINT = "point"  # 1,234.5
COMMA = "comma"  # 1.234,5 / 1 234,5
CONVENTIONS = (POINT, COMMA)

# How a file's convention was chosen, shown on the check page (as for dates).
BASIS_COLUMN = "column"  # a cell only one convention reads (12,50 or 1,234.5) proves it
BASIS_LANGUAGE = "language"  # cells read both ways, none decides: the uploader's language
BASIS_MIXED = "mixed"  # cells prove both conventions: the ambiguous ones are refused
BASIS_CHOSEN = "chosen"  # the uploader switched it on the check page
BASIS_NONE = "none"  # every figure reads the same either way (1806, 12)

SPACES = " \u00a0\u202f\u2009"  # space, no-break, narrow no-break, thin space
_MINUS = "-\u2212"  # hyphen-minus and the minus sign Babel writes for some locales
_DEFAULT_LOCALE = "en"


class NumberProblem(ValueError):
    """The text is not a figure in the convention asked for."""


class ExactNumber(str):
    """A figure that is already a number (an XLSX numeric cell, a JSON number), held
    as its plain text (``1806``, ``1.5``): read as such whatever the convention, and
    never evidence for the column's convention."""

    __slots__ = ()


def _locale(language: str | None):
    from babel import Locale, UnknownLocaleError

    code = (language or _DEFAULT_LOCALE).replace("-", "_")
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(_DEFAULT_LOCALE)


@lru_cache(maxsize=64)
def convention_of(language: str | None) -> str:
    """The convention of ``language`` (en, es, fr, pt, pt-pt, en-us...) from CLDR."""
    from babel.numbers import get_decimal_symbol

    return COMMA if get_decimal_symbol(_locale(language)) == "," else POINT


def decimal_mark(convention: str) -> str:
    return "," if convention == COMMA else "."


def _build(convention: str) -> re.Pattern[str]:
    mark = re.escape(decimal_mark(convention))
    group = "[. ]" if convention == COMMA else "[, ]"  # spaces are folded to " " first
    return re.compile(
        rf"^(?P<sign>[+-]?)"
        rf"(?:(?P<plain>\d+)|(?P<grouped>\d{{1,3}}(?P<mark>{group})\d{{3}}(?:(?P=mark)\d{{3}})*))?"
        rf"(?:{mark}(?P<fraction>\d+))?"
        rf"(?:[eE](?P<exponent>[+-]?\d{{1,3}}))?$"
    )


_PATTERNS = {convention: _build(convention) for convention in CONVENTIONS}
_FOLD = str.maketrans({**dict.fromkeys(SPACES[1:], " "), "\u2212": "-"})


def _folded(text: str) -> str:
    """Every space as " " and the minus sign as "-" (translate only when needed: it
    costs more than the match)."""
    text = text.strip()
    return text if text.isascii() else text.translate(_FOLD)


def _read(text: str, convention: str) -> Decimal | None:
    if text.isascii() and text.isdigit():  # most cells: no sign, no mark, no space
        return Decimal(text)
    return _read_marked(text, convention)


@lru_cache(maxsize=16384)  # a file repeats the same few thousand figures
def _read_marked(text: str, convention: str) -> Decimal | None:
    folded = _folded(text)
    match = _PATTERNS[convention].match(folded)
    if match is None:
        return None
    whole = match["plain"] or match["grouped"]
    fraction = match["fraction"]
    if whole is None and fraction is None:
        return None
    if match["grouped"] and match["exponent"]:
        return None
    digits = (whole or "0").replace(match["mark"] or " ", "")
    canonical = f"{match['sign']}{digits}" + (f".{fraction}" if fraction else "")
    if match["exponent"]:
        canonical += f"e{match['exponent']}"
    try:
        return Decimal(canonical)
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return None


def read_number(text: str, convention: str) -> Decimal:
    """The figure ``text`` means in ``convention`` (POINT or COMMA), exactly.

    An ``ExactNumber`` is read as the number it already is. Raises ``NumberProblem``
    when the text is not a figure written that way.
    """
    if isinstance(text, ExactNumber):
        try:
            return Decimal(str(text))
        except InvalidOperation as error:
            raise NumberProblem(text) from error
    value = _read(text, convention)
    if value is None:
        raise NumberProblem(text)
    return value


def other(convention: str) -> str:
    return POINT if convention == COMMA else COMMA


def readings(text: str) -> dict[str, Decimal]:
    """What ``text`` means in each convention that reads it."""
    found = {}
    for convention in CONVENTIONS:
        value = _read(text, convention)
        if value is not None:
            found[convention] = value
    return found


def is_ambiguous(text: str) -> bool:
    """True when both conventions read ``text`` and it has a "." or a ",", which they
    read differently (``1.806``: 1.806 or 1806; ``1,234``)."""
    if isinstance(text, ExactNumber) or ("." not in text and "," not in text):
        return False
    return len(readings(text)) == 2


def whole_number_hint(text: str, convention: str) -> str:
    """For a figure that should be whole but is not in ``convention`` (``1.806`` read
    with a decimal point), the whole number the other convention reads, as plain
    digits (``1806``), or '' when there is none."""
    if isinstance(text, ExactNumber):
        return ""
    value = _read(text, other(convention))
    if value is None or value != value.to_integral_value():
        return ""
    return str(value.quantize(Decimal(1)))


def is_whole(value: Decimal) -> bool:
    return value == value.to_integral_value()


def plain(value: Decimal) -> str:
    """The machine form: ``1806``, ``-2.5`` (no exponent, no grouping)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_number(value: Decimal | float | int | None, language: str | None) -> str:
    """``value`` as ``language`` writes it (``1,812.5``, ``1.812,5``, ``1 812,5``), up to
    four decimals (the database keeps four): ``read_number`` reads it back as itself."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return format_decimal(
        Decimal(str(value)), format="#,##0.####", locale=_locale(language), group_separator=True
    )


@dataclass
class NumberReading:
    """How a file's figures are read, and why (stored in the batch report)."""

    convention: str
    basis: str
    point_cells: int = 0  # cells only the decimal point reads (1.5, 1,234.5)
    comma_cells: int = 0  # cells only the decimal comma reads (12,50, 1.234,5)
    ambiguous_cells: int = 0  # cells the two conventions read differently (1.806)

    @property
    def refuses_ambiguous(self) -> bool:
        """A column that mixes both conventions cannot say what ``1.806`` means."""
        return self.basis == BASIS_MIXED

    def as_json(self) -> dict[str, object]:
        return {
            "convention": self.convention,
            "basis": self.basis,
            "point_cells": self.point_cells,
            "comma_cells": self.comma_cells,
            "ambiguous_cells": self.ambiguous_cells,
        }


class NumberEvidence:
    """Counts, cell by cell, what the figure columns of a file prove (O(1) per cell)."""

    def __init__(self) -> None:
        self.point_cells = 0
        self.comma_cells = 0
        self.ambiguous_cells = 0

    def add(self, text: str) -> None:
        # Only a "." or a "," can mean different things in the two conventions: cells
        # without one (1806, 1 806, -3) prove nothing and cost one scan.
        if not text or ("." not in text and "," not in text) or isinstance(text, ExactNumber):
            return
        folded = _folded(text)
        point = _PATTERNS[POINT].match(folded) is not None
        comma = _PATTERNS[COMMA].match(folded) is not None
        if point and not comma:
            self.point_cells += 1
        elif comma and not point:
            self.comma_cells += 1
        elif point and comma:  # with a "." or a ",": two different numbers (1.806)
            self.ambiguous_cells += 1

    def decide(self, *, language: str | None, chosen: str | None = None) -> NumberReading:
        counts = (self.point_cells, self.comma_cells, self.ambiguous_cells)
        if chosen in CONVENTIONS:
            return NumberReading(chosen, BASIS_CHOSEN, *counts)
        if self.comma_cells and not self.point_cells:
            return NumberReading(COMMA, BASIS_COLUMN, *counts)
        if self.point_cells and not self.comma_cells:
            return NumberReading(POINT, BASIS_COLUMN, *counts)
        own = convention_of(language)
        if self.point_cells and self.comma_cells:
            return NumberReading(own, BASIS_MIXED, *counts)
        if self.ambiguous_cells:
            return NumberReading(own, BASIS_LANGUAGE, *counts)
        return NumberReading(own, BASIS_NONE, *counts)


def decide_number_reading(
    cells: Iterable[str], *, language: str | None, chosen: str | None = None
) -> NumberReading:
    """Decide decimal point or decimal comma from all the figure cells of a file.

    A cell only one convention reads proves that convention (``12,50`` and ``1.234,5``
    the comma, ``1.5`` and ``1,234.5`` the point). Without proof, the uploader's
    language decides (``1,234`` is 1234 for an English uploader, 1.234 for a Spanish
    one). A file that proves both is *mixed*: its ambiguous cells are refused.
    ``chosen`` (the uploader's switch) overrides everything.
    """
    evidence = NumberEvidence()
    for text in cells:
        evidence.add(text)
    return evidence.decide(language=language, chosen=chosen)
