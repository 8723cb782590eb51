"""CSV and XLSX export of observations, safe to open in a spreadsheet.

Both formats are written by :mod:`copcore.spreadsheet`: CSV text cells that begin
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) are prefixed with a
single quote, XLSX text is a string cell and never a formula. Figures are written as
numbers (a negative value stays ``-2.5``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django_scopes import scope

from copcore import spreadsheet
from measurement.models import Observation

HEADER = [
    "community", "measure_code", "site_code", "period", "stratifier", "category",
    "numerator", "denominator", "value", "comment", "status", "review_comment", "updated_at",
]  # fmt: skip


def in_scope(organization, lines: Iterator[str]) -> Iterator[str]:
    """Stream ``lines`` inside the organization's scope: a streaming response is read
    after the view (and the tenancy middleware's scope) has returned."""
    with scope(organization=organization):
        yield from lines


def csv_lines(
    observations: Iterable[Observation], *, figures: Callable[[Observation], Any]
) -> Iterator[str]:
    """The export, line by line (for a streaming response). ``figures`` gives each row's
    numerator, denominator and value as the viewer may see them (the disclosure rule)."""

    def rows() -> Iterator[list[Any]]:
        for o in observations:
            shown = figures(o)
            yield [
                o.measure.community.slug,
                o.measure.code,
                o.site.code,
                o.period.isoformat(),
                o.category.stratifier.code if o.category is not None else "",
                o.category.code if o.category is not None else "",
                shown.numerator,
                shown.denominator,
                shown.value,
                o.comment,
                o.status,
                o.review_comment,
                o.updated_at.isoformat(),
            ]

    return spreadsheet.csv_lines(HEADER, rows())


def _typed(text: str) -> float | str:
    """A disclosed figure as a number cell when it is one (``*`` and ``<5`` stay text)."""
    try:
        return float(text) if text not in ("", None) else ""
    except (TypeError, ValueError):
        return text


def xlsx_bytes(
    observations: Iterable[Observation], *, figures: Callable[[Observation], Any]
) -> bytes:
    """The export as an Excel workbook with typed cells: periods are date cells and
    figures number cells, so Excel shows them in the reader's own date and number
    format (decimal comma included); the headers are in the active language."""
    from django.utils.translation import gettext as _

    book = spreadsheet.XlsxBook()
    sheet = book.sheet(
        _("Observations"),
        [
            _("Community"), _("Measure"), _("Site"), _("Period"), _("Stratifier"),
            _("Category"), _("Numerator"), _("Denominator"), _("Value"), _("Comment"),
            _("Status"), _("Review comment"), _("Updated (UTC)"),
        ],
    )  # fmt: skip
    for o in observations:
        shown = figures(o)
        sheet.append(
            [
                o.measure.community.slug,
                o.measure.code,
                o.site.code,
                # built-in format 14: the reader's short date
                sheet.cell(o.period, number_format="mm-dd-yy"),
                o.category.stratifier.code if o.category is not None else "",
                o.category.code if o.category is not None else "",
                *(
                    sheet.cell(_typed(text), number_format="#,##0.####")
                    for text in (shown.numerator, shown.denominator, shown.value)
                ),
                o.comment,
                o.get_status_display(),
                o.review_comment,
                sheet.cell(o.updated_at.replace(tzinfo=None), number_format="yyyy-mm-dd hh:mm"),
            ]
        )
    return book.to_bytes()
