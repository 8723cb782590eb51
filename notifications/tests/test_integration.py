"""Integration: a real Celery worker on the real Redis and PostgreSQL sends digests to
a real SMTP server started here on 127.0.0.1. Skipped (with the reason) without
REDIS_URL; CI sets it.

* the thread worker (shared ``celery_worker_real`` fixture): right people, right
  sections, and the same task delivered twice sends nothing twice;
* a worker *process* killed with SIGKILL in the middle of a batch: after the batch is
  delivered again to a new worker, every message has arrived exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from copcore.permissions import CommunityRole
from copcore.testing import UserFactory, add_member, give_role
from notifications.models import DeliveryRecord, DeliveryStatus
from notifications.tasks import send_digest_batch
from notifications.tests.helpers import make_content

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis: set REDIS_URL")
ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def received_by(handler) -> dict[str, list]:
    result: dict[str, list] = {}
    for rcpts, message in handler.received():
        for rcpt in rcpts:
            result.setdefault(rcpt, []).append(message)
    return result


def sentinel(world) -> int:
    """A person of organization B with news, sent last: once their digest arrives the
    tasks queued before it (the worker runs one at a time) are finished."""
    from django_scopes import scope

    from knowledge.models import Asset, AssetStatus

    with scope(organization=world.org_b):
        Asset.objects.create(
            organization=world.org_b,
            community=world.community_b,
            kind=Asset.Kind.TOOLKIT,
            title="Sentinel toolkit",
            owner=world.outsider,
            status=AssetStatus.PUBLISHED,
            published_at=timezone.now(),
        )
    return world.outsider.pk


@needs_redis
def test_real_worker_sends_right_sections_once_even_when_task_is_duplicated(
    world, smtp_server, celery_worker_real
):
    make_content(world)
    people = [world.member.pk, world.steward.pk, world.convener.pk, world.sponsor.pk]
    now = timezone.now().isoformat()
    send_digest_batch.delay(people, now)
    send_digest_batch.delay(people, now)  # the same task delivered twice
    send_digest_batch.delay([sentinel(world)], now)
    assert wait_for(lambda: "outsider@b.example" in received_by(smtp_server), timeout=90)
    got = received_by(smtp_server)
    assert sorted(got) == [
        "convener@a.example",
        "member@a.example",
        "outsider@b.example",
        "sponsor@a.example",
        "steward@a.example",
    ]
    assert all(len(messages) == 1 for messages in got.values()), {k: len(v) for k, v in got.items()}
    member = got["member@a.example"][0]["X-CoP-Sections"]
    assert {"knowledge", "tests_of_change", "sessions", "action_items"} <= set(member.split(","))
    assert "data_due" in got["steward@a.example"][0]["X-CoP-Sections"]
    assert "data_due" not in member
    assert "Sepsis" not in got["outsider@b.example"][0].as_string()


def _worker(queue: str, env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "copcore",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@needs_redis
def test_every_message_arrives_once_after_a_worker_is_killed_mid_batch(
    world, smtp_server, tmp_path
):
    from copcore.celery import app

    make_content(world)
    people = [world.member.pk, world.steward.pk, world.convener.pk, world.sponsor.pk]
    for _ in range(4):
        person = UserFactory()
        add_member(world.org_a, person)
        give_role(world.community_a, person, CommunityRole.MEMBER)
        people.append(person.pk)
    expected = set()
    from copcore.models import User

    expected = set(User.objects.filter(pk__in=people).values_list("email", flat=True))
    queue = f"test-kill-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "copcore.settings.development",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "SITE_URL": django_settings.SITE_URL,
        "DEBUG": "false",
        "CONN_MAX_AGE": "0",
    }
    # Slow SMTP: each message takes a while, and the third one is in flight when the
    # worker is killed (the server keeps only messages it answered 250 for).
    smtp_server.delay = 1.0
    third = threading.Event()
    smtp_server.in_flight[3] = third
    previous = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_url": app.conf.broker_url,
    }
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL)
    worker_log = tmp_path.joinpath("worker.log").open("w")
    first = _worker(queue, env, worker_log)
    second = None
    try:
        now = timezone.now().isoformat()
        send_digest_batch.apply_async((people, now), queue=queue)
        assert third.wait(timeout=120), tmp_path.joinpath("worker.log").read_text()[-3000:]
        time.sleep(0.3)  # inside the third message's slow DATA reply
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        before = received_by(smtp_server)
        assert 2 <= len(before) < len(expected)
        assert DeliveryRecord.objects.filter(status=DeliveryStatus.RESERVED).exists()
        # The broker delivers the unacknowledged batch again (acks_late): a new worker
        # takes the retried batch and finishes it.
        smtp_server.delay = 0.0
        second = _worker(queue, env, worker_log)
        send_digest_batch.apply_async((people, now), queue=queue)
        assert wait_for(lambda: set(received_by(smtp_server)) >= expected, timeout=120), (
            received_by(smtp_server).keys()
        )
        assert wait_for(
            lambda: not DeliveryRecord.objects.filter(status=DeliveryStatus.RESERVED).exists(),
            timeout=60,
        )
    finally:
        app.conf.update(**previous)
        worker_log.close()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
    got = received_by(smtp_server)
    assert set(got) == expected
    assert {email: len(m) for email, m in got.items()} == dict.fromkeys(expected, 1)
    assert DeliveryRecord.objects.filter(status=DeliveryStatus.SENT).count() == len(expected)
