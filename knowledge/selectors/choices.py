"""Choices for the knowledge forms: communities, people, sites and measures."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from communities.models import Community
from copcore.models import Organization, User
from knowledge.selectors.access import Viewer
from measurement.models import Measure, Site

# ---------------------------------------------------------------- choices for forms


def communities_where(*, viewer: Viewer, permission: str) -> QuerySet[Community]:
    return Community.objects.filter(
        organization=viewer.organization, pk__in=viewer.ids(permission)
    ).order_by("name")


def organization_people(*, organization: Organization) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=organization).order_by(
        "display_name", "email"
    )


def active_sites(*, organization: Organization) -> QuerySet[Site]:
    return Site.objects.filter(organization=organization, is_active=True).order_by("name")


def measures_of_communities(
    *, organization: Organization, community_ids: Iterable[int]
) -> QuerySet[Measure]:
    return Measure.objects.filter(
        organization=organization, community_id__in=community_ids
    ).order_by("name")
