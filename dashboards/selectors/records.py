"""The dashboards' stored settings and inputs as the pages read them: the disclosure
rule, remembered chart choices, the sites a note or cost may be about, and the
reviews of a CoP's expected results.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from communities import selectors as community_selectors
from communities.models import Community
from copcore.models import Organization
from dashboards.models import (
    DisclosureRule,
    ExpectedResultReview,
    MeasureChartPreference,
)
from measurement.models import (
    Site,
)

# ---------------------------------------------------------------- the pages' other reads


def disclosure_rule_get(*, organization: Organization) -> DisclosureRule | None:
    """The organization's stored disclosure rule (None: the safe default applies)."""
    return DisclosureRule.objects.filter(organization=organization).first()


def chart_preference(*, user, measure_id: int) -> tuple[str, str] | None:
    """The (chart type, rules) the person last chose for a measure, if any."""
    found = (
        MeasureChartPreference.objects.filter(measure_id=measure_id, user=user)
        .values_list("chart_type", "method")
        .first()
    )
    return (found[0], found[1]) if found else None


def enrolled_sites(*, community: Community) -> QuerySet[Site]:
    """The sites enrolled in the CoP (the sites a note or a cost may be about)."""
    return Site.objects.filter(organization=community.organization, enrolments__community=community)


def enrolled_site(*, community: Community, site_id: int | str | None) -> Site | None:
    """One of the CoP's enrolled sites by id (None for anything else)."""
    raw = str(site_id or "")
    if not raw.isdigit():
        return None
    return enrolled_sites(community=community).filter(pk=int(raw)).first()


def expected_results_reviewed(*, community: Community) -> list[dict[str, Any]]:
    """The CoP's expected results in order, each with its review (or None)."""
    reviews = {r.position: r for r in ExpectedResultReview.objects.filter(community=community)}
    return [
        {"result": result, "review": reviews.get(result.position)}
        for result in community_selectors.expected_results(community=community)
    ]
