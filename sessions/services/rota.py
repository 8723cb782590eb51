"""Facilitators: setting one, and the swap requests between them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from sessions.models import (
    FacilitatorSwapRequest,
    Session,
    SwapStatus,
)
from sessions.permissions import SessionPermission
from sessions.services.common import _require_org_members

# --- facilitators ----------------------------------------------------------------


@transaction.atomic
def facilitator_set(*, actor: User, session: Session, facilitator: User | None) -> Session:
    _require_org_members(session.organization, [facilitator], "facilitator")
    session.facilitator = facilitator
    session.save(update_fields=["facilitator", "updated_at"])
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.facilitator_set",
        target=session,
        data={"facilitator": facilitator.email if facilitator else None},
    )
    return session


@transaction.atomic
def swap_request_create(
    *,
    actor: User,
    session: Session,
    proposed: User,
    swap_session: Session | None = None,
    message: str = "",
) -> FacilitatorSwapRequest:
    """The session's facilitator asks ``proposed`` to take the turn (optionally in
    exchange for one of ``proposed``'s own turns)."""
    if session.facilitator_id != actor.pk:
        raise ValidationError(_("Only the session's facilitator can ask for a swap."))
    if proposed.pk == actor.pk:
        raise ValidationError({"proposed": _("Choose someone other than yourself.")})
    _require_org_members(session.organization, [proposed], "proposed")
    if not proposed.has_perm(SessionPermission.ATTEND, session.community):
        raise ValidationError({"proposed": _("Choose a participant of this community.")})
    if swap_session is not None and (
        swap_session.facilitator_id != proposed.pk
        or swap_session.community_id != session.community_id
    ):
        raise ValidationError(
            {"swap_session": _("That session is not facilitated by the person you asked.")}
        )
    if FacilitatorSwapRequest.objects.filter(session=session, status=SwapStatus.PENDING).exists():
        raise ValidationError(_("A swap request for this session is already waiting."))
    swap = FacilitatorSwapRequest.objects.create(
        organization=session.organization,
        session=session,
        requested_by=actor,
        proposed=proposed,
        swap_session=swap_session,
        message=message[:300],
    )
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.swap_requested",
        target=session,
        data={
            "proposed": proposed.email,
            "swap_session": swap_session.pk if swap_session else None,
        },
    )
    return swap


@transaction.atomic
def swap_request_respond(
    *, actor: User, swap: FacilitatorSwapRequest, accept: bool
) -> FacilitatorSwapRequest:
    """The person asked accepts (the turns change hands) or declines."""
    swap = FacilitatorSwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.status != SwapStatus.PENDING:
        raise ValidationError(_("This swap request has already been answered."))
    if swap.proposed_id != actor.pk:
        raise ValidationError(_("Only the person asked can answer this request."))
    swap.status = SwapStatus.ACCEPTED if accept else SwapStatus.DECLINED
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_at"])
    if accept:
        session = Session.objects.select_for_update().get(pk=swap.session_id)
        if session.facilitator_id != swap.requested_by_id:
            raise ValidationError(_("The session's facilitator has changed since the request."))
        session.facilitator_id = swap.proposed_id
        session.save(update_fields=["facilitator", "updated_at"])
        if swap.swap_session_id:
            other = Session.objects.select_for_update().get(pk=swap.swap_session_id)
            if other.facilitator_id != swap.proposed_id:
                raise ValidationError(_("The other session's facilitator has changed."))
            other.facilitator_id = swap.requested_by_id
            other.save(update_fields=["facilitator", "updated_at"])
    audit_record(
        organization=swap.organization,
        actor=actor,
        verb="sessions.swap_accepted" if accept else "sessions.swap_declined",
        target=swap.session,
        data={"requested_by": swap.requested_by.email},
    )
    return swap


@transaction.atomic
def swap_request_withdraw(*, actor: User, swap: FacilitatorSwapRequest) -> FacilitatorSwapRequest:
    if swap.status != SwapStatus.PENDING:
        raise ValidationError(_("This swap request has already been answered."))
    if swap.requested_by_id != actor.pk:
        raise ValidationError(_("Only the person who asked can withdraw this request."))
    swap.status = SwapStatus.WITHDRAWN
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_at"])
    audit_record(
        organization=swap.organization,
        actor=actor,
        verb="sessions.swap_withdrawn",
        target=swap.session,
    )
    return swap
