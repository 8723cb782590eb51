"""Poll voting rules: vote once, closed polls, anonymity; pages, JSON and API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_scopes import scope

from copcore.models import AuditEvent
from sessions import services
from sessions.models import PollVote, PollVoter
from sessions.tests.helpers import make_poll, make_session, url


def _options(world, poll):
    with scope(organization=world.org_a):
        return list(poll.options.order_by("position").values_list("pk", flat=True))


def test_member_votes_once_on_the_page_and_results_show_counts(world, client_for):
    session = make_session(world)
    poll = make_poll(world, session)
    yes, no, _maybe = _options(world, poll)
    client = client_for(world.member)
    vote_url = url("sessions:poll_vote", world, session_id=session.pk, poll_id=poll.pk)

    response = client.post(vote_url, {f"poll{poll.pk}-options": yes}, follow=True)
    assert "Your vote has been counted." in response.text
    assert "You have voted." in response.text

    response = client.post(vote_url, {f"poll{poll.pk}-options": no}, follow=True)
    assert "You have already voted in this poll." in response.text
    with scope(organization=world.org_a):
        assert PollVoter.objects.filter(poll=poll).count() == 1
        assert list(PollVote.objects.filter(poll=poll).values_list("option_id", flat=True)) == [yes]

    results = client.get(
        url("sessions:poll_results", world, session_id=session.pk, poll_id=poll.pk)
    ).json()
    assert results["voter_count"] == 1
    assert [o["votes"] for o in results["options"]] == [1, 0, 0]
    assert results["options"][0]["percent"] == 100


def test_closed_poll_refuses_votes_with_a_clear_message_and_changes_nothing(world, client_for):
    session = make_session(world)
    poll = make_poll(world, session)
    yes = _options(world, poll)[0]
    convener = client_for(world.convener)
    convener.post(
        url("sessions:poll_toggle", world, session_id=session.pk, poll_id=poll.pk),
        {"action": "close"},
    )
    member = client_for(world.member)
    response = member.post(
        url("sessions:poll_vote", world, session_id=session.pk, poll_id=poll.pk),
        {f"poll{poll.pk}-options": yes},
        follow=True,
    )
    assert "This poll is closed: votes are no longer accepted." in response.text
    api = member.post(
        f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}/sessions/"
        f"{session.pk}/polls/{poll.pk}/votes/",
        {"options": [yes]},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["error"]["message"] == "This poll is closed: votes are no longer accepted."
    with scope(organization=world.org_a):
        assert not PollVoter.objects.filter(poll=poll).exists()
        assert not PollVote.objects.filter(poll=poll).exists()


def test_second_vote_through_the_api_is_a_400_and_changes_nothing(world, client_for):
    session = make_session(world)
    poll = make_poll(world, session, multiple=True)
    yes, no, maybe = _options(world, poll)
    client = client_for(world.member)
    votes_url = (
        f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}/sessions/"
        f"{session.pk}/polls/{poll.pk}/votes/"
    )
    first = client.post(votes_url, {"options": [yes, maybe]}, content_type="application/json")
    assert first.status_code == 201
    assert [o["votes"] for o in first.json()["options"]] == [1, 0, 1]
    second = client.post(votes_url, {"options": [no]}, content_type="application/json")
    assert second.status_code == 400
    assert second.json()["error"]["message"] == "You have already voted in this poll."
    with scope(organization=world.org_a):
        assert PollVote.objects.filter(poll=poll).count() == 2


def test_single_choice_refuses_several_options_and_foreign_options(scope_a):
    world = scope_a
    session = make_session(world)
    poll = make_poll(world, session)
    other = make_poll(world, session)
    yes, no, _ = _options(world, poll)
    with pytest.raises(ValidationError, match="only one option"):
        services.poll_vote(actor=world.member, poll=poll, option_ids=[yes, no])
    with pytest.raises(ValidationError, match="this poll's options"):
        services.poll_vote(actor=world.member, poll=poll, option_ids=[_options(world, other)[0]])
    with pytest.raises(ValidationError):
        services.poll_vote(actor=world.member, poll=poll, option_ids=[])
    assert not PollVoter.objects.exists()


def test_the_database_itself_refuses_a_second_voter_row(scope_a):
    world = scope_a
    poll = make_poll(world, make_session(world))
    PollVoter.objects.create(organization=world.org_a, poll=poll, user=world.member)
    with pytest.raises(IntegrityError), transaction.atomic():
        PollVoter.objects.create(organization=world.org_a, poll=poll, user=world.member)


def test_anonymous_votes_cannot_be_linked_to_the_voter(scope_a):
    world = scope_a
    session = make_session(world)
    poll = make_poll(world, session, anonymous=True)
    yes, no, _ = _options(world, poll)
    services.poll_vote(actor=world.member, poll=poll, option_ids=[yes])
    services.poll_vote(actor=world.convener, poll=poll, option_ids=[no])
    votes = list(PollVote.objects.filter(poll=poll))
    assert len(votes) == 2
    assert all(v.voter_id is None for v in votes)
    # The ballot rows carry no time and a random id; the voter rows no choice.
    assert not any(f.name in ("created_at", "voted_at") for f in PollVote._meta.get_fields())
    assert not any(f.name == "option" for f in PollVoter._meta.get_fields())
    events = AuditEvent.objects.filter(verb="sessions.poll_voted", target_id=str(poll.pk))
    assert events.count() == 2
    assert all(e.data == {} for e in events)
    # Still one vote each.
    with pytest.raises(ValidationError):
        services.poll_vote(actor=world.member, poll=poll, option_ids=[no])


def test_named_poll_records_the_voter(scope_a):
    world = scope_a
    poll = make_poll(world, make_session(world))
    yes = _options(world, poll)[0]
    services.poll_vote(actor=world.member, poll=poll, option_ids=[yes])
    assert PollVote.objects.get(poll=poll).voter == world.member


def test_sponsor_sees_results_but_cannot_vote(world, client_for):
    session = make_session(world)
    poll = make_poll(world, session)
    yes = _options(world, poll)[0]
    sponsor = client_for(world.sponsor)
    page = sponsor.get(url("sessions:session_detail", world, session_id=session.pk))
    assert page.status_code == 200
    assert poll.question in page.text
    assert 'name="poll' not in page.text  # no vote form
    response = sponsor.post(
        url("sessions:poll_vote", world, session_id=session.pk, poll_id=poll.pk),
        {f"poll{poll.pk}-options": yes},
    )
    assert response.status_code == 403
    with scope(organization=world.org_a):
        assert not PollVoter.objects.exists()


def test_poll_creation_needs_two_options_and_keeps_what_was_typed(world, client_for):
    session = make_session(world)
    client = client_for(world.convener)
    response = client.post(
        url("sessions:poll_create", world, session_id=session.pk),
        {"poll-question": "Best day for office hours?", "poll-options": "Tuesday"},
    )
    assert response.status_code == 200
    assert "Give at least two options." in response.text
    assert "Best day for office hours?" in response.text
    response = client.post(
        url("sessions:poll_create", world, session_id=session.pk),
        {"poll-question": "Best day?", "poll-options": "Tuesday\nThursday", "poll-anonymous": "on"},
        follow=True,
    )
    assert "The poll is open." in response.text
    assert "Anonymous" in response.text
