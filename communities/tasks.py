"""Celery tasks of the communities app."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from communities.models import Mention
from communities.services import mention_notify, roles_sync_all
from copcore.models import Organization


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def sync_role_terms() -> int:
    """Daily: roles whose term starts or ends today gain or lose their permissions."""
    return roles_sync_all()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_mention_email(organization_id: int, mention_id: int) -> bool:
    """Email a person mentioned in a post. Idempotent: a mention is emailed once."""
    with scopes_disabled():
        organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return False
    with scope(organization=organization):
        mention = Mention.objects.filter(pk=mention_id, organization=organization).first()
        if mention is None:
            return False
        return mention_notify(mention=mention)
