"""The design wizard's drafts and the phase transitions with their gates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communities.design import STEP_FIELDS, STEP_KEYS, implementation_gate_missing
from communities.models import (
    CallType,
    Community,
    ExpectedResult,
    Objective,
    Phase,
    PhaseTransition,
    Rhythm,
)
from communities.selectors import design_facts
from communities.services.roles import ensure_writable
from copcore.models import User
from copcore.services import audit_record


def _mark_step_saved(community: Community, step: str) -> None:
    if step not in community.design_steps_saved:
        community.design_steps_saved = [*community.design_steps_saved, step]


@transaction.atomic
def community_design_save(
    *, actor: User, community: Community, step: str, values: dict
) -> Community:
    """Save one wizard step as a draft: only that step's fields are written."""
    ensure_writable(community)
    if step not in STEP_KEYS:
        raise ValidationError(_("Unknown design step."))
    fields = STEP_FIELDS.get(step, [])
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError(_("These fields do not belong to this step: %s") % sorted(unknown))
    if "objectives" in values:
        bad = set(values["objectives"]) - set(Objective.values)
        if bad:
            raise ValidationError({"objectives": _("Unknown objective.")})
        values["objectives"] = [o for o in Objective.values if o in values["objectives"]]
    if "rhythm" in values:
        if set(values["rhythm"]) - set(Rhythm.values):
            raise ValidationError({"rhythm": _("Unknown rhythm.")})
        values["rhythm"] = [r for r in Rhythm.values if r in values["rhythm"]]
    if "call_type" in values and values["call_type"] not in CallType.values:
        raise ValidationError({"call_type": _("Choose a public or a restricted call.")})
    if "name" in values and not str(values["name"]).strip():
        raise ValidationError({"name": _("A community needs a name.")})
    start = values.get("starts_on", community.starts_on)
    end = values.get("planned_end_on", community.planned_end_on)
    if start and end and end < start:
        raise ValidationError({"planned_end_on": _("The planned end must be after the start.")})
    for name, value in values.items():
        setattr(community, name, value)
    _mark_step_saved(community, step)
    community.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.design_saved",
        target=community,
        data={"step": step, "fields": sorted(values)},
    )
    return community


@transaction.atomic
def design_step_mark_saved(*, actor: User, community: Community, step: str) -> Community:
    """Record that a step without its own fields (members and roles) was visited and saved."""
    ensure_writable(community)
    _mark_step_saved(community, step)
    community.save(update_fields=["design_steps_saved"])
    return community


@transaction.atomic
def expected_results_set(
    *, actor: User, community: Community, results: list[tuple[str, str]]
) -> list[ExpectedResult]:
    """Replace the expected results with one to three (description, how it is checked)."""
    ensure_writable(community)
    results = [(d.strip(), h.strip()) for d, h in results if d.strip()]
    if not 1 <= len(results) <= 3:
        raise ValidationError(_("Give one to three expected results."))
    ExpectedResult.objects.filter(community=community).delete()
    created = ExpectedResult.objects.bulk_create(
        [
            ExpectedResult(
                organization=community.organization,
                community=community,
                position=index,
                description=description,
                how_checked=how_checked,
            )
            for index, (description, how_checked) in enumerate(results, start=1)
        ]
    )
    _mark_step_saved(community, "results")
    community.save(update_fields=["design_steps_saved"])
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.results_set",
        target=community,
        data={"count": len(created)},
    )
    return created


ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Phase.DESIGN: {Phase.IMPLEMENTATION},
    Phase.IMPLEMENTATION: {Phase.CONCLUSION},
    Phase.CONCLUSION: {Phase.ARCHIVED, Phase.IMPLEMENTATION},
    Phase.ARCHIVED: {Phase.IMPLEMENTATION},
}
CONCLUSION_REASONS = {
    PhaseTransition.Reason.WORK_DONE,
    PhaseTransition.Reason.MEMBERS_MOVED_ON,
    PhaseTransition.Reason.PRIORITIES_CHANGED,
    PhaseTransition.Reason.OTHER,
}


@transaction.atomic
def community_phase_change(
    *, actor: User, community: Community, to_phase: str, reason: str = "", note: str = ""
) -> PhaseTransition:
    """Move a CoP to another phase if the gate allows it; audited and on the timeline.

    Design -> implementation needs a complete design; -> conclusion needs a reason;
    conclusion -> archived needs the final assessment and the results record (see
    ``evaluation.selectors.archive_blockers``) and a note saying why, and makes it
    read-only; conclusion or
    archived -> implementation
    is a reopening and needs a note saying why.
    """
    community = Community.objects.select_for_update().get(pk=community.pk)
    labels = dict(Phase.choices)
    if to_phase not in Phase.values:
        raise ValidationError({"to_phase": _("Unknown phase.")})
    if to_phase not in ALLOWED_TRANSITIONS[community.phase]:
        raise ValidationError(
            {
                "to_phase": _("A community cannot move from %(from)s to %(to)s.")
                % {"from": labels[community.phase], "to": labels[to_phase]}
            }
        )
    reopening = to_phase == Phase.IMPLEMENTATION and community.phase in (
        Phase.CONCLUSION,
        Phase.ARCHIVED,
    )
    if community.phase == Phase.DESIGN:
        missing = implementation_gate_missing(community, design_facts(community=community))
        if missing:
            raise ValidationError(
                _("The design is not complete. Missing: %(items)s") % {"items": " ".join(missing)},
                code="gate",
                params={"missing": missing},
            )
    if to_phase == Phase.ARCHIVED:
        # PAHO phase III: the final assessment and the results record come first.
        from evaluation.selectors import archive_blockers

        blockers = archive_blockers(community=community)
        if blockers:
            raise ValidationError(
                _("The community cannot be archived yet: %(items)s")
                % {"items": " ".join(blockers)},
                code="gate",
                params={"missing": blockers},
            )
    if to_phase == Phase.ARCHIVED and not note.strip():
        # Archiving makes the CoP read-only for everyone: members read why on the timeline.
        raise ValidationError({"note": _("Say why the community is archived.")})
    if to_phase == Phase.CONCLUSION and reason not in CONCLUSION_REASONS:
        raise ValidationError({"reason": _("Say why the community is concluding.")})
    if reopening:
        if not note.strip():
            raise ValidationError({"note": _("Say why the community is reopened.")})
        reason = PhaseTransition.Reason.REOPENED
    transition = PhaseTransition.objects.create(
        organization=community.organization,
        community=community,
        from_phase=community.phase,
        to_phase=to_phase,
        reason=reason,
        note=note.strip(),
        actor=actor,
    )
    community.phase = to_phase
    community.save(update_fields=["phase"])
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.phase_changed",
        target=community,
        data={"from": transition.from_phase, "to": to_phase, "reason": reason, "note": note},
    )
    return transition
