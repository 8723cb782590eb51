"""Reads of the core app. Cross-organization reads happen only here, for one user."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, QuerySet
from django_scopes import scopes_disabled

from copcore import versioned_cache
from copcore.models import (
    AccessVersion,
    AuditEvent,
    Invitation,
    Organization,
    OrganizationMembership,
    User,
)

MEMBERSHIPS_CACHE_SECONDS = 24 * 3600


class Tenancy(NamedTuple):
    organization: Organization
    membership: OrganizationMembership
    memberships: list[OrganizationMembership]  # all of the user's, for the switcher
    access_version: str


def access_version() -> str:
    """The installation's access version (see :class:`AccessVersion`). Read with a
    plain cursor: it is read on every organization page, and the ORM's statement
    building costs several times the query itself."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {AccessVersion._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else "initial"


def organization_for_request(*, user: User, slug: str) -> Tenancy | None:
    """The active organization with this slug, the user's membership in it and all the
    user's memberships (for the organization switcher), or None.

    The memberships are cached under the access version, which triggers change on
    every write to organizations and memberships: a page costs one token read, and a
    removed membership takes effect on the next request. None covers "no such
    organization" and "not a member" alike, so callers cannot tell them apart (and
    neither can the person asking).
    """
    token = access_version()
    key = f"tenancy:memberships:{user.pk}:{token}"
    memberships = versioned_cache.get(key)
    if memberships is None:
        memberships = user_memberships(user=user)
        versioned_cache.set(key, memberships, MEMBERSHIPS_CACHE_SECONDS)
    for membership in memberships:
        if membership.organization.slug == slug:
            return Tenancy(membership.organization, membership, memberships, token)
    return None


def user_memberships(*, user: User) -> list[OrganizationMembership]:
    """The user's memberships in every active organization, for the switcher and the API."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            OrganizationMembership.objects.select_related("organization")
            .filter(user=user, organization__is_active=True)
            .order_by("organization__name")
        )


def user_organizations(*, user: User | AnonymousUser) -> QuerySet[Organization]:
    """Active organizations the user belongs to, each annotated with the user's ``role``."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return (
        Organization.objects.filter(is_active=True, memberships__user=user)
        .annotate(role=F("memberships__role"))
        .order_by("name")
    )


def organization_members(*, organization: Organization) -> QuerySet[OrganizationMembership]:
    return (
        OrganizationMembership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def pending_invitations(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True
    ).select_related("invited_by")


def invitation_by_key(*, key) -> Invitation | None:
    """An invitation found by the key inside a verified signed token (no scope yet)."""
    with scopes_disabled():
        return Invitation.objects.select_related("organization").filter(key=key).first()


def audit_events(
    *,
    organization: Organization,
    actor_id: int | None = None,
    verb: str | None = None,
    target_type_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The organization's audit events, newest first, filtered as the audit page asks."""
    events = AuditEvent.objects.filter(organization=organization).select_related(
        "actor", "target_type"
    )
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if verb:
        events = events.filter(verb=verb)
    if target_type_id:
        events = events.filter(target_type_id=target_type_id)
    if date_from:
        events = events.filter(created_at__date__gte=date_from)
    if date_to:
        events = events.filter(created_at__date__lte=date_to)
    return events


def audit_filter_choices(*, organization: Organization) -> dict:
    """Verbs and target types that occur in the organization's log, for the filter form."""
    events = AuditEvent.objects.filter(organization=organization)
    verbs = list(events.order_by("verb").values_list("verb", flat=True).distinct())
    type_ids = events.exclude(target_type=None).values_list("target_type", flat=True).distinct()
    types = list(ContentType.objects.filter(id__in=type_ids).order_by("model"))
    return {"verbs": verbs, "target_types": types}


def person_open_roles(*, organization: Organization, user: User) -> list:
    """The role terms a person holds now or later in the organization's CoPs: what a
    removal would end, shown on its confirmation page."""
    from django.db.models import Q
    from django.utils import timezone

    from communities.models import CommunityRoleAssignment

    today = timezone.localdate()
    return list(
        CommunityRoleAssignment.objects.filter(organization=organization, user=user)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
        .select_related("community")
        .order_by("community__name", "role")
    )
