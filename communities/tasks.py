"""Celery tasks of the communities app."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from communities.models import CommunityInvitation, JoinRequest, Mention
from communities.services import (
    community_invitation_notify,
    join_decision_notify,
    mention_notify,
    roles_sync_all,
)
from copcore.models import Organization


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def sync_role_terms() -> int:
    """Daily: roles whose term starts or ends today gain or lose their permissions."""
    return roles_sync_all()


def _in_scope(organization_id: int, model, pk: int, notify) -> bool:
    """Load the row inside its organization's scope and call the notifying service."""
    with scopes_disabled():
        organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return False
    with scope(organization=organization):
        row = model.objects.filter(pk=pk, organization=organization).first()
        return False if row is None else notify(row)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_mention_email(organization_id: int, mention_id: int) -> bool:
    """Email a person mentioned in a post. Idempotent: a mention is emailed once."""
    return _in_scope(organization_id, Mention, mention_id, lambda row: mention_notify(mention=row))


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_community_invitation_email(organization_id: int, invitation_id: int) -> bool:
    """Email an invitation to a community. Idempotent: each is emailed once."""
    return _in_scope(
        organization_id,
        CommunityInvitation,
        invitation_id,
        lambda row: community_invitation_notify(invitation=row),
    )


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_join_decision_email(organization_id: int, join_request_id: int) -> bool:
    """Email the decision on a join request. Idempotent: each is emailed once."""
    return _in_scope(
        organization_id,
        JoinRequest,
        join_request_id,
        lambda row: join_decision_notify(join_request=row),
    )
