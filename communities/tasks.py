"""Celery tasks of the communities app."""

from celery import shared_task

from communities.services import roles_sync_all


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def sync_role_terms() -> int:
    """Daily: roles whose term starts or ends today gain or lose their permissions."""
    return roles_sync_all()
