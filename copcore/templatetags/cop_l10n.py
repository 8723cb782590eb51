"""Template filters that show figures built in Python in the reader's language."""

from __future__ import annotations

from django import template

from copcore import l10n

register = template.Library()


@register.filter
def local_cell(value: object) -> str:
    """Numeric text and monthly period labels of a data table in the active language."""
    return l10n.cell(value)
