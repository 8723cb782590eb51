"""The design wizard's steps and the gate into implementation, as plain data and pure
functions (no queries) so the checklist page, the phase service and the API agree."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from copcore.permissions import CommunityRole

# (key, title) in wizard order.
STEPS: list[tuple[str, Promise]] = [
    ("name", _("Name")),
    ("domain", _("Topic and domain")),
    ("problem", _("Problem")),
    ("objectives", _("Objectives")),
    ("results", _("Expected results")),
    ("audiences", _("Target audiences")),
    ("roles", _("Members and roles")),
    ("call", _("Call for members")),
    ("dates", _("Dates")),
    ("rhythm", _("Rhythm")),
]
STEP_KEYS = [key for key, _title in STEPS]

# Community fields each simple step writes (results and roles have their own services).
STEP_FIELDS: dict[str, list[str]] = {
    "name": ["name"],
    "domain": ["topic"],
    "problem": ["problem"],
    "objectives": ["objectives"],
    "audiences": ["target_audiences"],
    "call": ["call_type"],
    "dates": ["starts_on", "planned_end_on"],
    "rhythm": ["rhythm", "rhythm_notes"],
}

LEADING_ROLES = (CommunityRole.CONVENER, CommunityRole.MODERATOR, CommunityRole.FACILITATOR)


@dataclass(frozen=True)
class DesignFacts:
    """What the checks need beyond the community row, gathered by one selector."""

    results_count: int
    active_roles: frozenset[str]
    has_published_charter: bool


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    complete: bool
    saved: bool


def step_complete(community: Community, facts: DesignFacts, key: str) -> bool:
    checks = {
        "name": bool(community.name.strip()),
        "domain": bool(community.topic.strip()),
        "problem": bool(community.problem.strip()),
        "objectives": bool(community.objectives),
        "results": 1 <= facts.results_count <= 3,
        "audiences": bool(community.target_audiences.strip()),
        "roles": all(role in facts.active_roles for role in LEADING_ROLES),
        "call": bool(community.call_type),
        "dates": community.starts_on is not None,
        "rhythm": bool(community.rhythm or community.rhythm_notes.strip()),
    }
    return checks[key]


def checklist(community: Community, facts: DesignFacts) -> list[ChecklistItem]:
    items = [
        ChecklistItem(
            key=key,
            title=str(title),
            complete=step_complete(community, facts, key),
            saved=key in community.design_steps_saved,
        )
        for key, title in STEPS
    ]
    items.append(
        ChecklistItem(
            key="charter",
            title=str(_("Published charter")),
            complete=facts.has_published_charter,
            saved=facts.has_published_charter,
        )
    )
    return items


def implementation_gate_missing(community: Community, facts: DesignFacts) -> list[str]:
    """What is missing before the CoP may move to implementation, one sentence each."""
    missing = []
    if not community.name.strip():
        missing.append(str(_("A name.")))
    if not community.problem.strip():
        missing.append(str(_("A problem statement.")))
    if not community.objectives:
        missing.append(str(_("At least one objective.")))
    if facts.results_count == 0:
        missing.append(str(_("At least one expected result.")))
    elif facts.results_count > 3:
        missing.append(str(_("No more than three expected results.")))
    if not community.target_audiences.strip():
        missing.append(str(_("The target audiences.")))
    labels = dict(CommunityRole.choices)
    for role in LEADING_ROLES:
        if role not in facts.active_roles:
            missing.append(str(_("An active %(role)s.") % {"role": labels[role].lower()}))
    if not facts.has_published_charter:
        missing.append(str(_("A published charter.")))
    return missing
