"""Reminders: each kind finds who is due (``due``) and composes their emails
(``compose``), both with a fixed number of queries whatever the number of people.

The period key of a reminder names what it is about (the session and its start, the
role term and its end, the data period, the person's local day for action items), so
the delivery record keeps every reminder to one email.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from communities.models import CommunityRoleAssignment
from copcore.models import User
from copcore.permissions import CommunityRole
from notifications.digest import load_people, preference
from notifications.messages import Composed, unsubscribe_url
from notifications.models import Kind
from notifications.schedule import local_send_time_passed
from notifications.sections.base import Item, site_url
from notifications.sections.communities import TERM_WARNING
from notifications.sections.measurement import data_gaps
from notifications.subjects import subject_text
from sessions.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    AttendanceResponse,
    Session,
    SessionStatus,
)

Pair = tuple[int, str]  # (person id, period key)


def _people(user_ids) -> dict[int, User]:
    return {u.pk: u for u in load_people(list(set(user_ids)))}


def _wanted(kind: str, people: dict[int, User], user_id: int) -> bool:
    user = people.get(user_id)
    if user is None:
        return False
    pref = preference(user)
    return not pref.bouncing and pref.reminder_enabled(kind)


def _at_their_hour(now: dt.datetime, user: User) -> tuple[bool, dt.date]:
    """Whether the person's chosen hour has come today in their zone, and their date."""
    return local_send_time_passed(now=now, time_zone=user.time_zone, hour=preference(user).hour)


def _email(
    kind: str,
    user: User,
    key: str,
    heading: str,
    intro: str,
    items: list[Item],
    *,
    subject_params: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> Composed:
    """One reminder email; call it inside the person's language and time zone. Its
    subject is the kind's subject code with ``subject_params`` (notifications.subjects),
    stored so the delivery log can show it in its reader's language."""
    context = {
        "user": user,
        "heading": heading,
        "intro": intro,
        "items": items,
        "site_url": settings.SITE_URL.rstrip("/"),
        "unsubscribe_url": unsubscribe_url(user_id=user.pk, kind=kind),
    }
    return Composed(
        user_id=user.pk,
        email=user.email,
        kind=kind,
        period_key=key,
        subject=subject_text(kind, subject_params) or heading,
        subject_code=kind,
        subject_params=subject_params or {},
        text=get_template("notifications/email/reminder.txt").render(context),
        html=get_template("notifications/email/reminder.html").render(context),
        attachments=attachments or [],
        sections=[kind],
    )


class SessionReminder:
    """24 hours and 1 hour before, to the people registered, with the .ics attached."""

    def __init__(self, kind: str, lead: dt.timedelta, earliest: dt.timedelta):
        self.kind = kind
        self.lead = lead  # remind when the start is at most this far away ...
        self.earliest = earliest  # ... and further than this (the shorter reminder's turn)

    def _sessions(self, now: dt.datetime):
        return Session.objects.filter(
            status=SessionStatus.SCHEDULED,
            starts_at__gt=now + self.earliest,
            starts_at__lte=now + self.lead,
        )

    def due(self, now: dt.datetime) -> list[Pair]:
        with scopes_disabled():
            rows = list(
                Attendance.objects.filter(
                    session__in=self._sessions(now), response=AttendanceResponse.REGISTERED
                ).values_list("user_id", "session_id", "session__starts_at")
            )
        people = _people(r[0] for r in rows)
        return [
            (user_id, f"{session_id}@{starts_at.astimezone(dt.UTC):%Y%m%dT%H%M}")
            for user_id, session_id, starts_at in rows
            if _wanted(self.kind, people, user_id)
        ]

    def compose(self, pairs: list[Pair], now: dt.datetime) -> list[Composed]:
        from sessions.ics import calendar_bytes

        people = _people(u for u, _ in pairs)
        session_ids = {int(key.split("@")[0]) for _, key in pairs}
        with scopes_disabled():
            sessions = {
                s.pk: s
                for s in Session.objects.filter(pk__in=session_ids).select_related(
                    "community__organization", "organization"
                )
            }
        result = []
        for user_id, key in pairs:
            user = people.get(user_id)
            session = sessions.get(int(key.split("@")[0]))
            if user is None or session is None or session.status != SessionStatus.SCHEDULED:
                continue
            if f"{session.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M}" != key.split("@")[1]:
                continue  # moved since: the reminder for the new time has its own key
            community = session.community
            item = Item(
                title=session.title,
                url=site_url(
                    "sessions:session_detail",
                    org_slug=community.organization.slug,
                    community_slug=community.slug,
                    session_id=session.pk,
                ),
                detail=session.video_link,
                note=community.name,
                when=session.starts_at,
            )
            attachment = (
                "session.ics",
                calendar_bytes([session], name=session.title),
                "text/calendar",
            )
            with translation.override(user.language), timezone.override(user.time_zone):
                heading = (
                    _("Your session starts in 1 hour")
                    if self.kind == Kind.SESSION_1H
                    else _("Your session is tomorrow")
                )
                result.append(
                    _email(
                        self.kind,
                        user,
                        key,
                        heading,
                        _("The calendar entry is attached."),
                        [item],
                        subject_params={"title": session.title},
                        attachments=[attachment],
                    )
                )
        return result


class ActionItemsReminder:
    """Once a local day, at the person's hour: their items due tomorrow or overdue."""

    kind = Kind.ACTION_ITEMS

    def due(self, now: dt.datetime) -> list[Pair]:
        horizon = (now + dt.timedelta(days=2)).date()
        with scopes_disabled():
            owners = set(
                ActionItem.objects.filter(
                    status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS], due_on__lte=horizon
                ).values_list("owner_id", flat=True)
            )
        people = _people(owners)
        pairs = []
        for user_id in owners:
            if not _wanted(self.kind, people, user_id):
                continue
            passed, today = _at_their_hour(now, people[user_id])
            if passed:
                pairs.append((user_id, today.isoformat()))
        return pairs

    def compose(self, pairs: list[Pair], now: dt.datetime) -> list[Composed]:
        people = _people(u for u, _ in pairs)
        with scopes_disabled():
            items = list(
                ActionItem.objects.filter(
                    owner_id__in=list(people),
                    status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
                    due_on__lte=(now + dt.timedelta(days=2)).date(),
                )
                .select_related("community__organization")
                .order_by("due_on", "id")
            )
        by_owner: dict[int, list[ActionItem]] = defaultdict(list)
        for item in items:
            by_owner[item.owner_id].append(item)
        result = []
        for user_id, key in pairs:
            user = people.get(user_id)
            if user is None:
                continue
            today = dt.date.fromisoformat(key)
            tomorrow = today + dt.timedelta(days=1)
            mine = [i for i in by_owner.get(user_id, []) if i.due_on <= tomorrow]
            if not mine:
                continue
            with translation.override(user.language), timezone.override(user.time_zone):
                lines = [
                    Item(
                        title=i.description[:200],
                        url=site_url(
                            "sessions:community_actions",
                            org_slug=i.community.organization.slug,
                            community_slug=i.community.slug,
                        ),
                        note=_("Overdue") if i.due_on < today else _("Due"),
                        when=i.due_on,
                        detail=i.community.name,
                    )
                    for i in mine
                ]
                heading = _("Action items due tomorrow or overdue")
                result.append(_email(self.kind, user, key, heading, "", lines))
        return result


class DataDueReminder:
    """At the end of each period, to the data stewards of CoPs whose sites have not
    entered the period that just ended. One email per CoP and period."""

    kind = Kind.DATA_DUE

    def _stewards(self, today: dt.date) -> list[tuple[int, int]]:
        with scopes_disabled():
            return list(
                CommunityRoleAssignment.objects.active_on(today)
                .filter(role=CommunityRole.DATA_STEWARD)
                .values_list("user_id", "community_id")
            )

    def due(self, now: dt.datetime) -> list[Pair]:
        today = now.date()
        stewards = self._stewards(today)
        gaps = data_gaps({c for _, c in stewards}, today)
        people = _people(u for u, _ in stewards)
        pairs = []
        for user_id, community_id in stewards:
            due_periods = {p for gap in gaps.get(community_id, []) for _n, p in gap.due}
            if not due_periods or not _wanted(self.kind, people, user_id):
                continue
            passed, _local = _at_their_hour(now, people[user_id])
            if passed:
                latest = max(due_periods)
                pairs.append((user_id, f"{community_id}:{latest.isoformat()}"))
        return pairs

    def compose(self, pairs: list[Pair], now: dt.datetime) -> list[Composed]:
        people = _people(u for u, _ in pairs)
        community_ids = {int(key.split(":")[0]) for _, key in pairs}
        gaps = data_gaps(community_ids, now.date())
        with scopes_disabled():
            from communities.models import Community

            communities = {
                c.pk: c
                for c in Community.objects.filter(pk__in=community_ids).select_related(
                    "organization"
                )
            }
        result = []
        for user_id, key in pairs:
            user = people.get(user_id)
            community = communities.get(int(key.split(":")[0]))
            site_gaps = [g for g in gaps.get(community.pk, []) if g.due] if community else []
            if user is None or community is None or not site_gaps:
                continue
            with translation.override(user.language), timezone.override(user.time_zone):
                lines = [
                    Item(
                        title=gap.site_name,
                        url=site_url(
                            "measurement:site_due",
                            org_slug=community.organization.slug,
                            community_slug=community.slug,
                            site_id=gap.site_id,
                        ),
                        detail=", ".join(sorted({name for name, _p in gap.due})),
                    )
                    for gap in site_gaps
                ]
                heading = _("Data due for %(community)s") % {"community": community.name}
                result.append(
                    _email(
                        self.kind,
                        user,
                        key,
                        heading,
                        _("The period has ended; these sites have not entered their data yet."),
                        lines,
                        subject_params={"community": community.name},
                    )
                )
        return result


class RoleTermReminder:
    """To the person whose role term ends within 30 days (once per term end)."""

    kind = Kind.ROLE_TERM

    def _terms(self, today: dt.date, user_ids=None):
        with scopes_disabled():
            terms = CommunityRoleAssignment.objects.active_on(today).filter(
                ends_on__lte=today + TERM_WARNING
            )
            if user_ids is not None:
                terms = terms.filter(user_id__in=user_ids)
            return list(terms.select_related("community__organization"))

    def due(self, now: dt.datetime) -> list[Pair]:
        terms = self._terms(now.date())
        people = _people(t.user_id for t in terms)
        return [
            (t.user_id, f"{t.pk}:{t.ends_on.isoformat()}")
            for t in terms
            if _wanted(self.kind, people, t.user_id)
        ]

    def compose(self, pairs: list[Pair], now: dt.datetime) -> list[Composed]:
        people = _people(u for u, _ in pairs)
        terms = {t.pk: t for t in self._terms(now.date(), user_ids=list(people))}
        result = []
        for user_id, key in pairs:
            user = people.get(user_id)
            term = terms.get(int(key.split(":")[0]))
            if user is None or term is None or term.user_id != user_id:
                continue
            community = term.community
            with translation.override(user.language), timezone.override(user.time_zone):
                item = Item(
                    title=f"{term.get_role_display()} · {community.name}",
                    url=site_url(
                        "communities:detail",
                        org_slug=community.organization.slug,
                        community_slug=community.slug,
                    ),
                    note=_("Last day"),
                    when=term.ends_on - dt.timedelta(days=1),
                )
                heading = _("Your role term ends soon")
                result.append(
                    _email(
                        self.kind,
                        user,
                        key,
                        heading,
                        _("Talk to your convener about renewing the term or handing over."),
                        [item],
                    )
                )
        return result


class CharterAckReminder:
    """To people holding a role (other than sponsor) who have not acknowledged their
    CoP's current charter version: once per version, at the person's hour."""

    kind = Kind.CHARTER_ACK

    def _pending(self, today: dt.date, user_ids=None) -> list[tuple[int, Any]]:
        from communities.models import CharterAcknowledgement, CharterVersion

        with scopes_disabled():
            current = {
                v.community_id: v
                for v in CharterVersion.objects.order_by("community_id", "-number")
                .distinct("community_id")
                .select_related("community__organization")
            }
            if not current:
                return []
            holders = (
                CommunityRoleAssignment.objects.active_on(today)
                .filter(community_id__in=list(current))
                .exclude(role=CommunityRole.SPONSOR)
            )
            if user_ids is not None:
                holders = holders.filter(user_id__in=user_ids)
            pairs = set(holders.values_list("user_id", "community_id"))
            done = set(
                CharterAcknowledgement.objects.filter(
                    version_id__in=[v.pk for v in current.values()]
                ).values_list("user_id", "version_id")
            )
        return sorted(
            ((u, current[c]) for u, c in pairs if (u, current[c].pk) not in done),
            key=lambda p: (p[0], p[1].pk),
        )

    def due(self, now: dt.datetime) -> list[Pair]:
        pending = self._pending(now.date())
        people = _people(u for u, _ in pending)
        pairs = []
        for user_id, version in pending:
            if not _wanted(self.kind, people, user_id):
                continue
            passed, _local = _at_their_hour(now, people[user_id])
            if passed:
                pairs.append((user_id, f"{version.pk}"))
        return pairs

    def compose(self, pairs: list[Pair], now: dt.datetime) -> list[Composed]:
        people = _people(u for u, _ in pairs)
        pending = {(u, str(v.pk)): v for u, v in self._pending(now.date(), user_ids=list(people))}
        result = []
        for user_id, key in pairs:
            user = people.get(user_id)
            version = pending.get((user_id, key))
            if user is None or version is None:
                continue  # acknowledged since, or no longer holds a role
            community = version.community
            with translation.override(user.language), timezone.override(user.time_zone):
                item = Item(
                    title=_("%(community)s charter, version %(number)s")
                    % {"community": community.name, "number": version.number},
                    url=site_url(
                        "communities:charter_version",
                        org_slug=community.organization.slug,
                        community_slug=community.slug,
                        version_number=version.number,
                    ),
                    detail=version.change_note,
                    when=version.published_at,
                )
                heading = _("Please read and acknowledge your community's charter")
                result.append(_email(self.kind, user, key, heading, "", [item]))
        return result


class ProgressRatingReminder:
    """In the last week of the month, to each site team lead whose team's month is not
    self-rated yet (IHI Assessment Scale). One email per CoP and month."""

    kind = Kind.PROGRESS_RATING
    DAYS_BEFORE_MONTH_END = 7

    def _due(self, today: dt.date, user_ids=None) -> list[tuple[int, int, int, str]]:
        from django.db.models import Exists, OuterRef

        from communities.models import Phase
        from evaluation.models import ProgressRating
        from measurement.models import SiteEnrolment

        month = today.replace(day=1)
        with scopes_disabled():
            enrolments = SiteEnrolment.objects.filter(team_lead__isnull=False).exclude(
                community__phase=Phase.ARCHIVED
            )
            if user_ids is not None:
                enrolments = enrolments.filter(team_lead_id__in=user_ids)
            members = CommunityRoleAssignment.objects.active_on(today).filter(
                community=OuterRef("community"), user=OuterRef("team_lead")
            )
            rated = ProgressRating.objects.filter(
                community=OuterRef("community"),
                site=OuterRef("site"),
                month=month,
                kind=ProgressRating.Kind.SELF,
            )
            return list(
                enrolments.exclude(ends_on__lt=month)
                .filter(Exists(members))
                .exclude(Exists(rated))
                .order_by("site__name")
                .values_list("team_lead_id", "community_id", "site_id", "site__name")
            )

    def due(self, now: dt.datetime) -> list[Pair]:
        today = now.date()
        following = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if (following - today).days > self.DAYS_BEFORE_MONTH_END:
            return []
        rows = self._due(today)
        people = _people(u for u, *_rest in rows)
        pairs = set()
        for user_id, community_id, _site, _name in rows:
            if not _wanted(self.kind, people, user_id):
                continue
            passed, _local = _at_their_hour(now, people[user_id])
            if passed:
                pairs.add((user_id, f"{community_id}:{today:%Y-%m}"))
        return sorted(pairs)

    def compose(self, pairs: list[Pair], now: dt.datetime) -> list[Composed]:
        from communities.models import Community

        people = _people(u for u, _ in pairs)
        rows = self._due(now.date(), user_ids=list(people))
        with scopes_disabled():
            communities = {
                c.pk: c
                for c in Community.objects.filter(
                    pk__in={int(key.split(":")[0]) for _, key in pairs}
                ).select_related("organization")
            }
        result = []
        for user_id, key in pairs:
            user = people.get(user_id)
            community = communities.get(int(key.split(":")[0]))
            sites = [r for r in rows if r[0] == user_id and community and r[1] == community.pk]
            if user is None or community is None or not sites:
                continue
            with translation.override(user.language), timezone.override(user.time_zone):
                items = [
                    Item(
                        title=name,
                        url=site_url(
                            "evaluation:progress_rate",
                            org_slug=community.organization.slug,
                            community_slug=community.slug,
                            site_id=site_id,
                        )
                        + "?kind=self",
                    )
                    for _u, _c, site_id, name in sites
                ]
                heading = _("Rate this month's progress in %(community)s") % {
                    "community": community.name
                }
                intro = _(
                    "The month ends soon: rate where your site team stands on the IHI "
                    "Assessment Scale, with a short note."
                )
                result.append(
                    _email(
                        self.kind,
                        user,
                        key,
                        heading,
                        intro,
                        items,
                        subject_params={"community": community.name},
                    )
                )
        return result


REMINDERS: dict[str, Any] = {
    Kind.SESSION_24H: SessionReminder(
        Kind.SESSION_24H, lead=dt.timedelta(hours=24), earliest=dt.timedelta(hours=1)
    ),
    Kind.SESSION_1H: SessionReminder(
        Kind.SESSION_1H, lead=dt.timedelta(hours=1), earliest=dt.timedelta(0)
    ),
    Kind.ACTION_ITEMS: ActionItemsReminder(),
    Kind.DATA_DUE: DataDueReminder(),
    Kind.ROLE_TERM: RoleTermReminder(),
    Kind.CHARTER_ACK: CharterAckReminder(),
    Kind.PROGRESS_RATING: ProgressRatingReminder(),
}
