"""Celery tasks of the sessions app."""

from celery import shared_task

from sessions.services import occurrences_generate_all


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def generate_occurrences() -> int:
    """Daily: keep every active series' sessions generated six months ahead.
    Idempotent (occurrences already created are skipped), so retries are safe."""
    return occurrences_generate_all()
