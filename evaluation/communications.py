"""First drafts of the communication outputs, written from what the results record
holds (the CoP's design, expected-result statuses and the conclusion). The convener
edits them; these are starting points, not final text."""

from __future__ import annotations

from django.template.loader import render_to_string

from communities.models import Community, Objective
from evaluation import selectors
from evaluation.models import CommunicationOutput

Kind = CommunicationOutput.Kind


def _context(community: Community) -> dict:
    expected = selectors.expected_results_with_reviews(community=community)
    conclusion = selectors.conclusion_of(community=community)
    objectives = [str(dict(Objective.choices).get(o, o)) for o in community.objectives]
    return {
        "community": community,
        "objectives": objectives,
        "expected": expected,
        "achieved": [
            r for r in expected if r.current_review and r.current_review.status == "achieved"
        ],
        "conclusion": conclusion,
        "lessons": _points(conclusion.lessons_learned if conclusion else ""),
        "recommendations": _points(conclusion.recommendations if conclusion else ""),
    }


def _points(text: str) -> list[str]:
    """Non-empty lines without list markers: the building blocks of short messages."""
    return [line.strip(" -*•\t") for line in text.splitlines() if line.strip(" -*•\t")]


def drafts(*, community: Community) -> dict[str, tuple[str, str]]:
    """(title, body) for each kind of output."""
    context = _context(community)
    out = {}
    for kind in Kind.values:
        rendered = render_to_string(f"evaluation/comms/{kind}.txt", context).strip()
        title, _sep, body = rendered.partition("\n")
        out[kind] = (title.strip(), body.strip() + "\n")
    if Kind.SOCIAL in out:
        title, body = out[Kind.SOCIAL]
        lines = [line[:280] for line in body.splitlines() if line.strip()]
        out[Kind.SOCIAL] = (title, "\n".join(lines) + "\n")
    return out
