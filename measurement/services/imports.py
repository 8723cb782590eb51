"""File imports (CSV/XLSX): upload, dry run, commit and failure of an ``ImportBatch``.

Bulk imports are audited per ``ImportBatch`` (checksum, who, when, counts), not per
row. The dry run writes its progress outside the final transaction so the status
page can show it; everything it concludes is saved atomically at the end. Large
files run in the background: the tasks are enqueued by name through
``copcore.dispatch`` (tasks import services, never the reverse). Each run holds the
batch's run lock and keeps its heartbeat fresh (``measurement.heartbeat``), so a run
whose process died is found and failed (``import_recovery``).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from copcore import dispatch
from copcore.models import User
from copcore.services import audit_record
from measurement import (
    access,
    bulk,
    dates,
    heartbeat,
    import_profiles,
    import_reading,
    numbers,
    readers,
)
from measurement.event_import import EventRowChecker, commit_staged_events
from measurement.models import (
    ImportBatch,
    Observation,
)
from measurement.validation import COLUMNS, Report, RowChecker, ValidationContext

PROGRESS_EVERY = 25_000
# The background tasks, by name (measurement/tasks.py imports this module).
VALIDATE_IMPORT = "measurement.tasks.validate_import"
COMMIT_IMPORT = "measurement.tasks.commit_import"


def _inline_limit() -> int:
    """Files up to this size are checked and imported inside the request."""
    return getattr(settings, "MEASUREMENT_INLINE_IMPORT_BYTES", 256 * 1024)


def _committed_twin(batch: ImportBatch) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(
            community=batch.community,
            checksum=batch.checksum,
            status=ImportBatch.Status.COMMITTED,
        )
        .exclude(pk=batch.pk)
        .first()
    )


@transaction.atomic
def import_batch_create(*, actor: User, community: Community, upload: UploadedFile) -> ImportBatch:
    """Store an uploaded file (under a random name) and recognise a re-upload.

    The checksum is SHA-256 of the bytes; a file already imported into this CoP is
    marked ``duplicate`` and can never be committed a second time.
    """
    access.require(access.can_submit(actor, community))
    name = (upload.name or "").rsplit("/", 1)[-1][:255]
    upload.seek(0)
    try:
        # An upload reads like the binary file it wraps (readers take any binary stream).
        print_ = readers.fingerprint(cast(BinaryIO, upload), name)
    except readers.FileProblem as problem:
        raise ValidationError({"file": _("This is not a CSV or XLSX file.")}) from problem
    if print_.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    batch = ImportBatch(
        organization=community.organization,
        community=community,
        uploaded_by=actor,
        source=ImportBatch.Source.XLSX if print_.kind == "xlsx" else ImportBatch.Source.CSV,
        original_name=name,
        size_bytes=print_.size,
        checksum=print_.checksum,
        encoding=print_.encoding if print_.kind == "csv" else "",
        heartbeat_at=timezone.now(),
    )
    batch.file.save(name or "upload.csv", upload, save=False)
    twin = _committed_twin(batch)
    if twin is not None:
        batch.status = ImportBatch.Status.DUPLICATE
        batch.report = {"duplicate_of": twin.pk}
    batch.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.import_uploaded",
        target=batch,
        data={
            "file": name,
            "checksum": batch.checksum,
            "bytes": batch.size_bytes,
            "duplicate_of": twin.pk if twin else None,
        },
    )
    return batch


def import_should_run_inline(batch: ImportBatch) -> bool:
    return batch.size_bytes <= _inline_limit()


def import_batch_start(*, batch: ImportBatch) -> None:
    """Run the dry run now (small files) or in the background (large ones)."""
    if batch.status != ImportBatch.Status.UPLOADED:
        return
    if import_should_run_inline(batch):
        import_batch_validate(batch_id=batch.pk)
        return
    dispatch.enqueue_on_commit(VALIDATE_IMPORT, batch.pk)


def _set_progress(batch_id: int, done: int, total: int | None = None, **extra: Any) -> None:
    """Progress is written outside the batch's final transaction so pages can read it;
    it is a sign of life too (the heartbeat)."""
    fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now(), **extra}
    if total is not None:
        fields["progress_total"] = total
    ImportBatch.objects.filter(pk=batch_id).update(**fields)


def validate_rows(
    rows: Iterator[tuple[int, tuple[str, ...]]],
    checker: RowChecker | EventRowChecker,
    sink,
    progress=None,
) -> None:
    check, write = checker.check, sink.write
    for count, (line, cells) in enumerate(rows, start=1):
        staged = check(line, cells)
        if staged is not None:
            write(staged)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress()


def import_batch_validate(*, batch_id: int) -> ImportBatch:
    """The dry run: read the file once, check every row, count what exists, and keep the
    valid rows as COPY text (in storage) ready for the commit. Idempotent: a batch
    already checked is returned unchanged."""
    with heartbeat.running(batch_id):
        return _validate(batch_id)


def _validate(batch_id: int) -> ImportBatch:
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update(of=("self",))
            .select_related("community")
            .get(pk=batch_id)
        )
        if batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATING):
            return batch
        batch.status = ImportBatch.Status.VALIDATING
        batch.progress_total = batch.size_bytes
        batch.progress_done = 0
        batch.heartbeat_at = timezone.now()
        batch.save(update_fields=["status", "progress_total", "progress_done", "heartbeat_at"])
    report = Report()
    profile = import_profiles.profile_for(batch.community)
    context = ValidationContext(community=batch.community, profile=profile)
    reading, number_reading = import_reading.readings_for(batch)
    report.date_reading = reading.as_json()
    report.number_reading = number_reading.as_json()
    staged_name = ""
    delimiter = ""
    file_problem: readers.FileProblem | None = None
    with batch.file.open("rb") as stream, tempfile.TemporaryFile(mode="w+b") as spool:
        try:
            source = readers.open_rows(
                cast(BinaryIO, stream),
                batch.source,
                batch.encoding or readers.UTF8,
                dict(profile.columns or {}) if profile is not None else None,
            )
        except readers.FileProblem as problem:
            file_problem = problem
            report.header = problem.header
        else:
            delimiter = source.delimiter
            report.header = list(source.header)
            if batch.source == ImportBatch.Source.XLSX:
                _set_progress(batch_id, 0, source.total)
                batch.progress_total = source.total
            sink = TextSink(spool)
            progress_of = source.progress
            checker_class = EventRowChecker if source.layout == readers.EVENTS else RowChecker
            if source.layout == readers.EVENTS:
                report.layout = source.layout
            validate_rows(
                source.rows,
                checker_class(
                    context, report, date_order=reading.order, number_reading=number_reading
                ),
                sink,
                progress=lambda: _set_progress(batch_id, progress_of()),
            )
            sink.flush()
            for column in source.unused_columns:
                report.warning(1, column, "unused_column", {"column": column})
            if report.error_count == 0 and report.valid_rows:
                spool.seek(0)
                staged_name = _save_staged(batch, spool)
    if file_problem is not None:
        _file_error(report, file_problem)
    if report.total_rows == 0 and report.error_count == 0:
        report.error(2, "", "empty_file")
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch_id)
        if batch.status != ImportBatch.Status.VALIDATING:
            # Given up while this run was paused (see import_recovery): keep nothing.
            transaction.on_commit(lambda: discard_staged(staged_name))
            return batch
        batch.status = (
            ImportBatch.Status.INVALID if report.error_count else ImportBatch.Status.VALIDATED
        )
        batch.delimiter = delimiter
        batch.staged_file = staged_name
        copy_counts(batch, report)
        batch.progress_done = batch.progress_total
        batch.validated_at = timezone.now()
        batch.save()
        audit_record(
            organization=batch.organization,
            actor=batch.uploaded_by,
            verb="measurement.import_checked",
            target=batch,
            data={
                "rows": report.total_rows,
                "errors": report.error_count,
                "warnings": report.warning_count,
                "existing": report.existing_count,
            },
        )
    return batch


def _save_staged(batch: ImportBatch, spool: BinaryIO) -> str:
    """Save the checked rows, naming the file on the batch *before* it exists: whatever
    happens to this process, the staging sweep knows whose file it is."""
    planned = f"measurement/staging/{batch.organization_id}/{uuid.uuid4().hex}.tsv"
    ImportBatch.objects.filter(pk=batch.pk).update(staged_file=planned)
    saved = default_storage.save(planned, File(spool))
    if saved != planned:
        ImportBatch.objects.filter(pk=batch.pk).update(staged_file=saved)
    return saved


class TextSink:
    """Buffers COPY text lines and writes them to a binary file in large blocks."""

    def __init__(self, target, block: int = 4096) -> None:
        self.target = target
        self.block = block
        self.lines: list[str] = []

    def write(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= self.block:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.target.write("".join(self.lines).encode("utf-8"))
            self.lines.clear()


def _file_error(report: Report, problem: readers.FileProblem) -> None:
    if problem.code == "missing_column":
        report.error(
            1,
            problem.column,
            "missing_column",
            {"columns": problem.message, "layout": ", ".join(COLUMNS)},
        )
    elif problem.code == "empty_file":
        report.error(1, "", "empty_file", {}, "empty_file_header")
    else:
        report.error(1, "", "unreadable_file")


def copy_counts(batch: ImportBatch, report: Report) -> None:
    batch.total_rows = report.total_rows
    batch.valid_rows = report.valid_rows
    batch.error_count = report.error_count
    batch.warning_count = report.warning_count
    batch.existing_count = report.existing_count
    batch.report = {**(batch.report or {}), **report.as_json()}


def import_batch_request_commit(
    *, actor: User, batch: ImportBatch, on_existing: str
) -> ImportBatch:
    """The steward's go-ahead after the preview: skip or overwrite existing rows.

    Small batches are imported at once; large ones are queued for the worker.
    """
    access.require(access.can_submit(actor, batch.community))
    if on_existing not in ImportBatch.OnExisting.values:
        raise ValidationError({"on_existing": _("Choose skip or overwrite.")})
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
        if batch.status in (ImportBatch.Status.COMMITTED, ImportBatch.Status.QUEUED):
            return batch
        if batch.status != ImportBatch.Status.VALIDATED or batch.error_count:
            raise ValidationError(_("Only a checked file without errors can be imported."))
        if "number_reading" not in (batch.report or {}):
            # Checked before figures were read by convention (a staged 1.806 could mean
            # 1806): the stored rows are not trusted.
            raise ValidationError(
                _(
                    "This file was checked before figures were read in your language's "
                    "convention: upload it again to have it checked."
                )
            )
        twin = _committed_twin(batch)
        if twin is not None:
            batch.status = ImportBatch.Status.DUPLICATE
            batch.report = {**batch.report, "duplicate_of": twin.pk}
            batch.save(update_fields=["status", "report"])
            return batch
        batch.on_existing = on_existing
        batch.status = ImportBatch.Status.QUEUED
        batch.committed_by = actor
        batch.progress_done = 0
        batch.progress_total = batch.valid_rows
        batch.heartbeat_at = timezone.now()
        batch.save(
            update_fields=[
                "on_existing",
                "status",
                "committed_by",
                "progress_done",
                "progress_total",
                "heartbeat_at",
            ]
        )
        audit_record(
            organization=batch.organization,
            actor=actor,
            verb="measurement.import_requested",
            target=batch,
            data={"on_existing": on_existing},
        )
        if not import_should_run_inline(batch):
            dispatch.enqueue_on_commit(COMMIT_IMPORT, batch.pk)
            return batch
    return import_batch_commit(batch_id=batch.pk)


def import_batch_commit(*, batch_id: int) -> ImportBatch:
    """Load the checked rows with COPY and upsert them in one transaction: all or none.

    Idempotent: a committed batch is left as it is, and the unique index on committed
    checksums stops a second batch of the same file from landing. The batch row is not
    locked during the long transaction (the run lock keeps other workers out), so the
    heartbeat can stamp it and the progress can be read.
    """
    progress = _CommitProgress()
    with heartbeat.running(batch_id, progress=progress.read):
        return _commit(batch_id, progress)


class _CommitProgress:
    """The import's progress for the heartbeat: COPY reading the staging file is the
    first half of the rows; the one INSERT that follows reports nothing until it ends."""

    def __init__(self) -> None:
        self.done = 0
        self.half = 0
        self.size = 1
        self.read_bytes = 0

    def read(self) -> int:
        return self.done

    def metered(self, stream: BinaryIO, *, size: int, rows: int) -> _Metered:
        self.half, self.size = rows // 2, max(size, 1)
        return _Metered(stream, self)

    def advance(self, count: int) -> None:
        self.read_bytes += count
        self.done = min(self.half, self.half * self.read_bytes // self.size)


class _Metered:
    """A staging file that counts what COPY has read of it."""

    def __init__(self, stream: BinaryIO, progress: _CommitProgress) -> None:
        self.stream = stream
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.progress.advance(len(chunk))
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = self.stream.readline(size)
        self.progress.advance(len(line))
        return line


def _commit(batch_id: int, progress: _CommitProgress) -> ImportBatch:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch_id)
        if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.COMMITTING):
            return batch
        batch.status = ImportBatch.Status.COMMITTING
        batch.progress_done = 0
        batch.heartbeat_at = timezone.now()
        batch.save(update_fields=["status", "progress_done", "heartbeat_at"])
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_related("organization", "committed_by").get(
                pk=batch_id
            )
            if batch.status != ImportBatch.Status.COMMITTING:
                return batch
            size = default_storage.size(batch.staged_file)
            if (batch.report or {}).get("layout") == readers.EVENTS:
                # Rare events: one new row per event, then their counts per period.
                with default_storage.open(batch.staged_file, "rb") as staged:
                    staged_rows = inserted = commit_staged_events(batch, cast(BinaryIO, staged))
                updated = 0
            else:
                with default_storage.open(batch.staged_file, "rb") as staged:
                    metered = progress.metered(
                        cast(BinaryIO, staged), size=size, rows=batch.progress_total
                    )
                    staged_rows = bulk.load_staging(metered)
                progress.done = staged_rows // 2
                inserted, updated = bulk.upsert_from_staging(
                    organization_id=batch.organization_id,
                    batch_id=batch.pk,
                    actor_id=batch.committed_by_id,
                    status=Observation.Status.SUBMITTED,
                    overwrite=batch.on_existing == ImportBatch.OnExisting.OVERWRITE,
                    now=timezone.now(),
                )
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .select_related("organization", "committed_by")
                .get(pk=batch_id)
            )
            if batch.status != ImportBatch.Status.COMMITTING:
                # Given up while this run was paused (see import_recovery): write nothing.
                transaction.set_rollback(True)
                return batch
            batch.inserted_count = inserted
            batch.updated_count = updated
            batch.skipped_count = staged_rows - inserted - updated
            batch.status = ImportBatch.Status.COMMITTED
            batch.committed_at = timezone.now()
            batch.progress_done = batch.progress_total = staged_rows
            batch.save()
            audit_record(
                organization=batch.organization,
                actor=batch.committed_by,
                verb="measurement.import_committed",
                target=batch,
                data={
                    "checksum": batch.checksum,
                    "rows": staged_rows,
                    "inserted": inserted,
                    "updated": updated,
                    "skipped": batch.skipped_count,
                    "on_existing": batch.on_existing,
                },
            )
    except IntegrityError as error:
        twin = _committed_twin(ImportBatch.objects.get(pk=batch_id))
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.DUPLICATE if twin else ImportBatch.Status.FAILED,
            failure="" if twin else str(error)[:2000],
            failed_step="" if twin else ImportBatch.Step.IMPORT,
            failure_reason="" if twin else ImportBatch.FailureReason.ERROR,
        )
        return ImportBatch.objects.get(pk=batch_id)
    staged_name = batch.staged_file
    transaction.on_commit(lambda: discard_staged(staged_name))
    return batch


def discard_staged(name: str) -> None:
    """Delete a staging file (nothing when there is none)."""
    if name and default_storage.exists(name):
        default_storage.delete(name)


def import_batch_fail(*, batch_id: int, message: str) -> None:
    """Record that the worker gave up on a batch (after its retries): the step it was
    at decides what "start again" means; a check's staging file is of no more use."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update(of=("self",))
            .exclude(status=ImportBatch.Status.COMMITTED)
            .filter(pk=batch_id)
            .first()
        )
        if batch is None:
            return
        checking = batch.status in (ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATING)
        if checking and batch.staged_file:
            staged, batch.staged_file = batch.staged_file, ""
            transaction.on_commit(lambda: discard_staged(staged))
        if batch.status != ImportBatch.Status.FAILED:
            batch.failed_step = ImportBatch.Step.CHECK if checking else ImportBatch.Step.IMPORT
        batch.status = ImportBatch.Status.FAILED
        batch.failure_reason = ImportBatch.FailureReason.ERROR
        batch.failure = message[:2000]
        batch.save(
            update_fields=["status", "failed_step", "failure_reason", "failure", "staged_file"]
        )


# API rows ---------------------------------------------------------------------------


@transaction.atomic
def import_batch_recheck(
    *,
    actor: User,
    batch: ImportBatch,
    date_order: str | None = None,
    number_convention: str | None = None,
) -> ImportBatch:
    """Check a stored upload again, reading ambiguous dates in ``date_order`` or
    figures in ``number_convention`` (``numbers.POINT`` or ``numbers.COMMA``); a choice
    made earlier for the other reading is kept."""
    access.require(access.can_submit(actor, batch.community))
    if date_order is None and number_convention is None:
        raise ValidationError({"date_order": _("Choose how to read the dates.")})
    if date_order is not None and date_order not in dates.ORDERS:
        raise ValidationError({"date_order": _("Choose how to read the dates.")})
    if number_convention is not None and number_convention not in numbers.CONVENTIONS:
        raise ValidationError({"number_convention": _("Choose how to read the figures.")})
    choices: dict[str, str] = {}
    if date_order is not None:
        choices["date_order"] = date_order
    if number_convention is not None:
        choices["number_convention"] = number_convention
    return check_again(
        actor=actor,
        batch=batch,
        choices=choices,
        verb="measurement.import_rechecked",
        data=choices,
    )


def check_again(
    *, actor: User, batch: ImportBatch, choices: dict[str, str], verb: str, data: dict[str, Any]
) -> ImportBatch:
    """Check the stored file again (no new upload): forget the previous dry run, keep
    the uploader's earlier reading choices with ``choices`` over them, audit ``verb``.
    Call inside a transaction, after the caller's permission check."""
    batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
    if batch.status not in import_reading.RECHECKABLE:
        raise ValidationError(
            _("Only a checked file that has not been imported can be checked again.")
        )
    staged = batch.staged_file
    if staged:
        transaction.on_commit(lambda: default_storage.delete(staged))
    previous = batch.report or {}
    kept = {key: previous[key] for key in import_reading.CHOICES if previous.get(key)}
    choices = {**kept, **choices}
    batch.status = ImportBatch.Status.UPLOADED
    batch.staged_file = ""
    batch.report = choices
    batch.total_rows = batch.valid_rows = batch.error_count = 0
    batch.warning_count = batch.existing_count = 0
    batch.progress_done = 0
    batch.validated_at = None
    batch.heartbeat_at = timezone.now()
    batch.save()
    audit_record(organization=batch.organization, actor=actor, verb=verb, target=batch, data=data)
    import_batch_start(batch=batch)
    return batch
