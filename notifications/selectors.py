"""Reads of the notifications app: a person's own delivery log and their CoPs, and the
member whose log an org admin opens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from communities.models import Community
from copcore.models import Organization, OrganizationMembership, User
from notifications.models import CommunityOptOut, DeliveryRecord


def delivery_log(*, user: User, kind: str = "") -> QuerySet[DeliveryRecord]:
    """What was sent to this person, newest first (optionally one kind)."""
    records = DeliveryRecord.objects.filter(user=user).order_by("-created_at", "-id")
    if kind:
        records = records.filter(kind=kind)
    return records


def member_get(*, organization: Organization, user_id: int) -> User:
    """A member of the organization, or Http404 (a stranger, or no such person)."""
    membership = (
        OrganizationMembership.objects.filter(organization=organization, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    return membership.user


def communities_of(*, user: User, organization: Organization) -> QuerySet[Community]:
    """The CoPs of this organization in which the person holds (or held) a role."""
    return (
        Community.objects.filter(organization=organization, role_assignments__user=user)
        .distinct()
        .order_by("name")
    )


def opted_out_ids(*, user: User, organization: Organization) -> set[int]:
    return set(
        CommunityOptOut.objects.filter(user=user, organization=organization).values_list(
            "community_id", flat=True
        )
    )
