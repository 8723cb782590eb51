"""How an uploaded file's dates and figures are read, and the uploader's switches.

Before the dry run checks the rows, ``readings_for`` streams the stored file once
(nothing else is parsed) and decides day-first or month-first from the period column
with ``measurement.dates.decide_reading``, and decimal point or decimal comma from the
figure columns (numerator, denominator, value) with ``measurement.numbers``. The
uploader can switch either reading on the check page:
``measurement.services.import_batch_recheck`` forgets the previous dry run and checks
the stored file again with the chosen reading (an earlier choice of the other kind is
kept).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, cast

from django.conf import settings

from measurement import dates, numbers, readers
from measurement.models import ImportBatch

RECHECKABLE = (ImportBatch.Status.VALIDATED, ImportBatch.Status.INVALID)
PERIOD = 2  # index of the period cell in a row of the layout (validation.COLUMNS)
FIGURES = (5, 6, 7)  # numerator, denominator, value
# In the rare-events layout (validation.EVENT_COLUMNS): the event date; opportunities.
EVENT_DATE, EVENT_FIGURES = 2, (4,)
CHOICES = ("date_order", "number_convention")  # the switches kept in the batch report


def _language(batch: ImportBatch) -> str:
    user = batch.uploaded_by
    return (user.language if user else "") or settings.LANGUAGE_CODE


def columns_for(batch: ImportBatch) -> dict[str, str]:
    """The CoP's names for the file's columns (its import profile), if it has any."""
    from measurement.import_profiles import profile_for

    profile = profile_for(batch.community)
    return dict(profile.columns or {}) if profile is not None else {}


def readings_for(batch: ImportBatch) -> tuple[dates.Reading, numbers.NumberReading]:
    """The readings of the batch's dates and figures; the uploader's choices if made."""
    report = batch.report or {}
    chosen_order = report.get("date_order")
    chosen_convention = report.get("number_convention")
    language = _language(batch)
    evidence = numbers.NumberEvidence()
    try:
        with batch.file.open("rb") as stream:
            # Django's File proxies read/seek to the underlying file opened "rb".
            binary = cast(BinaryIO, stream)
            source = readers.open_rows(
                binary, batch.source, batch.encoding or readers.UTF8, columns_for(batch)
            )

            events = source.layout == readers.EVENTS
            figures = EVENT_FIGURES if events else FIGURES
            date_at = EVENT_DATE if events else PERIOD

            def periods() -> Iterator[str]:
                add = evidence.add
                for _line, row in source.rows:
                    for index in figures:
                        add(row[index])
                    yield row[date_at]

            cells = periods()
            date_reading = dates.decide_reading(cells, language=language, chosen=chosen_order)
            for _rest in cells:  # the dates may stop early; the figures need every row
                pass
    except readers.FileProblem:  # the dry run reports the problem itself
        date_reading = dates.decide_reading([], language=language, chosen=chosen_order)
    return date_reading, evidence.decide(language=language, chosen=chosen_convention)
