"""Interrupted imports: finding them, starting them again, clearing their staging files.

When the process checking or importing a file dies (killed, out of memory, the server
restarts) nothing half-written remains: the import is one transaction and the check
writes its conclusions at the end. But the batch would stay "Checking" or "Importing"
for ever. Here such a batch is found (an old heartbeat and no session holding its run
lock, see ``measurement.heartbeat``) and marked failed, both when someone opens its page
and by the periodic sweep (``measurement.tasks.sweep_imports``); ``import_batch_retry``
starts it again from the stored file; ``import_staging_sweep`` removes the staging files
that no one can import any more. Every change is audited against its ``ImportBatch``.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from copcore import dispatch
from copcore.models import Organization, User
from copcore.services import audit_record
from measurement import access, heartbeat, import_reading
from measurement.models import (
    RUNNING_STATUSES,
    WAITING_STATUSES,
    WORKING_STATUSES,
    ImportBatch,
)
from measurement.services.imports import (
    COMMIT_IMPORT,
    _committed_twin,
    discard_staged,
    import_batch_commit,
    import_batch_start,
    import_should_run_inline,
)

logger = logging.getLogger(__name__)

STAGING_ROOT = "measurement/staging"
Status = ImportBatch.Status


def _keep_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "MEASUREMENT_IMPORT_STAGING_KEEP_DAYS", 7))


def _last_sign_of_life(batch: ImportBatch) -> dt.datetime:
    return batch.heartbeat_at or batch.created_at


def import_batch_is_stale(batch: ImportBatch, now: dt.datetime | None = None) -> bool:
    """Has the work on this running batch gone quiet for too long? (Checked again under
    the run lock before anything is changed.)"""
    if batch.status not in RUNNING_STATUSES:
        return False
    limit = (
        heartbeat.stale_seconds()
        if batch.status in WORKING_STATUSES
        else heartbeat.queue_timeout_seconds()
    )
    quiet = (now or timezone.now()) - _last_sign_of_life(batch)
    return quiet > dt.timedelta(seconds=limit)


def _stale(batches: QuerySet[ImportBatch], now: dt.datetime) -> QuerySet[ImportBatch]:
    working = now - dt.timedelta(seconds=heartbeat.stale_seconds())
    waiting = now - dt.timedelta(seconds=heartbeat.queue_timeout_seconds())
    return batches.annotate(last_sign=Coalesce("heartbeat_at", "created_at")).filter(
        Q(status__in=WORKING_STATUSES, last_sign__lt=working)
        | Q(status__in=WAITING_STATUSES, last_sign__lt=waiting)
    )


def import_batches_fail_stopped(
    *, batches: QuerySet[ImportBatch], now: dt.datetime | None = None
) -> list[int]:
    """Mark failed every batch of ``batches`` whose check or import stopped; returns
    their ids. Idempotent; a slow run still holding its run lock is left alone."""
    now = now or timezone.now()
    candidates = list(_stale(batches, now).values_list("pk", flat=True))
    return [batch_id for batch_id in candidates if _fail_if_stopped(batch_id, now)]


def import_batch_fail_if_stopped(
    *, batch: ImportBatch, now: dt.datetime | None = None
) -> ImportBatch:
    """For the upload's page and status API: the batch, failed first if its work
    stopped, so no one waits on a dead job. No query unless the heartbeat is old."""
    if not import_batch_is_stale(batch, now):
        return batch
    if _fail_if_stopped(batch.pk, now or timezone.now()):
        batch.refresh_from_db()
    return batch


@transaction.atomic
def _fail_if_stopped(batch_id: int, now: dt.datetime) -> bool:
    batch = (
        ImportBatch.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("organization")
        .filter(pk=batch_id)
        .first()
    )
    # A locked row is being written right now (the import's rows hold a lock on it too).
    if batch is None or not import_batch_is_stale(batch, now):
        return False
    if not heartbeat.run_lock_free(batch_id):
        return False  # a session still runs it: slow, not dead
    previous = batch.status
    checking = previous in (Status.UPLOADED, Status.VALIDATING)
    batch.status = Status.FAILED
    batch.failed_step = ImportBatch.Step.CHECK if checking else ImportBatch.Step.IMPORT
    batch.failure_reason = (
        ImportBatch.FailureReason.STOPPED
        if previous in WORKING_STATUSES
        else ImportBatch.FailureReason.NOT_STARTED
    )
    batch.failure = ""
    staged = ""
    if checking and batch.staged_file:  # a check that did not finish: its rows are unusable
        staged, batch.staged_file = batch.staged_file, ""
    batch.save(update_fields=["status", "failed_step", "failure_reason", "failure", "staged_file"])
    audit_record(
        organization=batch.organization,
        actor=None,
        verb="measurement.import_interrupted",
        target=batch,
        data={
            "status": previous,
            "step": batch.failed_step,
            "reason": batch.failure_reason,
            "last_heartbeat": _last_sign_of_life(batch).isoformat(),
            "progress": [batch.progress_done, batch.progress_total],
        },
    )
    if staged:
        transaction.on_commit(lambda: discard_staged(staged))
    return True


def import_batch_retry_step(batch: ImportBatch) -> str | None:
    """What "start again" does for a failed batch: ``import`` when an interrupted
    import's checked rows are still staged, ``check`` when the stored file can be
    checked again, None otherwise."""
    if batch.status != Status.FAILED or batch.source == ImportBatch.Source.API:
        return None
    if (
        batch.failed_step == ImportBatch.Step.IMPORT
        and batch.failure_reason
        in (ImportBatch.FailureReason.STOPPED, ImportBatch.FailureReason.NOT_STARTED)
        and batch.staged_file
        # Rows staged before figures were read by convention are not trusted (see
        # import_batch_request_commit): such a file is checked again instead.
        and "number_reading" in (batch.report or {})
    ):
        return ImportBatch.Step.IMPORT
    return ImportBatch.Step.CHECK if batch.file else None


def import_batch_retry(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Start a failed batch again ("Import again" / "Check again") from the stored file: the
    import reuses the checked rows (still all or nothing); a check starts afresh.
    The same file imported meanwhile makes the batch a duplicate instead."""
    access.require(access.can_submit(actor, batch.community))
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)
        step = import_batch_retry_step(batch)
        if step is None:
            raise ValidationError(_("Only a failed upload can be started again."))
        twin = _committed_twin(batch)
        if twin is not None:
            batch.status = Status.DUPLICATE
            batch.report = {**batch.report, "duplicate_of": twin.pk}
            batch.save(update_fields=["status", "report"])
            return batch
        if step == ImportBatch.Step.IMPORT and not default_storage.exists(batch.staged_file):
            step = ImportBatch.Step.CHECK
        batch.failed_step = batch.failure_reason = batch.failure = ""
        batch.progress_done = 0
        batch.heartbeat_at = timezone.now()
        if step == ImportBatch.Step.IMPORT:
            batch.status = Status.QUEUED
            batch.committed_by = actor
            batch.progress_total = batch.valid_rows
        else:
            _forget_check(batch)
        batch.save()
        audit_record(
            organization=batch.organization,
            actor=actor,
            verb="measurement.import_retried",
            target=batch,
            data={"step": step},
        )
        if step == ImportBatch.Step.IMPORT and not import_should_run_inline(batch):
            dispatch.enqueue_on_commit(COMMIT_IMPORT, batch.pk)
            return batch
    if step == ImportBatch.Step.IMPORT:
        return import_batch_commit(batch_id=batch.pk)
    import_batch_start(batch=batch)
    batch.refresh_from_db()
    return batch


def _forget_check(batch: ImportBatch) -> None:
    """Back to "uploaded", keeping only the uploader's choices of date and figure reading."""
    staged = batch.staged_file
    if staged:
        transaction.on_commit(lambda: discard_staged(staged))
    previous = batch.report or {}
    batch.status = Status.UPLOADED
    batch.staged_file = ""
    batch.report = {key: previous[key] for key in import_reading.CHOICES if previous.get(key)}
    batch.total_rows = batch.valid_rows = batch.error_count = 0
    batch.warning_count = batch.existing_count = 0
    batch.validated_at = None


# Staging files ---------------------------------------------------------------------------


def _staging_unused(batch: ImportBatch, now: dt.datetime) -> str | None:
    """Why the batch's staging file can go (None: it may still be imported)."""
    if batch.status in (Status.COMMITTED, Status.DUPLICATE, Status.INVALID):
        return "finished"
    if batch.status not in (Status.FAILED, Status.VALIDATED):
        return None  # a check or import is running or queued
    old = now - _last_sign_of_life(batch) > dt.timedelta(days=_keep_days())
    if batch.status == Status.VALIDATED:
        return "abandoned" if old else None
    if import_batch_retry_step(batch) == ImportBatch.Step.IMPORT:
        return "abandoned" if old else None  # kept for "Import again" until then
    return "failed"


@transaction.atomic
def _release_staging(batch_id: int, now: dt.datetime) -> bool:
    batch = (
        ImportBatch.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("organization")
        .filter(pk=batch_id)
        .exclude(staged_file="")
        .first()
    )
    reason = _staging_unused(batch, now) if batch is not None else None
    if batch is None or reason is None:
        return False
    name, previous = batch.staged_file, batch.status
    batch.staged_file = ""
    if batch.status == Status.VALIDATED:
        # An abandoned check can no longer be imported without checking it again.
        batch.status = Status.FAILED
        batch.failed_step = ImportBatch.Step.CHECK
        batch.failure_reason = ImportBatch.FailureReason.EXPIRED
    batch.save(update_fields=["staged_file", "status", "failed_step", "failure_reason"])
    audit_record(
        organization=batch.organization,
        actor=None,
        verb="measurement.import_staging_removed",
        target=batch,
        data={"file": name, "status": previous, "reason": reason},
    )
    transaction.on_commit(lambda: discard_staged(name))
    return True


def import_staging_sweep(*, organization: Organization, now: dt.datetime | None = None) -> int:
    """Remove the organization's staging files no one can import any more: those of
    finished or failed batches, of checks left unimported for
    ``MEASUREMENT_IMPORT_STAGING_KEEP_DAYS``, and files no batch names. Returns how many.
    Idempotent; call it inside the organization's scope."""
    now = now or timezone.now()
    # Unnamed files first: a file released below is deleted once its transaction commits.
    unnamed = _remove_unnamed(organization, now)
    holders = (
        ImportBatch.objects.filter(organization=organization)
        .exclude(staged_file="")
        .exclude(status__in=RUNNING_STATUSES)
        .values_list("pk", flat=True)
    )
    released = sum(1 for batch_id in list(holders) if _release_staging(batch_id, now))
    return len(unnamed) + released


@transaction.atomic
def _remove_unnamed(organization: Organization, now: dt.datetime) -> list[str]:
    """Staging files of the organization that no batch names (a run killed before this
    module existed, a delete that failed), once they are an hour or more old: every run
    names its file on the batch before writing it."""
    folder = f"{STAGING_ROOT}/{organization.pk}"
    try:
        _folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    named = set(
        ImportBatch.objects.filter(organization=organization)
        .exclude(staged_file="")
        .values_list("staged_file", flat=True)
    )
    settled = now - dt.timedelta(seconds=heartbeat.queue_timeout_seconds())
    removed = []
    for file_name in sorted(files):
        name = f"{folder}/{file_name}"
        if name not in named and default_storage.get_modified_time(name) < settled:
            default_storage.delete(name)
            removed.append(name)
    if removed:
        logger.info("removed %d unnamed staging files of organization %s", len(removed), folder)
        audit_record(
            organization=organization,
            actor=None,
            verb="measurement.import_staging_removed",
            data={"files": removed, "reason": "unnamed"},
        )
    return removed


def import_sweep_organization_ids() -> list[int]:
    """The organizations the sweep has work in: running batches, staging files named
    on a batch, or a staging folder. Reads every tenant: call it with scopes disabled."""
    with_batches = set(
        ImportBatch.objects.filter(Q(status__in=RUNNING_STATUSES) | ~Q(staged_file=""))
        .values_list("organization_id", flat=True)
        .distinct()
    )
    try:
        folders, _files = default_storage.listdir(STAGING_ROOT)
    except (FileNotFoundError, NotADirectoryError):
        folders = []
    with_folders = {int(name) for name in folders if name.isdigit()}
    return sorted(with_batches | with_folders)
