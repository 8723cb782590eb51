"""Reads of the communities app."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from communities.models import Community, CommunityRoleAssignment, Tag
from copcore.models import Organization


def _active_term(prefix: str) -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}starts_on__lte": today}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": today})
    )


def communities_visible(*, organization: Organization) -> QuerySet[Community]:
    """The organization's communities (every member may see their front pages), each
    annotated with the number of people holding an active role."""
    return (
        Community.objects.filter(organization=organization)
        .annotate(
            people_count=Count(
                "role_assignments__user",
                distinct=True,
                filter=_active_term("role_assignments__"),
            )
        )
        .order_by("name")
    )


def community_get(*, organization: Organization, slug: str) -> Community:
    """One community of the organization, or Http404."""
    community = Community.objects.filter(organization=organization, slug=slug).first()
    if community is None:
        raise Http404
    return community


def role_assignments(*, community: Community) -> QuerySet[CommunityRoleAssignment]:
    """All terms, current and past, newest first: the role history."""
    return (
        CommunityRoleAssignment.objects.filter(community=community)
        .select_related("user", "assigned_by")
        .order_by("-starts_on", "role")
    )


def active_role_assignments(*, community: Community) -> QuerySet[CommunityRoleAssignment]:
    return (
        CommunityRoleAssignment.objects.filter(community=community)
        .filter(_active_term(""))
        .select_related("user")
        .order_by("role", "user__display_name")
    )


def tags_of_organization(*, organization: Organization) -> QuerySet[Tag]:
    """The organization's whole tag vocabulary."""
    return Tag.objects.filter(organization=organization).order_by("name")


def tags_allowed(*, community: Community) -> QuerySet[Tag]:
    """Tags that may be used in this community (its tagging norms).

    A community whose moderators have chosen no tags allows the organization's whole
    vocabulary. Other apps (knowledge assets) use this to validate tag choices.
    """
    chosen = Tag.objects.filter(organization=community.organization, communities=community)
    if chosen.exists():
        return chosen.order_by("name")
    return tags_of_organization(organization=community.organization)
