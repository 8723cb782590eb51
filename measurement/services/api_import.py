"""Observations written through the API: up to ``API_MAX_ROWS`` rows with the file
import's checks, all rows or none. Keyword-only, typed, atomic and audited.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import User
from copcore.services import audit_record
from measurement import access, bulk
from measurement.models import (
    ImportBatch,
    Observation,
)
from measurement.numbers import ExactNumber
from measurement.services.imports import TextSink, copy_counts, validate_rows
from measurement.validation import COLUMNS, Report, RowChecker, ValidationContext

API_MAX_ROWS = 10_000


def _api_cell(value: Any) -> str:
    """JSON numbers are numbers already (``numbers.ExactNumber``); text figures are read
    with a decimal point, the machine convention of JSON."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ExactNumber(str(value))
    return str(value)


def _api_cells(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(_api_cell(row.get(column)) for column in COLUMNS)


@dataclass
class ApiImportResult:
    batch: ImportBatch | None
    report: Report
    inserted: int = 0
    updated: int = 0
    skipped: int = 0


@transaction.atomic
def observations_import_rows(
    *,
    actor: User,
    community: Community,
    rows: list[dict[str, Any]],
    on_existing: str = ImportBatch.OnExisting.SKIP,
    dry_run: bool = False,
) -> ApiImportResult:
    """The API's bulk write: the file import's checks and its COPY path, in one call.

    Lines in the report are 1-based positions in ``rows``. With any error nothing is
    written (the caller raises); ``dry_run`` checks without writing.
    """
    access.require(access.can_submit(actor, community))
    if len(rows) > API_MAX_ROWS:
        raise ValidationError(
            {"rows": _("At most %(n)s rows per call.") % {"n": f"{API_MAX_ROWS:,}"}}
        )
    if on_existing not in ImportBatch.OnExisting.values:
        raise ValidationError({"on_existing": _("Choose skip or overwrite.")})
    report = Report()
    checker = RowChecker(ValidationContext(community=community), report)
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b") as spool:
        sink = TextSink(spool)
        validate_rows(
            ((index, _api_cells(row)) for index, row in enumerate(rows, start=1)), checker, sink
        )
        sink.flush()
        if report.error_count or dry_run or not report.valid_rows:
            return ApiImportResult(batch=None, report=report)
        checksum = hashlib.sha256(
            json.dumps(rows, sort_keys=True, default=str).encode("utf-8")
        ).hexdigest()
        batch = ImportBatch(
            organization=community.organization,
            community=community,
            uploaded_by=actor,
            committed_by=actor,
            source=ImportBatch.Source.API,
            checksum=checksum,
            on_existing=on_existing,
        )
        copy_counts(batch, report)
        batch.save()
        spool.seek(0)
        staged_rows = bulk.load_staging(spool)
        inserted, updated = bulk.upsert_from_staging(
            organization_id=community.organization_id,
            batch_id=batch.pk,
            actor_id=actor.pk,
            status=Observation.Status.SUBMITTED,
            overwrite=on_existing == ImportBatch.OnExisting.OVERWRITE,
            now=timezone.now(),
        )
    batch.inserted_count, batch.updated_count = inserted, updated
    batch.skipped_count = staged_rows - inserted - updated
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = timezone.now()
    batch.progress_done = batch.progress_total = staged_rows
    batch.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.import_committed",
        target=batch,
        data={
            "source": "api",
            "payload_sha256": checksum,
            "rows": staged_rows,
            "inserted": inserted,
            "updated": updated,
            "skipped": batch.skipped_count,
            "on_existing": on_existing,
        },
    )
    return ApiImportResult(
        batch=batch,
        report=report,
        inserted=inserted,
        updated=updated,
        skipped=batch.skipped_count,
    )
