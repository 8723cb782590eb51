"""At-once replies through the real broker and a real Celery worker: the reply's
on-commit task reaches the worker, the follower gets one email over SMTP, and the same
task delivered again sends nothing twice."""

from __future__ import annotations

import pytest
from django_scopes import scope

from communities import services
from communities.tests.helpers import make_thread
from notifications.models import DeliveryRecord, Kind, NotificationPreference
from notifications.tasks import send_followed_reply
from notifications.tests.test_integration import needs_redis, received_by, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@needs_redis
def test_real_worker_sends_a_followed_reply_once(world, smtp_server, celery_worker_real):
    _ws, thread = make_thread(world, title="Night screening")
    NotificationPreference.objects.create(user=world.member, followed_replies="at_once")
    with scope(organization=world.org_a):
        services.subscription_set(actor=world.member, thread=thread, level="follow")
        post = services.post_create(actor=world.convener, thread=thread, body="New protocol")
    assert wait_for(lambda: "member@a.example" in received_by(smtp_server), timeout=90)
    send_followed_reply.delay(world.org_a.pk, post.pk)  # delivered a second time
    assert wait_for(
        lambda: (
            DeliveryRecord.objects.filter(kind=Kind.FOLLOWED_REPLY).count() == 1
            and not DeliveryRecord.objects.filter(status="reserved").exists()
        ),
        timeout=30,
    )
    # a later task (the worker runs one at a time) proves the duplicate was handled
    with scope(organization=world.org_a):
        second = services.post_create(actor=world.steward, thread=thread, body="Agreed")
    assert wait_for(lambda: len(received_by(smtp_server)["member@a.example"]) >= 2, timeout=90)
    got = received_by(smtp_server)
    assert sorted(got) == ["member@a.example"]
    assert len(got["member@a.example"]) == 2
    assert got["member@a.example"][0]["X-CoP-Kind"] == "followed_reply"
    assert second.pk != post.pk
