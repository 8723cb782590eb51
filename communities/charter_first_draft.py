"""The charter's first draft, written from the design so a convener edits rather than
starts from a blank page (issue 21): the purpose from the name, problem, objectives,
expected results and target audiences; the decision rights from who holds which role;
the meeting rhythm from the planned rhythm. Pure functions over what the view read; the
text is Markdown in the convener's language, and nothing is saved until they save."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from communities.models import Community, Objective, Rhythm


@dataclass(frozen=True)
class RoleHolders:
    """One role and the names of the people holding it today."""

    role_label: str
    names: list[str]


def _bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line.strip()}" for line in lines if line and line.strip())


def first_draft(
    *, community: Community, expected_results: list[str], roles: list[RoleHolders]
) -> dict[str, str]:
    """Section texts for an empty charter draft, keyed as ``CHARTER_SECTIONS``; sections
    the design says nothing about are left empty."""
    purpose: list[str] = [community.name]
    if community.problem.strip():
        purpose.append(_("**Problem.** %(text)s") % {"text": community.problem.strip()})
    objectives = [str(Objective(key).label) for key in community.objectives if key in Objective]
    if objectives:
        purpose.append(_("**Objectives:**") + "\n\n" + _bullets(objectives))
    if expected_results:
        purpose.append(_("**Expected results:**") + "\n\n" + _bullets(expected_results))
    if community.target_audiences.strip():
        purpose.append(
            _("**Target audiences.** %(text)s") % {"text": community.target_audiences.strip()}
        )
    sections = {"purpose": "\n\n".join(purpose)}
    holders = [
        _("%(role)s: %(names)s") % {"role": entry.role_label, "names": ", ".join(entry.names)}
        for entry in roles
        if entry.names
    ]
    if holders:
        sections["decision_rights"] = (
            _("**Who holds which role today:**") + "\n\n" + _bullets(holders)
        )
    rhythm = [str(Rhythm(key).label) for key in community.rhythm if key in Rhythm]
    if community.rhythm_notes.strip():
        rhythm.append(community.rhythm_notes.strip())
    if rhythm:
        sections["meeting_rhythm"] = _bullets(rhythm)
    return sections
