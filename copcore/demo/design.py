"""The Design CoP (alcohol assertive outreach), part way through the wizard: name,
problem and objectives chosen, two expected results, roles being filled; its gate
still lists the target audiences, a facilitator and the charter. And the second
organization's own small CoP, so tenancy can be seen."""

from __future__ import annotations

from typing import Any

from communities import services as communities
from communities.models import Community, Phase
from copcore.demo.clock import days_ago
from copcore.demo.people import (
    CONVENER,
    EXPERT,
    FACILITATOR,
    MEMBER,
    MODERATOR,
    OUTSIDER,
    SPONSOR,
    STEWARD,
    Cast,
    community,
    term,
)
from copcore.permissions import CommunityRole
from measurement import services as measurement
from measurement.models import Site

NAME = "CoP to reduce alcohol-related readmissions through assertive outreach"
SLUG = "alcohol-outreach"
STEPS: dict[str, dict[str, Any]] = {
    "domain": {"topic": "Alcohol assertive outreach"},
    "problem": {
        "problem": (
            "A small group of people with alcohol dependence account for a third of "
            "emergency readmissions; outreach teams work differently at each site."
        )
    },
    "objectives": {"objectives": ["problem_solving", "best_practices"]},
}
RESULTS = [
    ("A 20% fall in alcohol-related readmissions among people on the outreach caseload",
     "Monthly readmissions per site, run chart"),
    ("One shared outreach model agreed by the three teams",
     "Published model in the knowledge base"),
]  # fmt: skip


def design_community(cast: Cast) -> Community:
    started = days_ago(40)
    cop, _created = community(cast, NAME, SLUG, since=started)
    term(cast, cop, CONVENER, CommunityRole.CONVENER, started)
    term(cast, cop, MODERATOR, CommunityRole.MODERATOR, days_ago(12))
    term(cast, cop, STEWARD, CommunityRole.DATA_STEWARD, days_ago(12))
    term(cast, cop, EXPERT, CommunityRole.EXPERT_BY_EXPERIENCE, days_ago(5))
    # The other personas take part too (the facilitator as a member: the design still
    # needs a facilitator, which the gate says).
    term(cast, cop, FACILITATOR, CommunityRole.MEMBER, days_ago(5))
    term(cast, cop, MEMBER, CommunityRole.MEMBER, days_ago(5))
    term(cast, cop, SPONSOR, CommunityRole.SPONSOR, days_ago(12))
    if cop.phase != Phase.ARCHIVED:
        from copcore.demo.knowledge import searchable_basics

        searchable_basics(
            cast, cop, "alcohol-related readmissions", "a follow-up call within 48 hours"
        )
    if cop.phase != Phase.DESIGN or "objectives" in cop.design_steps_saved:
        return cop
    communities.community_design_save(
        actor=cast.convener, community=cop, step="name", values={"name": NAME}
    )
    for step, values in STEPS.items():
        communities.community_design_save(
            actor=cast.convener, community=cop, step=step, values=dict(values)
        )
    communities.expected_results_set(actor=cast.convener, community=cop, results=RESULTS)
    return cop


def other_organization(cast: Cast) -> Community:
    cop, created = community(
        cast, "CoP to improve postpartum follow-up", "postpartum", organization=cast.other
    )
    if created or not Site.objects.filter(organization=cast.other, code="SVM").exists():
        if not Site.objects.filter(organization=cast.other, code="SVM").exists():
            measurement.site_save(
                actor=cast[OUTSIDER], organization=cast.other, name="Southvale Maternity Unit",
                code="SVM", kind=Site.Kind.HOSPITAL, country="United Kingdom",
            )  # fmt: skip
        communities.community_design_save(
            actor=cast[OUTSIDER], community=cop, step="problem",
            values={"problem": "Half of new mothers miss their six-week check."},
        )  # fmt: skip
    return cop
