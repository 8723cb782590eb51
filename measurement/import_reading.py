"""How an uploaded file's dates are read, and the uploader's switch.

Before the dry run checks the rows, ``reading_for`` streams the stored file's period
column once (nothing else is parsed) and decides day-first or month-first with
``measurement.dates.decide_reading``. The uploader can switch the reading on the check
page: ``measurement.services.import_batch_recheck`` forgets the previous dry run and
checks the stored file again with the chosen order.
"""

from __future__ import annotations

from typing import BinaryIO, cast

from django.conf import settings

from measurement import dates, readers
from measurement.models import ImportBatch

RECHECKABLE = (ImportBatch.Status.VALIDATED, ImportBatch.Status.INVALID)
PERIOD = 2  # index of the period cell in a row of the layout (validation.COLUMNS)


def _language(batch: ImportBatch) -> str:
    user = batch.uploaded_by
    return (user.language if user else "") or settings.LANGUAGE_CODE


def reading_for(batch: ImportBatch) -> dates.Reading:
    """The reading of the batch's period column; the uploader's choice if one was made."""
    chosen = (batch.report or {}).get("date_order")
    language = _language(batch)
    try:
        with batch.file.open("rb") as stream:
            # Django's File proxies read/seek to the underlying file opened "rb".
            binary = cast(BinaryIO, stream)
            source = readers.open_rows(binary, batch.source, batch.encoding or readers.UTF8)
            return dates.decide_reading(
                (row[PERIOD] for _line, row in source.rows), language=language, chosen=chosen
            )
    except readers.FileProblem:  # the dry run reports the problem itself
        return dates.decide_reading([], language=language, chosen=chosen)
