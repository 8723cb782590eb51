"""Every write of the sessions app. Keyword-only, atomic, audited.

Permission checks belong to the callers (pages and API, through ``sessions.access``);
the rules that hold whoever calls (one vote each, closed polls, sessions that end
after they start, parseable recurrence rules, de-identification confirmation) are
enforced here so that pages and API behave alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from communities.models import Community
from copcore.models import Organization, OrganizationMembership, User
from copcore.services import audit_record
from knowledge.models import TestOfChange
from sessions import recurrence
from sessions.deidentify import find_in_fields
from sessions.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    AttendanceResponse,
    BreakoutGroup,
    BreakoutMember,
    CalendarFeedToken,
    CasePresentation,
    Decision,
    FacilitatorSwapRequest,
    Poll,
    PollOption,
    PollVote,
    PollVoter,
    RotaEntry,
    Session,
    SessionKind,
    SessionSeries,
    SessionStatus,
    SwapStatus,
)
from sessions.permissions import SessionPermission

GENERATE_AHEAD = dt.timedelta(days=183)
IDENTIFYING_TEXT = "identifying_text"
CASE_TEXT_FIELDS = ("title", "case_summary", "questions", "recommendations")


def _require_org_members(organization: Organization, users: Iterable[User], field: str) -> None:
    ids = {u.pk for u in users if u is not None}
    if not ids:
        return
    found = set(
        OrganizationMembership.objects.filter(
            organization=organization, user_id__in=ids
        ).values_list("user_id", flat=True)
    )
    if ids - found:
        raise ValidationError({field: _("Choose people who are members of this organization.")})


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A session must end after it starts.")})


# --- series, rota and occurrences ------------------------------------------------


@transaction.atomic
def series_create(
    *,
    actor: User,
    community: Community,
    title: str,
    kind: str,
    rrule: str,
    time_zone: str,
    first_date: dt.date,
    start_time: dt.time,
    duration_minutes: int = 60,
    video_link: str = "",
    description: str = "",
    rota: Sequence[User] = (),
    now: dt.datetime | None = None,
) -> SessionSeries:
    """Create a series, check its rule, set its rota and generate sessions ahead."""
    if kind not in SessionKind.values:
        raise ValidationError({"kind": _("Unknown kind of session.")})
    if duration_minutes is None or duration_minutes <= 0:
        raise ValidationError({"duration_minutes": _("The duration must be at least a minute.")})
    recurrence.build_rule(
        rule_text=rrule, time_zone=time_zone, first_date=first_date, start_time=start_time
    )
    series = SessionSeries(
        organization=community.organization,
        community=community,
        title=title,
        kind=kind,
        rrule=recurrence.normalise(rrule),
        time_zone=time_zone,
        first_date=first_date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        video_link=video_link,
        description=description,
        created_by=actor,
    )
    series.full_clean(exclude=["organization", "community", "created_by"])
    series.save()
    _rota_write(series, rota)
    audit_record(
        organization=series.organization,
        actor=actor,
        verb="sessions.series_created",
        target=series,
        data={"rrule": series.rrule, "time_zone": time_zone, "community": community.slug},
    )
    occurrences_generate(series=series, now=now)
    return series


def _rota_write(series: SessionSeries, rota: Sequence[User]) -> None:
    _require_org_members(series.organization, rota, "rota")
    RotaEntry.objects.filter(series=series).delete()
    RotaEntry.objects.bulk_create(
        [
            RotaEntry(organization=series.organization, series=series, user=user, position=i)
            for i, user in enumerate(rota)
        ]
    )


def _rota_user(rota: Sequence[User], index: int | None) -> User | None:
    if not rota or index is None:
        return None
    return rota[index % len(rota)]


@transaction.atomic
def series_rota_set(
    *, actor: User, series: SessionSeries, rota: Sequence[User], now: dt.datetime | None = None
) -> SessionSeries:
    """Replace the rota; upcoming generated sessions follow it (turns already swapped
    by an accepted request keep their facilitator)."""
    rota = list(rota)
    _rota_write(series, rota)
    now = now or timezone.now()
    swapped = FacilitatorSwapRequest.objects.filter(status=SwapStatus.ACCEPTED).values("session")
    swapped_back = FacilitatorSwapRequest.objects.filter(
        status=SwapStatus.ACCEPTED, swap_session__isnull=False
    ).values("swap_session")
    upcoming = (
        Session.objects.filter(series=series, starts_at__gte=now)
        .exclude(pk__in=swapped)
        .exclude(pk__in=swapped_back)
    )
    for session in upcoming:
        session.facilitator = _rota_user(rota, session.occurrence_index)
        session.save(update_fields=["facilitator", "updated_at"])
    audit_record(
        organization=series.organization,
        actor=actor,
        verb="sessions.rota_set",
        target=series,
        data={"rota": [u.email for u in rota]},
    )
    return series


@transaction.atomic
def series_deactivate(*, actor: User, series: SessionSeries) -> SessionSeries:
    """Stop generating new sessions; existing ones stay."""
    series.is_active = False
    series.save(update_fields=["is_active"])
    audit_record(
        organization=series.organization, actor=actor, verb="sessions.series_ended", target=series
    )
    return series


@transaction.atomic
def occurrences_generate(*, series: SessionSeries, now: dt.datetime | None = None) -> int:
    """Create the series' sessions up to six months ahead. Idempotent: an occurrence
    already created (even if since moved or cancelled) is never created again.
    Returns the number of sessions created."""
    if not series.is_active:
        return 0
    now = now or timezone.now()
    horizon = now + GENERATE_AHEAD
    series = SessionSeries.objects.select_for_update().get(pk=series.pk)
    existing = set(
        Session.objects.filter(series=series, occurrence_start__isnull=False).values_list(
            "occurrence_start", flat=True
        )
    )
    rota = [entry.user for entry in series.rota.select_related("user")]
    duration = dt.timedelta(minutes=series.duration_minutes)
    new = []
    for occurrence in recurrence.occurrences(
        rule_text=series.rrule,
        time_zone=series.time_zone,
        first_date=series.first_date,
        start_time=series.start_time,
        until=horizon,
    ):
        if occurrence.starts_at in existing or occurrence.starts_at < now - duration:
            continue
        new.append(
            Session(
                organization=series.organization,
                community_id=series.community_id,
                series=series,
                occurrence_start=occurrence.starts_at,
                occurrence_index=occurrence.index,
                title=series.title,
                kind=series.kind,
                starts_at=occurrence.starts_at,
                ends_at=occurrence.starts_at + duration,
                time_zone=series.time_zone,
                video_link=series.video_link,
                facilitator=_rota_user(rota, occurrence.index),
            )
        )
    Session.objects.bulk_create(new, ignore_conflicts=True)
    series.generated_until = horizon
    series.save(update_fields=["generated_until"])
    if new:
        audit_record(
            organization=series.organization,
            actor=None,
            verb="sessions.occurrences_generated",
            target=series,
            data={"created": len(new), "until": horizon.isoformat()},
        )
    return len(new)


def occurrences_generate_all(*, now: dt.datetime | None = None) -> int:
    """Generate ahead for every active series of every organization (daily task)."""
    created = 0
    with scopes_disabled():
        organizations = list(Organization.objects.filter(is_active=True))
    for organization in organizations:
        with scope(organization=organization):
            for series in SessionSeries.objects.filter(organization=organization, is_active=True):
                created += occurrences_generate(series=series, now=now)
    return created


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


# --- ECHO case presentations --------------------------------------------------------


def _check_case_text(fields: dict[str, str], confirmed: bool) -> bool:
    """Raise unless the text looks de-identified or the author confirmed it was checked.
    Returns whether a warning was overridden."""
    findings = find_in_fields(fields)
    if not findings:
        return False
    if confirmed:
        return True
    raise ValidationError(
        {
            name: [
                ValidationError(
                    _("This looks identifying: %(label)s “%(text)s”. %(reason)s")
                    % {"label": f.label, "text": f.text, "reason": f.reason},
                    code=IDENTIFYING_TEXT,
                )
                for f in found
            ]
            for name, found in findings.items()
        }
    )


@transaction.atomic
def case_create(
    *,
    actor: User,
    session: Session,
    presenter: User,
    title: str,
    case_summary: str,
    questions: str,
    recommendations: str = "",
    site=None,
    confirmed_deidentified: bool = False,
) -> CasePresentation:
    """Add a case presentation. Text that looks identifying is refused unless the
    author confirms they checked it (``confirmed_deidentified``)."""
    _require_org_members(session.organization, [presenter], "presenter")
    if site is not None and site.organization_id != session.organization_id:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    texts = {
        "title": title,
        "case_summary": case_summary,
        "questions": questions,
        "recommendations": recommendations,
    }
    overridden = _check_case_text(texts, confirmed_deidentified)
    case = CasePresentation(
        organization=session.organization,
        session=session,
        presenter=presenter,
        site=site,
        identifying_warning_overridden=overridden,
        created_by=actor,
        **texts,
    )
    case.full_clean(exclude=["organization", "session", "presenter", "site", "created_by"])
    case.save()
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.case_added",
        target=session,
        data={"case": case.pk, "identifying_warning_overridden": overridden},
    )
    return case


@transaction.atomic
def case_update(
    *,
    actor: User,
    case: CasePresentation,
    confirmed_deidentified: bool = False,
    site=None,
    **texts: str,
) -> CasePresentation:
    unknown = set(texts) - set(CASE_TEXT_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    if site is not None and site.organization_id != case.organization_id:
        raise ValidationError({"site": _("Choose a site of this organization.")})
    merged = {name: texts.get(name, getattr(case, name)) for name in CASE_TEXT_FIELDS}
    overridden = _check_case_text(merged, confirmed_deidentified)
    for name, value in merged.items():
        setattr(case, name, value)
    case.site = site
    case.identifying_warning_overridden = overridden
    case.full_clean(exclude=["organization", "session", "presenter", "site", "created_by"])
    case.save()
    audit_record(
        organization=case.organization,
        actor=actor,
        verb="sessions.case_updated",
        target=case.session,
        data={"case": case.pk, "identifying_warning_overridden": overridden},
    )
    return case


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


# --- polls -----------------------------------------------------------------------


@transaction.atomic
def poll_create(
    *,
    actor: User,
    session: Session,
    question: str,
    options: Sequence[str],
    multiple_choice: bool = False,
    anonymous: bool = False,
) -> Poll:
    cleaned = [o.strip() for o in options if o and o.strip()]
    if len(cleaned) < 2:
        raise ValidationError({"options": _("Give at least two options.")})
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError({"options": _("Each option must be different.")})
    if not question.strip():
        raise ValidationError({"question": _("Write the question.")})
    poll = Poll.objects.create(
        organization=session.organization,
        session=session,
        question=question.strip()[:300],
        multiple_choice=multiple_choice,
        anonymous=anonymous,
        created_by=actor,
    )
    PollOption.objects.bulk_create(
        [
            PollOption(organization=session.organization, poll=poll, text=text[:200], position=i)
            for i, text in enumerate(cleaned)
        ]
    )
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.poll_created",
        target=poll,
        data={"anonymous": anonymous, "multiple_choice": multiple_choice},
    )
    return poll


@transaction.atomic
def poll_vote(*, actor: User, poll: Poll, option_ids: Sequence[int]) -> None:
    """Vote once. A closed poll, a second vote, no option, several options on a
    single-choice poll or an option of another poll: ValidationError, nothing saved.

    For an anonymous poll the voter is recorded apart from the chosen options, and
    the audit event does not say what was chosen.
    """
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if not poll.is_open:
        raise ValidationError(_("This poll is closed: votes are no longer accepted."))
    chosen = sorted({int(i) for i in option_ids})
    if not chosen:
        raise ValidationError({"options": _("Choose an option.")})
    if len(chosen) > 1 and not poll.multiple_choice:
        raise ValidationError({"options": _("Choose only one option in this poll.")})
    options = list(PollOption.objects.filter(poll=poll, pk__in=chosen))
    if len(options) != len(chosen):
        raise ValidationError({"options": _("Choose among this poll's options.")})
    if PollVoter.objects.filter(poll=poll, user=actor).exists():
        raise ValidationError(_("You have already voted in this poll."))
    try:
        with transaction.atomic():
            PollVoter.objects.create(organization=poll.organization, poll=poll, user=actor)
    except IntegrityError:
        raise ValidationError(_("You have already voted in this poll."))
    votes = [
        PollVote(
            organization=poll.organization,
            poll=poll,
            option=option,
            voter=None if poll.anonymous else actor,
        )
        for option in options
    ]
    if poll.anonymous:
        random.shuffle(votes)
    PollVote.objects.bulk_create(votes)
    audit_record(
        organization=poll.organization,
        actor=actor,
        verb="sessions.poll_voted",
        target=poll,
        data={} if poll.anonymous else {"options": chosen},
    )


@transaction.atomic
def poll_set_open(*, actor: User, poll: Poll, is_open: bool) -> Poll:
    poll.is_open = is_open
    poll.closed_at = None if is_open else timezone.now()
    poll.save(update_fields=["is_open", "closed_at"])
    audit_record(
        organization=poll.organization,
        actor=actor,
        verb="sessions.poll_reopened" if is_open else "sessions.poll_closed",
        target=poll,
    )
    return poll


# --- breakout groups -------------------------------------------------------------


@transaction.atomic
def breakouts_split(
    *,
    actor: User,
    session: Session,
    groups: Sequence[Sequence[User]],
    names: Sequence[str] | None = None,
) -> list[BreakoutGroup]:
    """Replace the session's breakout groups with these (made by hand or at random)."""
    people = [u for group in groups for u in group]
    if len({u.pk for u in people}) != len(people):
        raise ValidationError({"groups": _("A person can be in only one group.")})
    if not groups:
        raise ValidationError({"groups": _("Make at least one group.")})
    _require_org_members(session.organization, people, "groups")
    BreakoutGroup.objects.filter(session=session).delete()
    created = []
    for i, members in enumerate(groups):
        name = (
            names[i] if names and i < len(names) and names[i] else _("Group %(n)d") % {"n": i + 1}
        )
        group = BreakoutGroup.objects.create(
            organization=session.organization, session=session, name=name[:100], position=i
        )
        BreakoutMember.objects.bulk_create(
            [
                BreakoutMember(
                    organization=session.organization, session=session, group=group, user=user
                )
                for user in members
            ]
        )
        created.append(group)
    audit_record(
        organization=session.organization,
        actor=actor,
        verb="sessions.breakouts_made",
        target=session,
        data={"groups": [len(g) for g in groups]},
    )
    return created


def random_groups(
    people: Sequence[User], group_count: int, rng: random.Random | None = None
) -> list[list[User]]:
    """Deal people at random into ``group_count`` groups whose sizes differ by at most one."""
    if group_count < 1:
        raise ValidationError({"group_count": _("Make at least one group.")})
    if group_count > max(len(people), 1):
        raise ValidationError(
            {"group_count": _("There are more groups than people to put in them.")}
        )
    shuffled = list(people)
    (rng or random.SystemRandom()).shuffle(shuffled)
    return [shuffled[i::group_count] for i in range(group_count)]


@transaction.atomic
def breakout_notes_update(*, actor: User, group: BreakoutGroup, notes: str) -> BreakoutGroup:
    group.notes = notes
    group.save(update_fields=["notes"])
    audit_record(
        organization=group.organization,
        actor=actor,
        verb="sessions.breakout_notes_saved",
        target=group,
    )
    return group


# --- decisions and action items -----------------------------------------------------


@transaction.atomic
def decision_record(*, actor: User, session: Session, text: str, owner: User) -> Decision:
    if not text.strip():
        raise ValidationError({"text": _("Write the decision.")})
    _require_org_members(session.organization, [owner], "owner")
    decision = Decision.objects.create(
        organization=session.organization,
        session=session,
        text=text.strip(),
        owner=owner,
        recorded_by=actor,
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
) -> ActionItem:
    """Record who will test what by when, optionally linked to the PDSA test."""
    if not description.strip():
        raise ValidationError({"description": _("Say what will be tested or done.")})
    _require_org_members(session.organization, [owner], "owner")
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


# --- calendar feed tokens ----------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_token_reset(*, user: User) -> str:
    """Create (or replace) the person's feed secret; returns it once, in clear.
    Personal, not tenant data, so no organization audit event (like the profile)."""
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(
        user=user, defaults={"token_hash": feed_token_hash(token)}
    )
    return token


@transaction.atomic
def feed_token_revoke(*, user: User) -> bool:
    deleted, _rows = CalendarFeedToken.objects.filter(user=user).delete()
    return bool(deleted)


def is_identifying_text_error(error: ValidationError) -> bool:
    """Whether a case was refused only because its text looks identifying."""
    if not hasattr(error, "error_dict"):
        return False
    return all(e.code == IDENTIFYING_TEXT for errors in error.error_dict.values() for e in errors)
