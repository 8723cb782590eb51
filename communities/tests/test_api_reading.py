"""The API of each person's place in the discussions: unread counts in lists, the read
state, follow/mute, the accepted answer and "helpful", with the one error shape."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from communities import services
from communities.tests.helpers import first_post, make_thread

pytestmark = pytest.mark.django_db


def api(name, world, org=None, community=None, **kwargs):
    return reverse(
        f"api_communities:{name}",
        kwargs={
            "org_slug": (org or world.org_a).slug,
            "community_slug": (community or world.community_a).slug,
            **kwargs,
        },
    )


def test_lists_carry_unread_counts_and_the_read_state_moves_forward(world, client_for):
    workstream, thread = make_thread(world)
    with scope(organization=world.org_a):
        answer = services.post_create(actor=world.steward, thread=thread, body="Answer")
    client = client_for(world.member)
    threads = client.get(api("threads", world, workstream_id=workstream.pk)).json()
    assert threads["count"] == 1  # paginated
    row = threads["results"][0]
    assert row["unread_count"] == 2 and row["subscription"] is None
    assert client.get(api("workstreams", world)).json()["results"][0]["unread_count"] == 2
    state = client.get(api("thread_read_state", world, thread_id=thread.pk)).json()
    assert state["unread_count"] == 2 and state["first_unread_post"] == first_post(thread).pk
    moved = client.post(
        api("thread_read_state", world, thread_id=thread.pk),
        {"post": first_post(thread).pk},
        content_type="application/json",
    ).json()
    assert moved["unread_count"] == 1 and moved["first_unread_post"] == answer.pk
    done = client.post(
        api("thread_read_state", world, thread_id=thread.pk), {}, content_type="application/json"
    ).json()
    assert done["unread_count"] == 0 and done["last_read_post"] == answer.pk
    bad = client.post(
        api("thread_read_state", world, thread_id=thread.pk),
        {"post": 999999},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "post" in bad.json()["error"]["fields"]
    detail = client.get(api("thread", world, thread_id=thread.pk)).json()
    assert detail["unread_count"] == 0


def test_thread_list_query_count_does_not_grow(world, client_for):
    workstream, _thread = make_thread(world)
    client = client_for(world.member)
    url = api("threads", world, workstream_id=workstream.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with scope(organization=world.org_a):
        for i in range(6):
            t = services.thread_create(
                actor=world.convener, workstream=workstream, title=f"T{i}", body="b"
            )
            services.post_create(actor=world.steward, thread=t, body="r")
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_follow_mute_answer_and_helpful(world, client_for):
    workstream, thread = make_thread(world)  # the convener's thread
    with scope(organization=world.org_a):
        answer = services.post_create(actor=world.steward, thread=thread, body="Answer")
    member = client_for(world.member)
    sub = api("thread_subscription", world, thread_id=thread.pk)
    assert member.get(sub).json() == {"level": "none"}
    assert member.put(sub, {"level": "mute"}, content_type="application/json").json() == {
        "level": "mute"
    }
    bad = member.put(sub, {"level": "loud"}, content_type="application/json")
    assert bad.status_code == 400 and "level" in bad.json()["error"]["fields"]
    ws_sub = api("workstream_subscription", world, workstream_id=workstream.pk)
    assert (
        member.put(ws_sub, {"level": "follow"}, content_type="application/json").status_code == 200
    )
    row = member.get(api("threads", world, workstream_id=workstream.pk)).json()["results"][0]
    assert row["subscription"] == "mute"  # the thread's own choice wins
    # accepted answer: the member is not the author nor a moderator
    target = api("thread_answer", world, thread_id=thread.pk)
    refused = member.put(target, {"post": answer.pk}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"]
    author = client_for(world.convener)
    accepted = author.put(target, {"post": answer.pk}, content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["accepted_answer"] == answer.pk
    question = author.put(target, {"post": first_post(thread).pk}, content_type="application/json")
    assert question.status_code == 400 and question.json()["error"]["code"] == "invalid"
    assert author.delete(target).json()["accepted_answer"] is None
    # helpful
    helpful = api("post_helpful", world, post_id=answer.pk)
    assert member.put(helpful).json() == {"helpful": True, "helpful_count": 1}
    assert member.put(helpful).json() == {"helpful": True, "helpful_count": 1}
    posts = member.get(api("posts", world, thread_id=thread.pk)).json()["results"]
    assert [p["helpful_count"] for p in posts] == [0, 1] and posts[1]["helpful_mine"] is True
    own = client_for(world.steward).put(helpful)
    assert own.status_code == 400 and own.json()["error"]["message"]
    assert member.delete(helpful).json() == {"helpful": False, "helpful_count": 0}


def test_another_organizations_thread_is_404_everywhere(world, client_for):
    _ws, thread = make_thread(world)
    post = first_post(thread)
    outsider = client_for(world.outsider)
    # through the outsider's own organization and community: the ids are not theirs
    for name, kwargs, methods in [
        ("thread_read_state", {"thread_id": thread.pk}, ("get", "post")),
        ("thread_subscription", {"thread_id": thread.pk}, ("get", "put")),
        ("thread_answer", {"thread_id": thread.pk}, ("put", "delete")),
        ("post_helpful", {"post_id": post.pk}, ("get", "put", "delete")),
    ]:
        url = api(name, world, org=world.org_b, community=world.community_b, **kwargs)
        for method in methods:
            response = getattr(outsider, method)(
                url, {"post": post.pk}, content_type="application/json"
            )
            assert response.status_code == 404, (url, method, response.status_code)
            assert response.json()["error"]["code"] == "not_found"
