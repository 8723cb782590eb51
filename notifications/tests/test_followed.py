"""Replies in followed discussions: at once (one email per reply, through the delivery
records) or in the digest's "Discussions you follow" section with unread counts; muted
threads never notify."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scope

from communities import services
from communities.tests.helpers import make_thread
from notifications.digest import compose_digests
from notifications.followed import send_followed_reply
from notifications.models import DeliveryRecord, Kind, NotificationPreference

pytestmark = pytest.mark.django_db


def reply(world, thread, author, body, capture=None):
    with scope(organization=world.org_a):
        if capture is None:
            return services.post_create(actor=author, thread=thread, body=body)
        with capture(execute=True):
            return services.post_create(actor=author, thread=thread, body=body)


def at_once(user):
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"followed_replies": "at_once"}
    )


def test_followers_who_chose_at_once_get_one_email_per_reply(
    world, django_capture_on_commit_callbacks
):
    _ws, thread = make_thread(world, title="Night screening")  # the convener follows
    reply(world, thread, world.member, "I follow by replying")  # the member follows
    reply(world, thread, world.steward, "Me too")
    with scope(organization=world.org_a):
        services.subscription_set(actor=world.steward, thread=thread, level="mute")
    at_once(world.member)
    at_once(world.steward)  # muted: never notified
    mail.outbox.clear()
    post = reply(
        world,
        thread,
        world.convener,
        "New protocol from Monday",
        django_capture_on_commit_callbacks,
    )
    assert [m.to for m in mail.outbox] == [["member@a.example"]]
    message = mail.outbox[0]
    assert message.subject == "New reply in “Night screening”"
    assert "New protocol from Monday" in message.body
    assert f"#post-{post.pk}" in message.body
    assert message.extra_headers["X-CoP-Kind"] == Kind.FOLLOWED_REPLY
    # a retried task sends nothing twice
    send_followed_reply(post_id=post.pk)
    assert len(mail.outbox) == 1
    assert DeliveryRecord.objects.filter(kind=Kind.FOLLOWED_REPLY, user=world.member).count() == 1
    # the convener (the author) chose the digest: no email for their own or others' replies
    reply(world, thread, world.member, "Thanks", django_capture_on_commit_callbacks)
    assert all(m.to != ["convener@a.example"] for m in mail.outbox)


def test_digest_lists_followed_threads_with_unread_counts_and_leaves_muted_out(world):
    workstream, followed = make_thread(world, title="Followed thread")
    with scope(organization=world.org_a):
        muted = services.thread_create(
            actor=world.convener, workstream=workstream, title="Muted thread", body="Hi"
        )
        services.thread_create(
            actor=world.convener, workstream=workstream, title="Plain thread", body="Hi"
        )
        services.subscription_set(actor=world.member, thread=followed, level="follow")
        services.subscription_set(actor=world.member, thread=muted, level="mute")
    first = reply(world, followed, world.steward, "One")
    reply(world, followed, world.steward, "Two")
    reply(world, muted, world.steward, "Muted reply")
    with scope(organization=world.org_a):
        services.thread_mark_read(user=world.member, thread=followed, up_to=first)
    digest = {c.user_id: c for c in compose_digests([world.member.pk])}[world.member.pk]
    assert "followed_threads" in digest.sections
    followed_part = digest.text.split("Discussions you follow")[1]
    assert "Followed thread" in followed_part.split("Discussions: new posts")[0]
    assert "New posts: 3 · Unread: 1" in digest.text
    assert "/unread/" in digest.text  # opens at the first unread post
    assert "Muted thread" not in digest.text
    assert "Plain thread" in digest.text  # not followed: in the general section
    # a person who chose "at once" does not get the same replies again in the digest
    at_once(world.member)
    digest = {c.user_id: c for c in compose_digests([world.member.pk])}[world.member.pk]
    assert "followed_threads" not in digest.sections
    assert "Muted thread" not in digest.text


def test_preference_page_and_api_carry_the_choice(world, client_for):
    client = client_for(world.member)
    api = f"/api/v1/o/{world.org_a.slug}/notifications/preferences/"
    response = client.get(api)
    assert response.json()["followed_replies"] == "digest"
    response = client.put(api, {"followed_replies": "at_once"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert NotificationPreference.objects.get(user=world.member).followed_replies == "at_once"
    bad = client.put(api, {"followed_replies": "sometimes"}, content_type="application/json")
    assert bad.status_code == 400 and "followed_replies" in bad.json()["error"]["fields"]
    page = client.get(f"/o/{world.org_a.slug}/notifications/preferences/").content.decode()
    assert "Replies in discussions I follow" in page
