"""iCalendar (RFC 5545) output for session downloads and the private feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from sessions.models import Session, SessionStatus

PRODID = "-//CoP Platform//Sessions//EN"


def _uid(session: Session) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "cop-platform"
    return f"session-{session.pk}@{host}"


def _url(session: Session) -> str:
    path = reverse(
        "sessions:session_detail",
        kwargs={
            "org_slug": session.organization.slug,
            "community_slug": session.community.slug,
            "session_id": session.pk,
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def session_event(session: Session, *, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", _uid(session))
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(dt.UTC))
    event.add("dtend", session.ends_at.astimezone(dt.UTC))
    event.add("summary", f"{session.title} ({session.community.name})")
    description = [session.agenda] if session.agenda else []
    if session.video_link:
        description.append(session.video_link)
    description.append(_url(session))
    event.add("description", "\n\n".join(description))
    event.add("url", _url(session))
    if session.video_link:
        event.add("location", session.video_link)
    event.add("sequence", session.sequence)
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    event.add("last-modified", session.updated_at.astimezone(dt.UTC))
    return event


def calendar_bytes(sessions: Iterable[Session], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for session in sessions:
        calendar.add_component(session_event(session, stamp=stamp))
    return calendar.to_ical()
