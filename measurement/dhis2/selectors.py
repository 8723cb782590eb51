"""Reads of the DHIS2 connector, scoped to the organization and the CoP."""

from __future__ import annotations

from django.http import Http404

from communities.models import Community
from copcore.models import Organization
from measurement.models import Dhis2Connection, Dhis2Mapping, Dhis2Pull


def connection_of(*, organization: Organization) -> Dhis2Connection | None:
    return Dhis2Connection.objects.filter(organization=organization).first()


def mapping_of(*, community: Community) -> Dhis2Mapping | None:
    return (
        Dhis2Mapping.objects.filter(community=community)
        .select_related("community", "organization")
        .first()
    )


def mapping_get(*, community: Community) -> Dhis2Mapping:
    mapping = mapping_of(community=community)
    if mapping is None:
        raise Http404
    return mapping


def mapping_lines(*, mapping: Dhis2Mapping) -> dict[str, list]:
    return {
        "sites": list(mapping.sites.select_related("site")),
        "measures": list(mapping.measures.select_related("measure")),
        "categories": list(mapping.categories.select_related("category__stratifier")),
    }


def recent_pulls(*, mapping: Dhis2Mapping, limit: int = 10) -> list[Dhis2Pull]:
    return list(
        Dhis2Pull.objects.filter(mapping=mapping).select_related("batch", "requested_by")[:limit]
    )
