"""Celery tasks of the DHIS2 connector. ``pull_due_mappings`` (Celery beat,
``CELERY_BEAT_SCHEDULE``) finds the mappings whose scheduled pull is due, claims each by
moving its next pull forward (so a second beat does not queue it twice) and queues
``pull_mapping``, which runs the pull in the mapping's organization scope. A pull leaves
a checked import batch for the steward, like an upload; it is safe to run twice (the
second finds nothing new)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from copcore import dispatch
from measurement.dhis2 import pulls
from measurement.models import Dhis2Mapping, Dhis2Pull

PULL_MAPPING = "measurement.dhis2.tasks.pull_mapping"


@shared_task
def pull_due_mappings() -> dict[str, int]:
    now = timezone.now()
    queued = 0
    with scopes_disabled():
        due = list(pulls.due_mappings(now).values_list("pk", "schedule"))
        for mapping_id, schedule in due:
            claimed = Dhis2Mapping.objects.filter(pk=mapping_id, next_pull_at__lte=now).update(
                next_pull_at=now + pulls.SCHEDULE_STEP[schedule]
            )
            if claimed:
                dispatch.enqueue(PULL_MAPPING, mapping_id)
                queued += 1
    return {"pulled": queued}


@shared_task(bind=True, max_retries=3, retry_backoff=True)
def pull_mapping(self, mapping_id: int) -> str | None:
    """One scheduled pull; a server error is recorded on the pull (not retried here:
    the next scheduled pull tries again)."""
    with scopes_disabled():
        mapping = (
            Dhis2Mapping.objects.select_related("organization", "community")
            .filter(pk=mapping_id)
            .first()
        )
    if mapping is None:
        return None
    with scope(organization=mapping.organization):
        pull = pulls.pull_run(actor=None, mapping=mapping, trigger=Dhis2Pull.Trigger.SCHEDULE)
    return pull.status
