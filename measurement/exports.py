"""CSV export of observations, safe to open in a spreadsheet.

Text cells that begin with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) are prefixed with a single quote so a spreadsheet shows them as text
instead of running them as formulas. Numbers are written by the platform from
decimal values and are left as numbers (a negative value stays ``-2.5``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django_scopes import scope

from copcore.spreadsheet import neutralise
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


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    observations: Iterable[Observation], *, figures: Callable[[Observation], Any]
) -> Iterator[str]:
    """The export, line by line (for a streaming response). ``figures`` gives each row's
    numerator, denominator and value as the viewer may see them (the disclosure rule)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for o in observations:
        shown = figures(o)
        yield writer.writerow(
            [
                neutralise(o.measure.community.slug),
                neutralise(o.measure.code),
                neutralise(o.site.code),
                o.period.isoformat(),
                neutralise(o.category.stratifier.code) if o.category is not None else "",
                neutralise(o.category.code) if o.category is not None else "",
                shown.numerator,
                shown.denominator,
                shown.value,
                neutralise(o.comment),
                o.status,
                neutralise(o.review_comment),
                o.updated_at.isoformat(),
            ]
        )


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
    import io

    from django.utils.translation import gettext as _
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Observations"))
    sheet.append(
        [
            _("Community"), _("Measure"), _("Site"), _("Period"), _("Stratifier"),
            _("Category"), _("Numerator"), _("Denominator"), _("Value"), _("Comment"),
            _("Status"), _("Review comment"), _("Updated (UTC)"),
        ]
    )  # fmt: skip
    for o in observations:
        shown = figures(o)
        period = WriteOnlyCell(sheet, value=o.period)
        period.number_format = "mm-dd-yy"  # built-in 14: the reader's short date
        numbers = []
        for text in (shown.numerator, shown.denominator, shown.value):
            cell = WriteOnlyCell(sheet, value=_typed(text))
            cell.number_format = "#,##0.####"
            numbers.append(cell)
        updated = WriteOnlyCell(sheet, value=o.updated_at.replace(tzinfo=None))
        updated.number_format = "yyyy-mm-dd hh:mm"
        sheet.append(
            [
                neutralise(o.measure.community.slug),
                neutralise(o.measure.code),
                neutralise(o.site.code),
                period,
                neutralise(o.category.stratifier.code) if o.category is not None else "",
                neutralise(o.category.code) if o.category is not None else "",
                *numbers,
                neutralise(o.comment),
                o.get_status_display(),
                neutralise(o.review_comment),
                updated,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
