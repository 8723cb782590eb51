"""Decisions and action items recorded in a meeting."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from knowledge.models import TestOfChange
from sessions.models import (
    ActionItem,
    ActionStatus,
    Decision,
    Session,
    TranscriptCue,
)
from sessions.services.common import _require_org_members

# --- decisions and action items -----------------------------------------------------


def _check_cue(session: Session, cue: TranscriptCue | None) -> None:
    """A cited moment must be in this session's transcript."""
    if cue is not None and cue.transcript.session_id != session.pk:
        raise ValidationError({"cue": _("Choose a moment of this session's transcript.")})


@transaction.atomic
def decision_record(
    *, actor: User, session: Session, text: str, owner: User, cue: TranscriptCue | None = None
) -> Decision:
    if not text.strip():
        raise ValidationError({"text": _("Write the decision.")})
    _require_org_members(session.organization, [owner], "owner")
    _check_cue(session, cue)
    decision = Decision.objects.create(
        organization=session.organization,
        session=session,
        text=text.strip(),
        owner=owner,
        recorded_by=actor,
        cue=cue,
    )
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.decision_recorded",
        target=session,
        data={"decision": decision.pk, "owner": owner.email},
    )
    return decision


@transaction.atomic
def action_item_create(
    *,
    actor: User,
    session: Session,
    owner: User,
    description: str,
    due_on: dt.date,
    test_of_change: TestOfChange | None = None,
    cue: TranscriptCue | None = None,
) -> ActionItem:
    """Record who will test what by when, optionally linked to the PDSA test."""
    if not description.strip():
        raise ValidationError({"description": _("Say what will be tested or done.")})
    _require_org_members(session.organization, [owner], "owner")
    _check_cue(session, cue)
    if test_of_change is not None and test_of_change.community_id != session.community_id:
        raise ValidationError({"test_of_change": _("Choose a test of this community.")})
    item = ActionItem.objects.create(
        organization=session.organization,
        community_id=session.community_id,
        session=session,
        owner=owner,
        description=description.strip(),
        due_on=due_on,
        test_of_change=test_of_change,
        cue=cue,
        created_by=actor,
    )
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.action_item_created",
        target=item,
        data={
            "owner": owner.email,
            "due_on": due_on.isoformat(),
            "test_of_change": test_of_change.pk if test_of_change else None,
        },
    )
    return item


@transaction.atomic
def action_item_set_status(*, actor: User, item: ActionItem, status: str) -> ActionItem:
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    before = item.status
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    audit_record(
        organization=item.organization,
        actor=actor,
        verb="sessions.action_item_status_changed",
        target=item,
        data={"from": before, "to": status},
    )
    return item
