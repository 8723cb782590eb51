"""Reading uploaded CSV and XLSX files as a stream of rows.

Nothing here holds the whole file: the checksum and encoding pass reads 1 MiB
chunks, CSV rows come from ``csv.reader`` over a decoding stream, and XLSX rows
from openpyxl's read-only (streaming) mode.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import IO, BinaryIO

from measurement.import_profiles import column_key
from measurement.numbers import ExactNumber
from measurement.validation import (
    COLUMN_ALIASES,
    COLUMNS,
    EVENT_COLUMNS,
    EVENT_REQUIRED_COLUMNS,
    REQUIRED_COLUMNS,
)

#: The two file layouts: figures per period, or one row per rare event.
OBSERVATIONS, EVENTS = "observations", "events"

CHUNK = 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
UTF8 = "utf-8-sig"  # also reads (and drops) a byte-order mark
LATIN1 = "latin-1"


class FileProblem(Exception):
    """The file as a whole cannot be read (not a row-level problem)."""

    def __init__(
        self, code: str, message: str, column: str = "", header: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.column = column
        self.header = header or []  # the file's own column names, for the mapping


@dataclass
class Fingerprint:
    checksum: str
    size: int
    kind: str  # "csv" or "xlsx"
    encoding: str  # for CSV: utf-8-sig or latin-1


def fingerprint(stream: BinaryIO, name: str = "") -> Fingerprint:
    """SHA-256, size, kind and text encoding in one streaming pass.

    UTF-8 (with or without BOM) is checked with an incremental decoder; a file
    that is not valid UTF-8 is read as Latin-1 (every byte is valid there).
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    size = 0
    head = b""
    while chunk := stream.read(CHUNK):
        if not head:
            head = chunk[:8]
        digest.update(chunk)
        size += len(chunk)
        if utf8_ok:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if head.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        kind = "xlsx"
    else:
        kind = "csv"
        if b"\x00" in head:
            raise FileProblem("unreadable_file", "not_text")
    return Fingerprint(
        checksum=digest.hexdigest(),
        size=size,
        kind=kind,
        encoding=UTF8 if utf8_ok else LATIN1,
    )


def detect_delimiter(header_line: str) -> str:
    """Semicolon, tab or comma: whichever the header line uses most (comma on ties)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def canonical_column(name: str) -> str:
    key = "_".join(str(name or "").strip().lower().replace("-", " ").split())
    return COLUMN_ALIASES.get(key, key)


def column_names(header: Iterable[str], columns: dict[str, str] | None) -> list[str]:
    """The layout column of each header cell: the CoP's import profile first (the
    file's own names), then the layout's names and aliases."""
    mapped = columns or {}
    return [mapped.get(column_key(cell)) or canonical_column(cell) for cell in header]


def layout_of(header: list[str], columns: dict[str, str] | None = None) -> str:
    """A file with an ``event_date`` column holds rare events, one per row."""
    return EVENTS if "event_date" in column_names(header, columns) else OBSERVATIONS


def column_picker(
    header: list[str], columns: dict[str, str] | None = None
) -> tuple[Callable, int, list[str]]:
    """(picker, width, unused columns): the picker returns the layout's cells of a row
    (nine for observations, five for events) padded to ``width + 1`` (missing columns
    read the trailing empty cell). ``columns`` is the CoP's import profile: the file's
    own names for the layout's columns."""
    names = column_names(header, columns)
    events = layout_of(header, columns) == EVENTS
    layout_columns = EVENT_COLUMNS if events else COLUMNS
    missing = [
        c for c in (EVENT_REQUIRED_COLUMNS if events else REQUIRED_COLUMNS) if c not in names
    ]
    if missing:
        raise FileProblem(
            "missing_column", ", ".join(missing), column=",".join(missing), header=list(header)
        )
    width = len(names)
    indices = [names.index(c) if c in names else width for c in layout_columns]
    unused = [header[i] for i, n in enumerate(names) if n and n not in layout_columns]
    return itemgetter(*indices), width, unused


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read, for progress reporting."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


@dataclass
class RowSource:
    """The rows of one file: ``rows`` yields (line number, nine cells)."""

    rows: Iterator[tuple[int, tuple[str, ...]]]
    delimiter: str
    unused_columns: list[str]
    progress: Callable[[], int]  # bytes (CSV) or rows (XLSX) read so far
    total: int = 0  # the same unit: file size, or the sheet's row count when it says so
    header: list[str] = field(default_factory=list)  # the file's own column names
    layout: str = OBSERVATIONS


def open_csv(stream: BinaryIO, encoding: str, columns: dict[str, str] | None = None) -> RowSource:
    counter = CountingReader(stream)
    text = io.TextIOWrapper(
        io.BufferedReader(counter, buffer_size=CHUNK), encoding=encoding, newline=""
    )
    first = text.readline()
    if not first.strip():
        raise FileProblem("empty_file", "empty")
    delimiter = detect_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter))
    picker, width, unused = column_picker(header, columns)
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, tuple[str, ...]]]:
        for cells in reader:
            if not cells or not any(cells):
                continue
            if len(cells) != width:
                cells = (cells + [""] * width)[:width]
            cells.append("")
            # The header was read apart from the reader: physical line = line_num + 1.
            yield reader.line_num + 1, picker(cells)

    return RowSource(
        rows(),
        delimiter,
        unused,
        lambda: counter.count,
        header=header,
        layout=layout_of(header, columns),
    )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return ExactNumber(str(int(value)))
    if isinstance(value, float):
        # A numeric cell is a number already: read as such, whatever the file's
        # convention for figures written as text (measurement.numbers).
        return ExactNumber(repr(value))
    return str(value)


# Excel serial day numbers accepted in the period column of an XLSX file: 1 January
# 1950 to 31 December 2099 (cells that are dates but not formatted as dates).
SERIAL_MIN, SERIAL_MAX = 18264, 73050


def _serial_date(value, epoch) -> str:
    """An Excel serial day number in the period column as an ISO date; other values
    as ``_cell_text`` gives them."""
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and SERIAL_MIN <= value <= SERIAL_MAX
    ):
        from openpyxl.utils.datetime import from_excel

        return from_excel(value, epoch=epoch).date().isoformat()
    return _cell_text(value)


def open_xlsx(stream: IO[bytes], columns: dict[str, str] | None = None) -> RowSource:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as error:
        raise FileProblem("unreadable_file", str(error)) from error

    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise FileProblem("empty_file", "empty")
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(v) for v in next(iterator)]
    except (StopIteration, zipfile.BadZipFile):
        raise FileProblem("empty_file", "empty")
    picker, width, unused = column_picker(header, columns)
    layout = layout_of(header, columns)
    period_at = column_names(header, columns).index("event_date" if layout == EVENTS else "period")
    epoch = workbook.epoch
    state = {"line": 1}

    def rows() -> Iterator[tuple[int, tuple[str, ...]]]:
        line = 1
        try:
            for values in iterator:
                line += 1
                state["line"] = line
                if not values or all(v is None or v == "" for v in values):
                    continue
                cells = [_cell_text(v) for v in values[:width]]
                if period_at < len(cells):
                    cells[period_at] = _serial_date(values[period_at], epoch)
                if len(cells) < width:
                    cells.extend([""] * (width - len(cells)))
                cells.append("")
                yield line, picker(cells)
        finally:
            workbook.close()

    total = sheet.max_row if isinstance(sheet.max_row, int) else 0
    return RowSource(rows(), "", unused, lambda: state["line"], total, header=header, layout=layout)


def open_rows(
    stream: BinaryIO, kind: str, encoding: str, columns: dict[str, str] | None = None
) -> RowSource:
    if kind == "xlsx":
        return open_xlsx(stream, columns)
    return open_csv(stream, encoding, columns)
