"""Cells that are safe to open in a spreadsheet.

A cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) can
be run as a formula by spreadsheet programs; every CSV export of the platform passes
its text cells through :func:`neutralise`, which prefixes them with a single quote.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will not evaluate."""
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
