"""Celery tasks: the hourly tick fans out batches of person ids; batch tasks compose,
reserve and send. Every task takes ids and the tick's time (so a retry computes the
same periods), is idempotent through the delivery records, and retries with backoff
when the SMTP server cannot take a message. With REDIS_URL unset they run eagerly."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from notifications import services
from notifications.delivery import TransientDeliveryError

log = logging.getLogger(__name__)

BATCH_SIZE = 300


def _when(now_iso: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(now_iso) if now_iso else timezone.now()


def chunks(values: list, size: int = BATCH_SIZE):
    for start in range(0, len(values), size):
        yield values[start : start + size]


@shared_task(name="notifications.tick")
def tick(now_iso: str | None = None) -> dict[str, int]:
    """Hourly (Celery beat): enqueue digest batches for everyone whose local send time
    has come in the current period, and reminder batches for every kind."""
    now = _when(now_iso)
    when = now.isoformat()
    counts = {"digest": 0}
    for batch in chunks(services.digest_due_user_ids(now=now)):
        send_digest_batch.delay(batch, when)
        counts["digest"] += len(batch)
    for kind, pairs in services.reminders_due(now=now).items():
        counts[kind] = len(pairs)
        for batch in chunks(pairs):
            send_reminder_batch.delay(kind, [list(p) for p in batch], when)
    log.info("notifications tick at %s: %s", when, counts)
    return counts


@shared_task(
    name="notifications.send_digest_batch",
    bind=True,
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
    acks_late=True,
)
def send_digest_batch(self, user_ids: list[int], now_iso: str | None = None) -> dict[str, int]:
    outcome = services.digests_send(user_ids=user_ids, now=_when(now_iso))
    return {"sent": len(outcome.sent), "failed": len(outcome.failed), "skipped": outcome.skipped}


@shared_task(
    name="notifications.send_reminder_batch",
    bind=True,
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
    acks_late=True,
)
def send_reminder_batch(
    self, kind: str, pairs: list[list], now_iso: str | None = None
) -> dict[str, int]:
    outcome = services.reminders_send(
        kind=kind, pairs=[(int(u), str(k)) for u, k in pairs], now=_when(now_iso)
    )
    return {"sent": len(outcome.sent), "failed": len(outcome.failed), "skipped": outcome.skipped}


@shared_task(
    name="notifications.tasks.send_followed_reply",
    bind=True,
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
    acks_late=True,
)
def send_followed_reply(self, organization_id: int, post_id: int) -> dict[str, int]:
    """Email a reply at once to the followers who asked for that. Takes ids; the
    delivery record per (person, post) makes a retry send nothing twice."""
    from notifications.followed import send_followed_reply as send

    outcome = send(post_id=post_id)
    return {"sent": len(outcome.sent), "failed": len(outcome.failed), "skipped": outcome.skipped}
