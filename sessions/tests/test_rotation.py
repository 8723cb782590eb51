"""Facilitator rota, and members swapping turns by request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from copcore.permissions import CommunityRole
from copcore.testing import UserFactory, add_member, give_role
from sessions import services
from sessions.models import Session, SessionKind, SwapStatus
from sessions.tests.helpers import url

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def facilitators(world):
    third = UserFactory(display_name="Theo Third")
    add_member(world.org_a, third)
    give_role(world.community_a, third, CommunityRole.FACILITATOR)
    return [world.convener, world.member, third]


def _weekly_series(world, rota):
    with scope(organization=world.org_a):
        return services.series_create(
            actor=world.convener,
            community=world.community_a,
            title="Weekly office hours",
            kind=SessionKind.OFFICE_HOURS,
            rrule="FREQ=WEEKLY;COUNT=7",
            time_zone="Europe/Madrid",
            first_date=dt.date(2026, 1, 7),
            start_time=dt.time(13, 0),
            rota=rota,
            now=NOW,
        )


def _facilitators(series):
    return list(
        Session.objects.filter(series=series)
        .order_by("starts_at")
        .values_list("facilitator__display_name", flat=True)
    )


def test_rota_rotates_in_order(world, facilitators):
    series = _weekly_series(world, facilitators)
    with scope(organization=world.org_a):
        names = _facilitators(series)
    a, b, c = (u.display_name for u in facilitators)
    assert names == [a, b, c, a, b, c, a]


def test_new_rota_applies_to_upcoming_sessions_but_keeps_swapped_turns(world, facilitators):
    series = _weekly_series(world, facilitators)
    with scope(organization=world.org_a):
        sessions = list(Session.objects.filter(series=series).order_by("starts_at"))
        swap = services.swap_request_create(
            actor=world.member, session=sessions[1], proposed=facilitators[2]
        )
        services.swap_request_respond(actor=facilitators[2], swap=swap, accept=True)
        services.series_rota_set(
            actor=world.convener, series=series, rota=[world.convener], now=NOW
        )
        names = _facilitators(series)
    convener, third = world.convener.display_name, facilitators[2].display_name
    assert names == [convener, third, convener, convener, convener, convener, convener]


def test_swap_exchange_passes_both_turns(world, facilitators):
    series = _weekly_series(world, facilitators)
    with scope(organization=world.org_a):
        first, second = Session.objects.filter(series=series).order_by("starts_at")[:2]
        swap = services.swap_request_create(
            actor=world.convener,
            session=first,
            proposed=world.member,
            swap_session=second,
            message="Clinic clash",
        )
        services.swap_request_respond(actor=world.member, swap=swap, accept=True)
        first.refresh_from_db()
        second.refresh_from_db()
        swap.refresh_from_db()
    assert first.facilitator == world.member
    assert second.facilitator == world.convener
    assert swap.status == SwapStatus.ACCEPTED


def test_swap_rules(world, facilitators):
    series = _weekly_series(world, facilitators)
    with scope(organization=world.org_a):
        first, second = Session.objects.filter(series=series).order_by("starts_at")[:2]
        with pytest.raises(ValidationError, match="Only the session's facilitator"):
            services.swap_request_create(actor=world.member, session=first, proposed=world.member)
        with pytest.raises(ValidationError):
            services.swap_request_create(
                actor=world.convener, session=first, proposed=world.sponsor
            )
        swap = services.swap_request_create(
            actor=world.convener, session=first, proposed=world.member
        )
        with pytest.raises(ValidationError, match="already waiting"):
            services.swap_request_create(
                actor=world.convener, session=first, proposed=facilitators[2]
            )
        with pytest.raises(ValidationError, match="Only the person asked"):
            services.swap_request_respond(actor=facilitators[2], swap=swap, accept=True)
        services.swap_request_respond(actor=world.member, swap=swap, accept=False)
        first.refresh_from_db()
        assert first.facilitator == world.convener
        with pytest.raises(ValidationError, match="already been answered"):
            services.swap_request_respond(actor=world.member, swap=swap, accept=True)


def test_swap_through_the_pages(world, facilitators, client_for):
    series = _weekly_series(world, facilitators)
    with scope(organization=world.org_a):
        session = Session.objects.filter(series=series).order_by("starts_at").first()
    convener = client_for(world.convener)
    response = convener.post(
        url("sessions:facilitator", world, session_id=session.pk),
        {"action": "swap", "swap-proposed": world.member.pk, "swap-message": "Away that week"},
        follow=True,
    )
    assert "Your swap request has been sent." in response.text
    member = client_for(world.member)
    page = member.get(url("sessions:session_detail", world, session_id=session.pk))
    assert "Accept the swap" in page.text
    assert "Away that week" in page.text
    with scope(organization=world.org_a):
        swap = session.swap_requests.get()
    response = member.post(
        url("sessions:swap_respond", world, session_id=session.pk, swap_id=swap.pk),
        {"action": "accept"},
        follow=True,
    )
    assert "You are now the facilitator." in response.text
    with scope(organization=world.org_a):
        session.refresh_from_db()
    assert session.facilitator == world.member
    # A third person can neither answer nor withdraw.
    other = client_for(world.steward)
    response = other.post(
        url("sessions:swap_respond", world, session_id=session.pk, swap_id=swap.pk),
        {"action": "accept"},
    )
    assert response.status_code == 403


def test_only_the_facilitator_may_ask_to_swap(world, facilitators, client_for):
    series = _weekly_series(world, facilitators)
    with scope(organization=world.org_a):
        session = Session.objects.filter(series=series).order_by("starts_at").first()
    response = client_for(world.member).post(
        url("sessions:facilitator", world, session_id=session.pk),
        {"action": "swap", "swap-proposed": world.steward.pk},
    )
    assert response.status_code == 403


def test_rota_is_ordered_on_the_series_page(world, facilitators, client_for):
    series = _weekly_series(world, facilitators)
    third = facilitators[2]
    response = client_for(world.convener).post(
        url("sessions:series_detail", world, series_id=series.pk),
        {"action": "rota", f"person_{third.pk}": "1", f"person_{world.convener.pk}": "2"},
        follow=True,
    )
    assert "The rota has been saved." in response.text
    with scope(organization=world.org_a):
        assert list(series.rota.values_list("user", flat=True)) == [third.pk, world.convener.pk]
    member = client_for(world.member)
    assert (
        member.post(
            url("sessions:series_detail", world, series_id=series.pk),
            {"action": "rota", f"person_{world.member.pk}": "1"},
        ).status_code
        == 403
    )
