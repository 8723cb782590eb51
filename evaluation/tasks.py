"""Celery tasks of the evaluation app: take ids, enter the organization's scope, call a
service. Enqueued with ``transaction.on_commit`` by the services."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scope, scopes_disabled


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def build_results_record(record_id: int) -> str | None:
    """Build one results record's ZIP. Idempotent: a record already built is left as it
    is; a missing record (deleted meanwhile) is ignored."""
    from evaluation.models import ResultsRecord
    from evaluation.services import results_record_build

    with scopes_disabled():
        record = (
            ResultsRecord.objects.select_related("organization", "community")
            .filter(pk=record_id)
            .first()
        )
    if record is None:
        return None
    with scope(organization=record.organization):
        return results_record_build(record=record).status
