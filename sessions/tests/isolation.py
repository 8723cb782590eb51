"""Path values for the generic isolation test: one of each sessions object in org A."""

from __future__ import annotations

import datetime as dt

from django_scopes import scope

from sessions import services
from sessions.models import SessionKind
from sessions.tests.helpers import make_poll, make_session


def path_values(world) -> dict[str, str]:
    session = make_session(world, title="Isolation session")
    poll = make_poll(world, session)
    with scope(organization=world.org_a):
        series = services.series_create(
            actor=world.convener,
            community=world.community_a,
            title="Isolation series",
            kind=SessionKind.OFFICE_HOURS,
            rrule="FREQ=WEEKLY;COUNT=2",
            time_zone="UTC",
            first_date=dt.date.today() + dt.timedelta(days=1),
            start_time=dt.time(12, 0),
        )
        case = services.case_create(
            actor=world.convener,
            session=session,
            presenter=world.member,
            title="A case",
            case_summary="A man in his sixties with fever.",
            questions="Escalate?",
        )
        session.facilitator = world.convener
        session.save(update_fields=["facilitator"])
        other = make_session(world, title="Other", days=14)
        other.facilitator = world.member
        other.save(update_fields=["facilitator"])
        swap = services.swap_request_create(
            actor=world.convener, session=session, proposed=world.member
        )
        [group] = services.breakouts_split(
            actor=world.convener, session=session, groups=[[world.member]]
        )
        item = services.action_item_create(
            actor=world.convener,
            session=session,
            owner=world.member,
            description="Test the new handover sheet on ward 3",
            due_on=dt.date.today() + dt.timedelta(days=14),
        )
    return {
        "series_id": series.pk,
        "session_id": session.pk,
        "poll_id": poll.pk,
        "case_id": case.pk,
        "swap_id": swap.pk,
        "group_id": group.pk,
        "item_id": item.pk,
        # The private feed (outside /o/<org>/) is guarded by its secret token, not a
        # login: the project's isolation test must exempt the "calendar:feed" route.
        "token": "not-a-real-token",
    }
