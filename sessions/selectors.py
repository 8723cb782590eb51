"""Reads of the sessions app: scoped, with their joins done here so that pages run a
fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from guardian.shortcuts import get_objects_for_user

from communities.models import Community
from communities.permissions import CommunityPermission
from copcore.models import OrganizationMembership, User
from copcore.permissions import guardian_codename
from knowledge.models import TestOfChange
from sessions.models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
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
    PollVoter,
    Session,
    SessionSeries,
    SwapStatus,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

SEARCH_CONFIG = "simple"


def series_for_community(*, community: Community) -> QuerySet[SessionSeries]:
    return (
        SessionSeries.objects.filter(community=community)
        .annotate(session_count=Count("sessions"))
        .order_by("-is_active", "title")
    )


def series_get(*, community: Community, series_id: int) -> SessionSeries:
    series = (
        SessionSeries.objects.filter(community=community, pk=series_id)
        .prefetch_related("rota__user")
        .first()
    )
    if series is None:
        raise Http404
    return series


def series_upcoming(*, series: SessionSeries, limit: int = 24) -> QuerySet[Session]:
    """The series' next sessions (including one under way), soonest first."""
    return (
        Session.objects.filter(series=series, ends_at__gte=timezone.now())
        .select_related("facilitator")
        .order_by("starts_at")[:limit]
    )


def _search(sessions: QuerySet[Session], q: str) -> QuerySet[Session]:
    """Full-text match (PostgreSQL, language-neutral ``simple`` configuration, web-search
    syntax) on title, agenda and summary or on a decision; or the words as typed
    appearing anywhere in those fields (so part-words match too)."""
    q = q.strip()
    if not q:
        return sessions
    query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")
    decision_match = Decision.objects.annotate(
        document=SearchVector("text", config=SEARCH_CONFIG)
    ).filter(Q(document=query) | Q(text__icontains=q), session=OuterRef("pk"))
    return sessions.annotate(
        document=SearchVector("title", "agenda", "summary", "action_plan", config=SEARCH_CONFIG),
        decision_hit=Exists(decision_match),
    ).filter(
        Q(document=query)
        | Q(decision_hit=True)
        | Q(title__icontains=q)
        | Q(agenda__icontains=q)
        | Q(summary__icontains=q)
    )


def sessions_for_community(
    *,
    community: Community,
    q: str = "",
    when: str = "upcoming",
    now: dt.datetime | None = None,
) -> QuerySet[Session]:
    """The CoP's sessions for the list page: upcoming (soonest first), past (latest
    first) or all; each with reply and attendance counts."""
    now = now or timezone.now()
    sessions = Session.objects.filter(community=community).select_related("facilitator", "series")
    if when == "upcoming":
        sessions = sessions.filter(ends_at__gte=now).order_by("starts_at", "id")
    elif when == "past":
        sessions = sessions.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    else:
        sessions = sessions.order_by("-starts_at", "-id")
    sessions = _search(sessions, q)
    return sessions.annotate(
        registered_count=Count(
            "attendances",
            filter=Q(attendances__response=AttendanceResponse.REGISTERED),
            distinct=True,
        ),
        attended_count=Count("attendances", filter=Q(attendances__attended=True), distinct=True),
    )


def registered_count(*, session: Session) -> int:
    """How many people said they will attend (those a cancellation disappoints)."""
    return session.attendances.filter(response=AttendanceResponse.REGISTERED).count()


def session_get(*, community: Community, session_id: int) -> Session:
    session = (
        Session.objects.filter(community=community, pk=session_id)
        .select_related("facilitator", "series", "community")
        .first()
    )
    if session is None:
        raise Http404
    return session


def session_page(*, community: Community, session_id: int) -> Session:
    """One session with everything its page shows, in a fixed number of queries."""
    session = (
        Session.objects.filter(community=community, pk=session_id)
        .select_related("facilitator", "series", "community")
        .prefetch_related(
            Prefetch(
                "cases", queryset=CasePresentation.objects.select_related("presenter", "site")
            ),
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("user").order_by(
                    "user__display_name", "user__email"
                ),
            ),
            Prefetch("polls", queryset=polls_with_results()),
            Prefetch(
                "breakouts",
                queryset=BreakoutGroup.objects.prefetch_related(
                    Prefetch("members", queryset=BreakoutMember.objects.select_related("user"))
                ),
            ),
            Prefetch("decisions", queryset=Decision.objects.select_related("owner", "cue")),
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner", "test_of_change", "cue"),
            ),
            Prefetch(
                "swap_requests",
                queryset=FacilitatorSwapRequest.objects.filter(
                    status=SwapStatus.PENDING
                ).select_related("requested_by", "proposed", "swap_session"),
            ),
        )
        .first()
    )
    if session is None:
        raise Http404
    return session


def swap_sessions(*, session: Session) -> QuerySet[Session]:
    """The CoP's other sessions: what a swap request for ``session`` may offer in
    exchange (the service checks that the person asked facilitates it)."""
    return Session.objects.filter(community_id=session.community_id).exclude(pk=session.pk)


def swap_sessions_offered(*, session: Session, user: User) -> QuerySet[Session]:
    """The choices the session page shows: upcoming sessions facilitated by others."""
    return (
        swap_sessions(session=session)
        .filter(starts_at__gte=timezone.now())
        .exclude(facilitator__isnull=True)
        .exclude(facilitator=user)
        .select_related("facilitator")
        .order_by("starts_at")[:50]
    )


def swap_get(*, session: Session, swap_id: int) -> FacilitatorSwapRequest:
    swap = (
        FacilitatorSwapRequest.objects.filter(session=session, pk=swap_id)
        .select_related("requested_by", "session")
        .first()
    )
    if swap is None:
        raise Http404
    return swap


def swaps_awaiting(*, organization, user: User) -> QuerySet[FacilitatorSwapRequest]:
    """Swap requests waiting for this person's answer."""
    return (
        FacilitatorSwapRequest.objects.filter(
            organization=organization, proposed=user, status=SwapStatus.PENDING
        )
        .select_related("session__community", "requested_by", "swap_session")
        .order_by("session__starts_at")
    )


def case_get(*, session: Session, case_id: int) -> CasePresentation:
    case = CasePresentation.objects.filter(session=session, pk=case_id).first()
    if case is None:
        raise Http404
    return case


def breakout_groups(*, session: Session) -> list[BreakoutGroup]:
    return list(BreakoutGroup.objects.filter(session=session).prefetch_related("members__user"))


def breakout_group_get(*, session: Session, group_id: int) -> BreakoutGroup:
    group = BreakoutGroup.objects.filter(session=session, pk=group_id).first()
    if group is None:
        raise Http404
    return group


def breakout_candidates(*, session: Session) -> list[User]:
    """Who to split into groups: those marked as attended, else those registered."""
    for condition in (Q(attended=True), Q(response=AttendanceResponse.REGISTERED)):
        people = list(
            User.objects.filter(
                pk__in=session.attendances.filter(condition).values("user")
            ).order_by("display_name")
        )
        if people:
            return people
    return []


def polls_with_results() -> QuerySet[Poll]:
    return (
        Poll.objects.annotate(voter_count=Count("voters", distinct=True))
        .order_by("created_at", "id")
        .prefetch_related(
            Prefetch(
                "options",
                queryset=PollOption.objects.annotate(vote_count=Count("votes")).order_by(
                    "position", "id"
                ),
            )
        )
    )


def poll_get(*, session: Session, poll_id: int) -> Poll:
    poll = polls_with_results().filter(session=session, pk=poll_id).first()
    if poll is None:
        raise Http404
    return poll


class PollCounts(TypedDict):
    voter_count: int


class OptionCounts(TypedDict):
    vote_count: int


def poll_results(poll: Poll) -> dict:
    """Counts per option (never who chose what), for the page, the JSON and the API.
    The poll comes from ``polls_with_results``, which annotates both counts."""
    counted = cast("WithAnnotations[Poll, PollCounts]", poll)
    options = cast("list[WithAnnotations[PollOption, OptionCounts]]", list(counted.options.all()))
    total_votes = sum(o.vote_count for o in options)
    return {
        "id": poll.pk,
        "question": poll.question,
        "is_open": poll.is_open,
        "anonymous": poll.anonymous,
        "multiple_choice": poll.multiple_choice,
        "voter_count": counted.voter_count,
        "options": [
            {
                "id": o.pk,
                "text": o.text,
                "votes": o.vote_count,
                "percent": round(100 * o.vote_count / total_votes) if total_votes else 0,
            }
            for o in options
        ],
    }


def polls_voted_by(*, session: Session, user: User) -> set[int]:
    return set(
        PollVoter.objects.filter(poll__session=session, user=user).values_list("poll_id", flat=True)
    )


def attendance_for_export(*, session: Session) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(session=session)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def attendance_people(*, community: Community, replies: list[Attendance]) -> QuerySet[User]:
    """Whom the attendance form lists: the CoP's people and anyone who replied."""
    return User.objects.filter(
        Q(pk__in=community_people(community=community).values("pk"))
        | Q(pk__in=[a.user_id for a in replies])
    ).order_by("display_name", "email")


def community_people(*, community: Community) -> QuerySet[User]:
    """People holding an active role in the CoP (for rota, owners, attendance)."""
    today = timezone.localdate()
    return (
        User.objects.filter(
            community_roles__community=community,
            community_roles__starts_on__lte=today,
        )
        .filter(Q(community_roles__ends_on__isnull=True) | Q(community_roles__ends_on__gt=today))
        .distinct()
        .order_by("display_name", "email")
    )


def _items(queryset: QuerySet[ActionItem], status: str = "", overdue: bool = False):
    queryset = queryset.select_related("owner", "session", "community", "test_of_change").order_by(
        "due_on", "id"
    )
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_ACTION_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(status__in=OPEN_ACTION_STATUSES, due_on__lt=timezone.localdate())
    return queryset


def tests_linkable(*, community: Community) -> QuerySet[TestOfChange]:
    """The CoP's PDSA tests an action item may link to."""
    return TestOfChange.objects.filter(community=community).order_by("-created_at", "-id")


def action_items_for_community(
    *, community: Community, status: str = "", owner_id: int | None = None, overdue: bool = False
) -> QuerySet[ActionItem]:
    items = ActionItem.objects.filter(community=community)
    if owner_id:
        items = items.filter(owner_id=owner_id)
    return _items(items, status, overdue)


def action_items_for_person(
    *, organization, user: User, status: str = "", overdue: bool = False
) -> QuerySet[ActionItem]:
    """The person's items in the communities of this organization they can still view."""
    viewable = communities_viewable(user=user, organization=organization)
    items = ActionItem.objects.filter(organization=organization, owner=user, community__in=viewable)
    return _items(items, status, overdue)


def action_item_get(*, community: Community, item_id: int) -> ActionItem:
    item = (
        ActionItem.objects.filter(community=community, pk=item_id)
        .select_related("owner", "session")
        .first()
    )
    if item is None:
        raise Http404
    return item


def communities_viewable(*, user: User, organization) -> QuerySet[Community]:
    """Communities of the organization on which the user holds view_community."""
    perm = f"communities.{guardian_codename(CommunityPermission.VIEW)}"
    return get_objects_for_user(
        user,
        perm,
        klass=Community.objects.filter(organization=organization),
        accept_global_perms=False,
    )


FEED_PAST = dt.timedelta(days=90)


def has_feed_token(*, user: User) -> bool:
    return CalendarFeedToken.objects.filter(user=user).exists()


def feed_user(*, token_hash: str) -> User | None:
    with scopes_disabled():
        row = (
            CalendarFeedToken.objects.select_related("user")
            .filter(token_hash=token_hash, user__is_active=True)
            .first()
        )
    return row.user if row else None


def feed_sessions(*, user: User, now: dt.datetime | None = None) -> list[Session]:
    """Sessions of every CoP the person can view, in every organization they belong
    to: the last 90 days and everything generated ahead. Each organization's scope is
    entered explicitly; nothing is read outside one."""
    now = now or timezone.now()
    with scopes_disabled():
        memberships = list(
            OrganizationMembership.objects.select_related("organization").filter(
                user=user, organization__is_active=True
            )
        )
    result: list[Session] = []
    for membership in memberships:
        organization = membership.organization
        with scope(organization=organization):
            communities = communities_viewable(user=user, organization=organization)
            result.extend(
                Session.objects.filter(
                    organization=organization,
                    community__in=communities,
                    ends_at__gte=now - FEED_PAST,
                )
                .select_related("community", "facilitator", "organization")
                .order_by("starts_at")
            )
    return result


def transcript_view(*, session: Session, query: str = "") -> dict:
    """The session's transcript for its page: the cues (those containing ``query``,
    accents and case ignored, when given), each with the recording link opening at its
    moment where the host supports it."""
    from knowledge.search.folding import fold
    from sessions.models import Transcript
    from sessions.transcripts import recording_at

    transcript = Transcript.objects.filter(session=session).first()
    if transcript is None:
        return {"transcript": None, "cues": [], "cue_count": 0}
    cues = list(transcript.cues.all())
    needle = fold(query.strip()).lower()
    shown = [
        cue for cue in cues if not needle or needle in fold(f"{cue.speaker} {cue.text}").lower()
    ]
    for cue in shown:
        cue.recording_url = recording_at(session.recording_link, cue.start_seconds)
    return {"transcript": transcript, "cues": shown, "cue_count": len(cues)}
