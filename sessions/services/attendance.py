"""Attendance: a member's reply, and the register marked by the facilitator."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from sessions.models import (
    Attendance,
    AttendanceResponse,
    Session,
)
from sessions.services.common import _require_org_members

# --- attendance ------------------------------------------------------------------


@transaction.atomic
def attendance_respond(*, actor: User, session: Session, response: str) -> Attendance:
    """A member registers for a session or sends apologies (their own reply)."""
    if response not in (AttendanceResponse.REGISTERED, AttendanceResponse.APOLOGIES):
        raise ValidationError({"response": _("Choose to register or to send apologies.")})
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled."))
    attendance, _created = Attendance.objects.update_or_create(
        session=session,
        user=actor,
        defaults={"organization": session.organization, "response": response},
    )
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.attendance_replied",
        target=session,
        data={"response": response},
    )
    return attendance


@transaction.atomic
def attendance_mark(
    *, actor: User, session: Session, attended: Iterable[User], absent: Iterable[User] = ()
) -> int:
    """The facilitator marks who attended (and, explicitly, who did not). People who
    never replied are added. Returns the number of people marked."""
    if session.starts_at > timezone.now():
        # A register taken weeks ahead is a slip (the wrong session picked), not a record.
        raise ValidationError(
            _("Attendance can be recorded once the session has started, not before.")
        )
    attended, absent = list(attended), list(absent)
    _require_org_members(session.organization, attended + absent, "attended")
    marked = 0
    for users, value in ((attended, True), (absent, False)):
        for user in users:
            Attendance.objects.update_or_create(
                session=session,
                user=user,
                defaults={
                    "organization": session.organization,
                    "attended": value,
                    "marked_by": actor,
                },
            )
            marked += 1
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.attendance_marked",
        target=session,
        data={"attended": len(attended), "absent": len(absent)},
    )
    return marked
