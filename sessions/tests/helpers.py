"""Builders for session tests: objects are made through the services, in org A."""

from __future__ import annotations

import datetime as dt

from django_scopes import scope

from sessions import services
from sessions.models import SessionKind


def future(days: int = 7, hour: int = 18) -> dt.datetime:
    base = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return (base + dt.timedelta(days=days)).replace(hour=hour)


def make_session(world, *, title="Monthly case clinic", days=7, hours=1, **extra):
    starts = future(days)
    with scope(organization=world.org_a):
        return services.session_create(
            actor=world.convener,
            community=world.community_a,
            title=title,
            kind=extra.pop("kind", SessionKind.ALL_HANDS),
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=hours),
            time_zone=extra.pop("time_zone", "Europe/London"),
            **extra,
        )


def make_poll(world, session, *, anonymous=False, multiple=False, options=("Yes", "No", "Maybe")):
    with scope(organization=world.org_a):
        return services.poll_create(
            actor=world.convener,
            session=session,
            question="Should we adopt the sepsis screening tool?",
            options=list(options),
            multiple_choice=multiple,
            anonymous=anonymous,
        )


def url(name: str, world, **kwargs) -> str:
    from django.urls import reverse

    return reverse(
        name,
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )
