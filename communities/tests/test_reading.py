"""Each person's place in the discussions: unread counts and the marker, jump to the
first unread post, follow and mute, the accepted answer and "helpful"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from communities import selectors, services
from communities.models import DiscussionSubscription, Post, ThreadReadState
from communities.tests.helpers import complete_design, first_post, make_thread
from copcore.models import AuditEvent
from copcore.testing import steady_query_count

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(
        f"communities:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )


def reply(world, thread, author, body):
    with scope(organization=world.org_a):
        return services.post_create(actor=author, thread=thread, body=body)


def unread_of(world, user, thread) -> int:
    with scope(organization=world.org_a):
        return (
            selectors.threads(community=world.community_a, user=user).get(pk=thread.pk).unread_count
        )


def test_unread_counts_follow_what_the_person_has_read(world, client_for):
    _ws, thread = make_thread(world)  # by the convener
    reply(world, thread, world.steward, "Steward first answer")
    # never opened: every post by someone else is new
    assert unread_of(world, world.member, thread) == 2
    # one's own posts are never unread
    assert unread_of(world, world.convener, thread) == 1
    client = client_for(world.member)
    page = client.get(url("thread_detail", world, thread_id=thread.pk)).content.decode()
    assert "New since your last visit" not in page  # first visit: no marker
    assert unread_of(world, world.member, thread) == 0
    later = reply(world, thread, world.convener, "A newer reply")
    assert unread_of(world, world.member, thread) == 1
    page = client.get(url("thread_detail", world, thread_id=thread.pk)).content.decode()
    # the marker stands right before the first post the member had not read
    marker = page.index("New since your last visit")
    assert marker < page.index(f'id="post-{later.pk}"')
    assert page.index("Steward first answer") < marker
    assert unread_of(world, world.member, thread) == 0
    # the workstream list counts unread posts too
    listing = client.get(url("workstreams", world)).content.decode()
    assert "unread" not in re.sub(r"\s+", " ", listing).split("Latest discussions")[0]
    reply(world, thread, world.convener, "One more")
    listing = client.get(url("workstreams", world)).content.decode()
    assert "1 unread post" in listing


def test_opening_a_thread_again_with_nothing_new_writes_nothing(world, client_for):
    _ws, thread = make_thread(world)
    client = client_for(world.member)
    client.get(url("thread_detail", world, thread_id=thread.pk))
    with scope(organization=world.org_a):
        state = ThreadReadState.objects.get(thread=thread, user=world.member)
    with CaptureQueriesContext(connection) as captured:
        client.get(url("thread_detail", world, thread_id=thread.pk))
    writes = [
        q["sql"]
        for q in captured
        if "communities_threadreadstate" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []
    with scope(organization=world.org_a):
        assert ThreadReadState.objects.get(pk=state.pk).updated_at == state.updated_at


def test_the_place_never_moves_back(world):
    _ws, thread = make_thread(world)
    newer = reply(world, thread, world.steward, "Newer")
    with scope(organization=world.org_a):
        services.thread_mark_read(user=world.member, thread=thread, up_to=newer)
        services.thread_mark_read(user=world.member, thread=thread, up_to=first_post(thread))
        state = ThreadReadState.objects.get(thread=thread, user=world.member)
        assert state.last_read_post == newer
        assert state.organization == world.org_a and state.community == world.community_a


def test_jump_to_first_unread_opens_its_page_at_the_marker(world, client_for):
    _ws, thread = make_thread(world)
    client = client_for(world.member)
    response = client.get(url("thread_unread", world, thread_id=thread.pk))
    first = first_post(thread)
    assert response.status_code == 302
    assert response["Location"].endswith(f"?page=1#post-{first.pk}")  # never visited
    client.get(url("thread_detail", world, thread_id=thread.pk))
    # 120 newer posts: the first unread is the 2nd post, on page 1; read page 1, then
    # the first unread is the 101st, on page 2
    with scope(organization=world.org_a):
        now = timezone.now()
        Post.objects.bulk_create(
            [
                Post(
                    organization=world.org_a,
                    community=world.community_a,
                    thread=thread,
                    author=world.steward,
                    body=f"Reply {i}",
                    body_html=f"<p>Reply {i}</p>",
                    created_at=now + dt.timedelta(seconds=i + 1),
                )
                for i in range(120)
            ]
        )
    response = client.get(url("thread_unread", world, thread_id=thread.pk))
    assert response["Location"].endswith("?page=1#new-since-last-visit")
    client.get(url("thread_detail", world, thread_id=thread.pk) + "?page=1")
    response = client.get(url("thread_unread", world, thread_id=thread.pk))
    assert response["Location"].endswith("?page=2#new-since-last-visit")
    page = client.get(response["Location"]).content.decode()
    assert "New since your last visit" in page


def test_thread_and_workstream_lists_keep_a_constant_query_count(world, client_for):
    client = client_for(world.member)
    workstream, thread = make_thread(world)
    reply(world, thread, world.steward, "x")
    lists = [
        url("workstreams", world),
        url("workstream_detail", world, workstream_id=workstream.pk),
    ]
    baselines = [steady_query_count(client, u) for u in lists]
    with scope(organization=world.org_a):
        other = services.workstream_create(
            actor=world.convener, community=world.community_a, name="Second"
        )
        for i in range(5):
            t = services.thread_create(
                actor=world.convener, workstream=workstream, title=f"T{i}", body="b"
            )
            services.post_create(actor=world.steward, thread=t, body="r")
            services.thread_create(actor=world.steward, workstream=other, title=f"U{i}", body="b")
            services.subscription_set(actor=world.member, thread=t, level="mute")
    assert [steady_query_count(client, u) for u in lists] == baselines


def test_authors_and_repliers_follow_and_a_mute_stays(world, client_for):
    workstream, thread = make_thread(world)
    with scope(organization=world.org_a):
        services.subscription_set(actor=world.member, thread=thread, level="mute")
    reply(world, thread, world.member, "I reply but keep it muted")
    reply(world, thread, world.steward, "I reply and follow")
    with scope(organization=world.org_a):
        levels = dict(
            DiscussionSubscription.objects.filter(thread=thread).values_list("user", "level")
        )
    assert levels == {
        world.convener.pk: "follow",
        world.member.pk: "mute",
        world.steward.pk: "follow",
    }
    client = client_for(world.member)
    row = client.get(url("workstream_detail", world, workstream_id=workstream.pk)).content.decode()
    assert 'class="is-muted"' in row and "Muted" in row
    client.post(url("thread_subscription", world, thread_id=thread.pk), {"level": "none"})
    client.post(
        url("workstream_subscription", world, workstream_id=workstream.pk), {"level": "follow"}
    )
    with scope(organization=world.org_a):
        from communities.unread import subscription_of

        assert subscription_of(user=world.member, thread=thread) == "follow"
        with pytest.raises(ValidationError):
            services.subscription_set(actor=world.member, thread=thread, level="loud")


def test_author_or_moderator_marks_the_answer_others_get_403(world, client_for):
    complete_design(world)
    _ws, thread = make_thread(world, title="Which lactate meter?")  # by the convener
    question = first_post(thread)
    answer = reply(world, thread, world.steward, "The handheld one")
    # a member who is neither the author nor a moderator: 403
    response = client_for(world.member).post(
        url("thread_answer", world, thread_id=thread.pk), {"post": answer.pk}
    )
    assert response.status_code == 403
    with scope(organization=world.org_a):
        with pytest.raises(PermissionDenied):
            services.thread_answer_accept(
                actor=world.member, thread=thread, post=answer, moderator=False
            )
        with pytest.raises(ValidationError):
            services.thread_answer_accept(
                actor=world.convener, thread=thread, post=question, moderator=False
            )
    client = client_for(world.convener)
    client.post(url("thread_answer", world, thread_id=thread.pk), {"post": answer.pk})
    page = client.get(url("thread_detail", world, thread_id=thread.pk)).content.decode()
    section = page.split('id="accepted-answer"')[1]
    assert "The handheld one" in section.split("</section>")[0]
    # shown under the question: after the question's text, before the answer's own post
    assert page.index("First message") < page.index('id="accepted-answer"')
    assert page.index('id="accepted-answer"') < page.index(f'id="post-{answer.pk}"')
    with scope(organization=world.org_a):
        assert AuditEvent.objects.filter(verb="community.answer_accepted").count() == 1
    client.post(url("thread_answer", world, thread_id=thread.pk), {"clear": "1"})
    with scope(organization=world.org_a):
        thread.refresh_from_db()
        assert thread.accepted_answer is None
        assert AuditEvent.objects.filter(verb="community.answer_unaccepted").count() == 1


def test_a_moderator_may_mark_the_answer_on_someone_elses_thread(world):
    _ws, thread = make_thread(world)
    answer = reply(world, thread, world.steward, "Answer")
    with scope(organization=world.org_a):
        services.thread_answer_accept(
            actor=world.member, thread=thread, post=answer, moderator=True
        )
        thread.refresh_from_db()
        assert thread.accepted_answer == answer and thread.accepted_by == world.member


def test_helpful_once_per_person_toggle_and_not_on_ones_own(world, client_for):
    _ws, thread = make_thread(world)
    post = first_post(thread)
    with scope(organization=world.org_a):
        assert services.post_helpful_set(actor=world.member, post=post, helpful=True) == 1
        assert services.post_helpful_set(actor=world.member, post=post, helpful=True) == 1
        assert services.post_helpful_set(actor=world.steward, post=post, helpful=True) == 2
        assert services.post_helpful_set(actor=world.steward, post=post, helpful=False) == 1
        with pytest.raises(ValidationError):
            services.post_helpful_set(actor=world.convener, post=post, helpful=True)
    page = client_for(world.member).get(url("thread_detail", world, thread_id=thread.pk))
    assert "1 person found this helpful" in page.content.decode()
    assert 'aria-pressed="true"' in page.content.decode()
    client_for(world.member).post(url("post_helpful", world, post_id=post.pk), {"helpful": "0"})
    with scope(organization=world.org_a):
        assert post.helpful_marks.count() == 0
    # a sponsor cannot post, so cannot mark helpful either
    assert client_for(world.sponsor).post(
        url("post_helpful", world, post_id=post.pk)
    ).status_code in (403, 404)


def test_outsiders_get_404_on_every_new_page(world, client_for):
    _ws, thread = make_thread(world)
    post = first_post(thread)
    outsider = client_for(world.outsider)
    for name, kwargs in [
        ("thread_unread", {"thread_id": thread.pk}),
        ("thread_subscription", {"thread_id": thread.pk}),
        ("thread_answer", {"thread_id": thread.pk}),
        ("post_helpful", {"post_id": post.pk}),
    ]:
        assert outsider.post(url(name, world, **kwargs)).status_code == 404


def test_a_muted_thread_sends_no_mention_email(world, django_capture_on_commit_callbacks):
    from django.core import mail

    _ws, thread = make_thread(world)
    with scope(organization=world.org_a):
        services.subscription_set(actor=world.member, thread=thread, level="mute")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.post_create(actor=world.convener, thread=thread, body="Ask @[Manu Member]")
    assert [m.to for m in mail.outbox] == []
