"""One meeting: create, move, cancel, reinstate and its record."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import User
from copcore.services import audit_record
from sessions import recurrence
from sessions.models import (
    Session,
    SessionKind,
    SessionSeries,
    SessionStatus,
)
from sessions.services.common import _check_times, _require_org_members

# --- sessions ---------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    actor: User,
    community: Community,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    time_zone: str,
    video_link: str = "",
    agenda: str = "",
    facilitator: User | None = None,
    series: SessionSeries | None = None,
) -> Session:
    """Add a one-off session (optionally attached to a series as an extra meeting)."""
    if kind not in SessionKind.values:
        raise ValidationError({"kind": _("Unknown kind of session.")})
    recurrence.time_zone_or_error(time_zone)
    _check_times(starts_at, ends_at)
    _require_org_members(community.organization, [facilitator], "facilitator")
    if series is not None and series.community_id != community.pk:
        raise ValidationError({"series": _("The series belongs to another community.")})
    session = Session(
        organization=community.organization,
        community=community,
        series=series,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        video_link=video_link,
        agenda=agenda,
        facilitator=facilitator,
    )
    session.full_clean(exclude=["organization", "community", "series", "facilitator"])
    session.save()
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.session_created",
        target=session,
        data={"starts_at": starts_at.isoformat(), "one_off": True},
    )
    return session


@transaction.atomic
def session_move(
    *, actor: User, session: Session, starts_at: dt.datetime, ends_at: dt.datetime
) -> Session:
    """Move a session to another time; calendars see a new SEQUENCE."""
    _check_times(starts_at, ends_at)
    before = session.starts_at
    session.starts_at, session.ends_at = starts_at, ends_at
    session.sequence += 1
    session.save(update_fields=["starts_at", "ends_at", "sequence", "updated_at"])
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.session_moved",
        target=session,
        data={"from": before.isoformat(), "to": starts_at.isoformat()},
    )
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: Session, reason: str = "") -> Session:
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session is already cancelled."))
    session.status = SessionStatus.CANCELLED
    session.cancellation_reason = reason[:300]
    session.sequence += 1
    session.save(update_fields=["status", "cancellation_reason", "sequence", "updated_at"])
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.session_cancelled",
        target=session,
        data={"reason": reason[:300]},
    )
    return session


@transaction.atomic
def session_reinstate(*, actor: User, session: Session) -> Session:
    if session.status != SessionStatus.CANCELLED:
        raise ValidationError(_("This session is not cancelled."))
    session.status = SessionStatus.SCHEDULED
    session.cancellation_reason = ""
    session.sequence += 1
    session.save(update_fields=["status", "cancellation_reason", "sequence", "updated_at"])
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.session_reinstated",
        target=session,
    )
    return session


SESSION_RECORD_FIELDS = (
    "title",
    "agenda",
    "video_link",
    "recording_link",
    "summary",
    "action_plan",
)


@transaction.atomic
def session_update_record(*, actor: User, session: Session, **changes: str) -> Session:
    """Update the meeting's record: title, agenda, links, summary, action plan."""
    unknown = set(changes) - set(SESSION_RECORD_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    for name, value in changes.items():
        setattr(session, name, value)
    session.full_clean(exclude=["organization", "community", "series", "facilitator"])
    session.save(update_fields=[*changes, "updated_at"])
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.record_updated",
        target=session,
        data={"fields": sorted(changes)},
    )
    return session
