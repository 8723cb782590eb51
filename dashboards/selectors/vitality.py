"""CoP vitality: is the rhythm of learning sustained? (RAND review questions, seed 002.)

Per month over the last year: sessions held against the planned rhythm, attendance,
active members, posts, tests of change and field notes; the time since the last
activity; and a plain-language status. Reads the sessions, discussions and knowledge
apps' tables with one aggregate query each (a fixed number whatever the size).

Definitions:

* **planned** sessions per month come from the CoP's planned rhythm (monthly
  all-hands: 1; weekly office hours: the weeks starting in the month; quarterly
  retrospective: 1 in January, April, July and October; huddles are ad hoc and not
  planned); **scheduled** are the sessions on the calendar that month;
  **held** are those not cancelled whose start has passed;
* **attendance**: attendances marked as attended, by the month of the session;
* **active member**: a person who posted, attended, or wrote a test of change or a
  field note that month;
* **status**: "dormant" after 90 days without activity; "slowing" when the last
  three months held fewer than half the planned sessions or had fewer than half the
  active members of the three months before; "active" otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community

MONTHS = 12
DORMANT_DAYS = 90


@dataclass
class MonthRow:
    month: dt.date
    planned: int = 0
    scheduled: int = 0
    held: int = 0
    cancelled: int = 0
    attendances: int = 0
    attendees: int = 0
    active_members: int = 0
    posts: int = 0
    tests: int = 0
    notes: int = 0

    @property
    def label(self) -> str:
        return f"{self.month.year}-{self.month.month:02d}"


@dataclass
class Vitality:
    months: list[MonthRow]
    last_activity: dt.datetime | None
    days_since_activity: int | None
    status: str
    status_text: str
    sources_missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "status_text": self.status_text,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "days_since_activity": self.days_since_activity,
            "sources_missing": self.sources_missing,
            "months": [
                {
                    "month": row.label,
                    "planned_sessions": row.planned,
                    "scheduled_sessions": row.scheduled,
                    "held_sessions": row.held,
                    "cancelled_sessions": row.cancelled,
                    "attendances": row.attendances,
                    "attendees": row.attendees,
                    "active_members": row.active_members,
                    "posts": row.posts,
                    "tests_of_change": row.tests,
                    "field_notes": row.notes,
                }
                for row in self.months
            ],
        }


def _month_starts(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    months = [first]
    while len(months) < MONTHS:
        prev = months[0] - dt.timedelta(days=1)
        months.insert(0, prev.replace(day=1))
    return months


def planned_sessions(rhythm: list[str], month: dt.date) -> int:
    """Sessions the planned rhythm calls for in a month."""
    count = 0
    if "monthly_all_hands" in rhythm:
        count += 1
    if "weekly_office_hours" in rhythm:
        day = month
        while day.month == month.month:
            if day.weekday() == 0:
                count += 1
            day += dt.timedelta(days=1)
    if "quarterly_retrospective" in rhythm and month.month in (1, 4, 7, 10):
        count += 1
    return count


def _month_key(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def community_vitality(*, community: Community, now: dt.datetime | None = None) -> Vitality:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    months = _month_starts(today)
    rows = {
        m: MonthRow(month=m, planned=planned_sessions(list(community.rhythm), m)) for m in months
    }
    since = timezone.make_aware(dt.datetime.combine(months[0], dt.time()))
    active: dict[dt.date, set[int]] = defaultdict(set)
    last: list[dt.datetime] = []
    missing: list[str] = []

    try:
        from sessions.models import Attendance, Session
    except ImportError:  # pragma: no cover
        missing.append(_("sessions"))
    else:
        for starts_at, status in Session.objects.filter(
            community=community, starts_at__gte=since, starts_at__lte=now + dt.timedelta(days=31)
        ).values_list("starts_at", "status"):
            key = _month_key(starts_at)
            if key not in rows:
                continue
            rows[key].scheduled += 1
            if status == "cancelled":
                rows[key].cancelled += 1
            elif starts_at <= now:
                rows[key].held += 1
                last.append(starts_at)
        attended = Attendance.objects.filter(
            session__community=community,
            attended=True,
            session__starts_at__gte=since,
            session__starts_at__lte=now,
        ).values_list("session__starts_at", "user_id")
        attendees: dict[dt.date, set[int]] = defaultdict(set)
        for starts_at, user_id in attended:
            key = _month_key(starts_at)
            if key in rows:
                rows[key].attendances += 1
                attendees[key].add(user_id)
                active[key].add(user_id)
        for key, people in attendees.items():
            rows[key].attendees = len(people)

    sources: list[tuple[str, QuerySet[Any]]] = []
    try:
        from communities.models import Post

        sources.append(("posts", Post.objects.filter(community=community, is_hidden=False)))
    except ImportError:  # pragma: no cover
        missing.append(_("discussions"))
    try:
        from knowledge.models import FieldNote, TestOfChange

        sources.append(("tests", TestOfChange.objects.filter(community=community)))
        sources.append(("notes", FieldNote.objects.filter(community=community)))
    except ImportError:  # pragma: no cover
        missing.append(_("tests of change and field notes"))
    for name, queryset in sources:
        per_person = (
            queryset.filter(created_at__gte=since, created_at__lte=now)
            .annotate(month=TruncMonth("created_at"))
            .values_list("month", "author_id")
            .annotate(n=Count("id"))
        )
        for month, author_id, n in per_person:
            key = _month_key(month)
            if key not in rows:
                continue
            setattr(rows[key], name, getattr(rows[key], name) + n)
            if author_id is not None:
                active[key].add(author_id)
        latest = (
            queryset.filter(created_at__lte=now)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:1]
        )
        last.extend(latest)
    for key, people in active.items():
        rows[key].active_members = len(people)

    last_activity = max(last) if last else None
    days = (now - last_activity).days if last_activity else None
    status, text = _status(list(rows.values()), days)
    return Vitality(
        months=list(rows.values()),
        last_activity=last_activity,
        days_since_activity=days,
        status=status,
        status_text=text,
        sources_missing=missing,
    )


def _status(months: list[MonthRow], days: int | None) -> tuple[str, str]:
    if days is None:
        return "none", _("Nothing has happened in this CoP yet.")
    if days > DORMANT_DAYS:
        return "dormant", _(
            "Dormant: nothing has happened for %(days)s days. Is the CoP's work done, or "
            "does it need a new call to its members?"
        ) % {"days": days}
    recent, before = months[-3:], months[-6:-3]
    planned = sum(m.planned for m in recent)
    held = sum(m.held for m in recent)
    active_now = sum(m.active_members for m in recent)
    active_before = sum(m.active_members for m in before)
    if planned and held < planned / 2:
        return "slowing", _(
            "Slowing: %(held)s of %(planned)s planned sessions were held in the last three months."
        ) % {"held": held, "planned": planned}
    if active_before and active_now < active_before / 2:
        return "slowing", _(
            "Slowing: fewer than half as many members took part in the last three months as "
            "in the three months before."
        )
    return "active", _(
        "Active: sessions keep to the rhythm and members keep taking part "
        "(last activity %(days)s days ago)."
    ) % {"days": days}
