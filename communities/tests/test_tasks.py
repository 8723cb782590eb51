"""The mention email through a real Celery worker on the real Redis."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django_scopes import scope

from communities import services
from communities.models import Mention
from communities.tests.helpers import make_thread
from copcore.testing import build_world

pytestmark = [pytest.mark.integration]


def test_mention_email_is_sent_by_the_worker_after_commit(celery_worker_real):
    world = build_world()
    _ws, thread = make_thread(world)
    mail.outbox.clear()
    with scope(organization=world.org_a):
        post = services.post_create(
            actor=world.convener, thread=thread, body="Over to you @[Stella Steward]"
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not mail.outbox:
        time.sleep(0.2)
    assert [m.to for m in mail.outbox] == [["steward@a.example"]]
    with scope(organization=world.org_a):
        assert Mention.objects.get(post=post).notified_at is not None
