"""Query counts of the CoP's session list and of a session page do not grow with rows."""

from __future__ import annotations

import datetime as dt

from django_scopes import scope

from copcore.testing import UserFactory, add_member, give_role, steady_query_count
from sessions import services
from sessions.tests.helpers import make_poll, make_session, url


def test_session_list_query_count_is_fixed(world, client_for):
    client = client_for(world.member)
    for i in range(3):
        make_session(world, title=f"Session {i}", days=i + 1)
    small = steady_query_count(client, url("sessions:session_list", world))
    for i in range(3, 6):
        make_session(world, title=f"Session {i}", days=i + 1)
    large = steady_query_count(client, url("sessions:session_list", world))
    assert small == large


def _fill(world, session, n: int, offset: int) -> None:
    with scope(organization=world.org_a):
        people = []
        for i in range(n):
            person = UserFactory(display_name=f"Person {offset + i}")
            add_member(world.org_a, person)
            give_role(world.community_a, person, "member")
            people.append(person)
        for person in people:
            services.attendance_respond(actor=person, session=session, response="registered")
            services.decision_record(
                actor=world.convener, session=session, text=f"Decision {person}", owner=person
            )
            services.action_item_create(
                actor=world.convener,
                session=session,
                owner=person,
                description=f"Test by {person}",
                due_on=dt.date.today(),
            )
            services.case_create(
                actor=world.convener,
                session=session,
                presenter=person,
                site=world.site_a,
                title=f"Case of {person}",
                case_summary="A woman in her forties.",
                questions="Escalate?",
            )
        poll = make_poll(world, session)
        option = poll.options.first()
        for person in people:
            services.poll_vote(actor=person, poll=poll, option_ids=[option.pk])
        services.breakouts_split(actor=world.convener, session=session, groups=[people])


def test_session_page_query_count_is_fixed(world, client_for):
    session = make_session(world)
    client = client_for(world.convener)
    _fill(world, session, 2, 0)
    small = steady_query_count(client, url("sessions:session_detail", world, session_id=session.pk))
    _fill(world, session, 4, 10)
    large = steady_query_count(client, url("sessions:session_detail", world, session_id=session.pk))
    assert small == large
