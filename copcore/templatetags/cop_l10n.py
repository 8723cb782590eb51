"""Template filters that show figures built in Python in the reader's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from copcore import l10n

register = template.Library()


@register.filter
def local_cell(value: object) -> str:
    """Numeric text and monthly period labels of a data table in the active language."""
    return l10n.cell(value)


@register.filter
def local_figure(value: object) -> str:
    """A stored number (a Decimal of four places) as people read it: ``14`` not
    ``14.0000``, ``0,8125`` in Spanish; '' for None."""
    if value is None or value == "":
        return ""
    if not isinstance(value, (Decimal, int, float)) or isinstance(value, bool):
        return str(value)
    return l10n.figure(value)


@register.filter
def local_percent(value: object, digits: object = 0) -> str:
    """A share given in percent units (85.2) as the reader's language writes it:
    ``85 %`` in French and Spanish, ``85%`` in English; '' for None."""
    if value is None or value == "":
        return ""
    return l10n.percent(float(value), int(str(digits)))  # type: ignore[arg-type]


@register.filter
def local_number(value: object, digits: object = 2) -> str:
    """A computed number with ``digits`` decimals and the language's grouping; '' for None."""
    if value is None or value == "":
        return ""
    return l10n.number(float(value), int(str(digits)))  # type: ignore[arg-type]


@register.filter
def local_when(value: object) -> str:
    """A date and time in full, in the reader's language and the active time zone."""
    return l10n.when_long(value) if isinstance(value, dt.datetime) else ""


@register.filter
def local_when_short(value: object) -> str:
    """A date and time in a list, in the reader's language and the active time zone."""
    return l10n.when_short(value) if isinstance(value, dt.datetime) else ""
