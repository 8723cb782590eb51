"""Numbers, percentages, dates and month names in the active language.

Pages, emails and the text alternatives of charts show figures as the reader writes
them (``1.234,5`` in Spanish and Portuguese, ``1 234,5`` in French, ``1,234.5`` in
English); CSV downloads do not use these helpers and keep the machine-readable form
(ISO dates, ``.`` decimals). The CLDR data comes from Babel; Django's own number
formatting (``number_format``) covers templates, these helpers the strings built in
Python.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from django.utils import translation

# Babel locale and the d3-format / d3-time-format locale (vl-convert) per language.
_BABEL = {"en": "en_GB", "es": "es", "fr": "fr", "pt": "pt_BR"}
# The d3 locales vl-convert accepts (both its number and time parameters) among ours.
D3Locale = Literal["en-GB", "es-ES", "fr-FR", "pt-BR"]
_D3: dict[str, D3Locale] = {"en": "en-GB", "es": "es-ES", "fr": "fr-FR", "pt": "pt-BR"}
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def language(code: str | None = None) -> str:
    """The platform language (en, es, fr, pt) of ``code`` or of the active language;
    regional variants fall back to it (pt-pt -> pt)."""
    code = (code or translation.get_language() or "en").lower()
    base = code.split("-")[0].split("_")[0]
    return base if base in _BABEL else "en"


def babel_locale(code: str | None = None) -> str:
    return _BABEL[language(code)]


def d3_locale(code: str | None = None) -> D3Locale:
    """The locale name vl-convert takes for chart axis numbers and dates."""
    return _D3[language(code)]


def number(value: float | None, digits: int = 2, grouping: bool = True) -> str:
    """A number with ``digits`` decimals in the active language ('' for None)."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=babel_locale())


def figure(value: Decimal | float | None, max_digits: int = 4) -> str:
    """A stored figure as people read it, in the active language ('' for None): whole
    numbers without decimals (``14``, ``1,812``), others with the decimals they carry, up
    to ``max_digits`` (``0.8125``, ``0,8125``). Not ``14.0000`` because the column keeps
    four decimals."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "#" * max_digits if max_digits else "")
    return format_decimal(value, format=pattern, locale=babel_locale())


def percent(value: float | None, digits: int = 1) -> str:
    """``value`` given in percent units (85.2) as a localised percentage (85,2 %)."""
    if value is None:
        return ""
    from babel import Locale
    from babel.numbers import format_percent

    locale = babel_locale()
    pattern = Locale.parse(locale).percent_formats[None].pattern  # "#,##0 %" in es
    if digits:
        at = pattern.rindex("0") + 1
        pattern = pattern[:at] + "." + "0" * digits + pattern[at:]
    return format_percent(value / 100, format=pattern, locale=locale)


def month_year(day: dt.date) -> str:
    """A month as the active language abbreviates it: Mar 2024, mar 2024, mars 2024."""
    from babel.dates import format_date

    return format_date(day, "MMM y", locale=babel_locale())


def cell(value: object) -> str:
    """A table cell as the page shows it: numeric text (``0.53``) and monthly period
    labels (``2024-03``) in the active language, anything else unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        digits = 0 if isinstance(value, int) else 2
        return number(value, digits)
    text = str(value)
    if _NUMBER_RE.match(text):
        digits = len(text.split(".")[1]) if "." in text else 0
        return number(float(text), digits)
    match = _MONTH_RE.match(text)
    if match and 1 <= int(match[2]) <= 12:
        return month_year(dt.date(int(match[1]), int(match[2]), 1))
    return text


def _local(moment: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def when_long(moment: dt.datetime) -> str:
    """A session's start as the language writes it in full, in the active time zone:
    "Tuesday, 8 December 2026, 14:00"; "martes, 8 de diciembre de 2026, 14:00"."""
    from babel.dates import format_date, format_time

    local = _local(moment)
    locale = babel_locale()
    day = format_date(local.date(), "full", locale=locale)
    return f"{day}, {format_time(local.time(), 'short', locale=locale)}"


def when_short(moment: dt.datetime) -> str:
    """A moment in a list: "8 Dec 2026, 14:00"; "8 dic 2026, 14:00"; "8 déc. 2026, 14:00"."""
    from babel.dates import format_date, format_time

    local = _local(moment)
    locale = babel_locale()
    day = format_date(local.date(), "medium", locale=locale)
    return f"{day}, {format_time(local.time(), 'short', locale=locale)}"
