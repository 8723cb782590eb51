"""The one way the platform writes CSV and XLSX files, and checks codes at entry.

A cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
run as a formula by spreadsheet programs, so a site called ``=HYPERLINK("http://x")``
would turn a download into a link to anywhere. Every export and template goes
through this module:

* CSV (:class:`CsvWriter`, :func:`csv_text`, :func:`csv_lines`): every text cell
  passes through :func:`neutralise`, which prefixes a formula-like text with a single
  quote. Real numbers (``int``, ``float``, ``Decimal``, or a text that is a plain
  decimal number such as ``-2.50``) are written as numbers, so a negative value stays
  ``-2.5`` and not ``'-2.5``; ``+1`` or ``-1+1`` are not plain numbers and are quoted.
* XLSX (:class:`XlsxBook`, :func:`xlsx_cells`): text is written as a string cell
  (``data_type`` ``'s'``) with Excel's "quote prefix" flag, never as a formula, and
  kept intact, so a template's codes and names read back exactly; numbers, dates and
  ready-made cells pass through typed.

Codes people type (site, measure, stratifier and category codes, slugs) are refused
at entry when they begin with one of these characters (:func:`validate_code`): a code
is copied into upload files and spreadsheets, and must read the same everywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A text that a spreadsheet reads as a number and nothing else: an optional minus,
# digits and an optional decimal part. ``+1`` and ``-1+1`` are not.
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
TYPED = (bool, int, float, Decimal, dt.date, dt.datetime)  # written as typed cells
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will not evaluate (a plain number stays a number)."""
    if text and text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> Any:
    """One CSV cell: numbers as numbers, ``None`` empty, dates in ISO form, and every
    other value as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return neutralise(str(value))


class CsvWriter:
    """``csv.writer`` whose rows are neutralised cell by cell. ``writerow`` returns
    what the file's ``write`` returns, so over :class:`_Echo` it gives the line."""

    def __init__(self, file: Any, **fmtparams: Any) -> None:
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _Echo:
    """A file whose ``write`` hands the text back: lets a writer yield line by line."""

    def write(self, value: str) -> str:
        return value


def csv_text(
    header: Sequence[Any], rows: Iterable[Iterable[Any]], *, lineterminator: str = "\r\n"
) -> str:
    """A whole CSV file as text."""
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator=lineterminator)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def csv_lines(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A CSV file line by line, for a streaming response."""
    writer = CsvWriter(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


# ----------------------------------------------------------------------------- XLSX


def xlsx_text_cell(sheet: Any, text: str) -> Any:
    """A string cell (never a formula) holding ``text`` as it is; characters XML
    cannot carry (control characters other than tab and line breaks) are dropped."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    clean = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell = WriteOnlyCell(sheet, value=clean)
    cell.data_type = "s"  # openpyxl makes "=..." a formula: a string it stays
    if clean.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def xlsx_cells(sheet: Any, row: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet: text as string cells, ``None`` empty, numbers,
    dates and cells already made (with their number format) as they are."""
    cells: list[Any] = []
    for value in row:
        if value is None:
            cells.append(None)
        elif isinstance(value, str):
            cells.append(xlsx_text_cell(sheet, value))
        elif isinstance(value, TYPED) or hasattr(value, "data_type"):  # or a made cell
            cells.append(value)
        else:
            cells.append(xlsx_text_cell(sheet, str(value)))
    return cells


class XlsxBook:
    """A write-only (streaming) workbook whose rows go through :func:`xlsx_cells`."""

    def __init__(self) -> None:
        from openpyxl import Workbook

        self._book = Workbook(write_only=True)

    def sheet(self, title: str, header: Sequence[Any] = ()) -> XlsxSheet:
        sheet = XlsxSheet(self._book.create_sheet(title[:31]))
        if header:
            sheet.append(header)
        return sheet

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


class XlsxSheet:
    """One sheet of an :class:`XlsxBook`."""

    def __init__(self, worksheet: Any) -> None:
        self.worksheet = worksheet

    def cell(self, value: Any, *, number_format: str = "") -> Any:
        """A typed cell with a number format (dates, figures)."""
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, str):
            return xlsx_text_cell(self.worksheet, value)
        made = WriteOnlyCell(self.worksheet, value=value)
        if number_format:
            made.number_format = number_format
        return made

    def append(self, row: Iterable[Any]) -> None:
        self.worksheet.append(xlsx_cells(self.worksheet, row))


# ---------------------------------------------------------------------------- codes


def validate_code(value: str) -> None:
    """Refuse a code that a spreadsheet would read as a formula (or that begins with
    a blank): codes travel in upload files and exports and must stay plain text."""
    if value and (value.startswith(FORMULA_STARTS) or value[0].isspace()):
        raise ValidationError(
            _(
                "A code or short name cannot begin with =, +, -, @ or a space; "
                "start it with a letter or a digit."
            ),
            code="code_formula_start",
        )


def check_code(field: str, value: str) -> None:
    """:func:`validate_code` for a service: the error is reported under ``field``."""
    try:
        validate_code(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
