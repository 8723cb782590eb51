"""How an uploaded file's dates are read, and the uploader's switch.

Before the dry run checks the rows, ``reading_for`` streams the stored file's period
column once (nothing else is parsed) and decides day-first or month-first with
``measurement.dates.decide_reading``. The uploader can switch the reading on the check
page: ``import_batch_recheck`` forgets the previous dry run and checks the stored file
again with the chosen order.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from measurement import access, dates, readers
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
            source = readers.open_rows(stream, batch.source, batch.encoding or readers.UTF8)
            return dates.decide_reading(
                (row[PERIOD] for _line, row in source.rows), language=language, chosen=chosen
            )
    except readers.FileProblem:  # the dry run reports the problem itself
        return dates.decide_reading([], language=language, chosen=chosen)


@transaction.atomic
def import_batch_recheck(*, actor: User, batch: ImportBatch, date_order: str) -> ImportBatch:
    """Check a stored upload again, reading ambiguous dates in ``date_order``."""
    access.require(access.can_submit(actor, batch.community))
    if date_order not in dates.ORDERS:
        raise ValidationError({"date_order": _("Choose how to read the dates.")})
    batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
    if batch.status not in RECHECKABLE:
        raise ValidationError(
            _("Only a checked file that has not been imported can be checked again.")
        )
    staged = batch.staged_file
    if staged:
        transaction.on_commit(lambda: default_storage.delete(staged))
    batch.status = ImportBatch.Status.UPLOADED
    batch.staged_file = ""
    batch.report = {"date_order": date_order}
    batch.total_rows = batch.valid_rows = batch.error_count = 0
    batch.warning_count = batch.existing_count = 0
    batch.progress_done = 0
    batch.validated_at = None
    batch.save()
    audit_record(
        organization=batch.organization,
        actor=actor,
        verb="measurement.import_rechecked",
        target=batch,
        data={"date_order": date_order},
    )
    from measurement import services

    services.import_batch_start(batch=batch)
    return batch
