"""Template filters that show figures built in Python in the reader's language."""

from __future__ import annotations

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
