"""Celery tasks of the measurement app: they take a batch id, enter the batch's
organization scope and call a service. Both services are idempotent (a batch that
is already checked or imported is left alone), so retries are safe. The periodic
``sweep_imports`` (Celery beat, ``CELERY_BEAT_SCHEDULE``) fails interrupted imports and
removes unused staging files, one organization's scope at a time."""

from __future__ import annotations

from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from copcore.models import Organization
from measurement import services
from measurement.models import ImportBatch


def _organization_of(batch_id: int):
    with scopes_disabled():
        batch = (
            ImportBatch.objects.select_related("organization", "uploaded_by")
            .filter(pk=batch_id)
            .first()
        )
    return batch.organization if batch else None, batch


def _language_of(batch) -> str:
    """The uploader's language: the check results are written in it."""
    user = batch.uploaded_by if batch else None
    return (user.language if user else "") or settings.LANGUAGE_CODE


def _run(task, service: Callable[..., ImportBatch], batch_id: int) -> str | None:
    """Call ``service`` on the batch inside its organization's scope. OSError (storage,
    network) is retried with backoff; on the last try, or any other error, the batch
    is marked failed before the error propagates."""
    organization, batch = _organization_of(batch_id)
    if organization is None:
        return None
    with scope(organization=organization), translation.override(_language_of(batch)):
        try:
            return service(batch_id=batch_id).status
        except Exception as error:
            if task.request.retries >= task.max_retries or not isinstance(error, OSError):
                services.import_batch_fail(batch_id=batch_id, message=repr(error))
            raise


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def validate_import(self, batch_id: int) -> str | None:
    """The dry run of a large upload, in the background."""
    return _run(self, services.import_batch_validate, batch_id)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def commit_import(self, batch_id: int) -> str | None:
    """The atomic COPY-and-upsert of a large, checked upload, in the background."""
    return _run(self, services.import_batch_commit, batch_id)


@shared_task
def sweep_imports() -> dict[str, int]:
    """Fail the checks and imports whose process died, and remove the staging files no
    one can import any more. Idempotent: a second run finds nothing left to do."""
    now = timezone.now()
    with scopes_disabled():
        organization_ids = services.import_sweep_organization_ids()
        organizations = list(Organization.objects.filter(pk__in=organization_ids))
    failed = removed = 0
    for organization in organizations:
        with scope(organization=organization):
            # Staging first: a check failed below deletes its own staging file on commit.
            removed += services.import_staging_sweep(organization=organization, now=now)
            batches = ImportBatch.objects.filter(organization=organization)
            failed += len(services.import_batches_fail_stopped(batches=batches, now=now))
    return {"failed": failed, "staging_removed": removed}


# The DHIS2 connector's tasks live in their subpackage; importing them here registers
# them with Celery's autodiscovery (which reads each app's ``tasks`` module).
from measurement.dhis2 import tasks as dhis2_tasks  # noqa: E402, F401
