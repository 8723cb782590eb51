"""Delivery against a real SMTP server on 127.0.0.1: one connection per batch, the
unsubscribe headers, one refused address does not stop the batch, a duplicated task
sends nothing twice, a crash after reserving loses nothing, transient errors retry."""

from __future__ import annotations

import pytest
from django.utils import timezone

from copcore.permissions import CommunityRole
from copcore.testing import UserFactory, add_member, give_role
from notifications import services
from notifications.delivery import TransientDeliveryError, reserve
from notifications.digest import compose_digests
from notifications.models import DeliveryRecord, DeliveryStatus
from notifications.tasks import send_digest_batch
from notifications.tests.helpers import make_content

pytestmark = pytest.mark.django_db


def recipients(handler) -> list[str]:
    return sorted(rcpt for rcpts, _m in handler.received() for rcpt in rcpts)


def test_digests_arrive_with_parts_and_unsubscribe_headers(world, smtp_server):
    make_content(world)
    ids = [world.member.pk, world.steward.pk, world.convener.pk, world.sponsor.pk]
    result = send_digest_batch.delay(ids, timezone.now().isoformat()).get()
    got = {rcpts[0]: message for rcpts, message in smtp_server.received()}
    assert set(got) == {
        "member@a.example",
        "steward@a.example",
        "convener@a.example",
        "sponsor@a.example",
    }
    assert result["sent"] == 4
    message = got["member@a.example"]
    header = "".join(message["List-Unsubscribe"].split())  # unfold
    assert header.startswith("<http") and "/unsubscribe/" in header and header.endswith("/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    types = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= types
    assert "knowledge" in message["X-CoP-Sections"]
    assert "data_due" in got["steward@a.example"]["X-CoP-Sections"]
    assert "data_due" not in message["X-CoP-Sections"]
    statuses = set(DeliveryRecord.objects.filter(user_id__in=ids).values_list("status", flat=True))
    assert statuses == {DeliveryStatus.SENT}


def test_same_task_twice_sends_once(world, smtp_server):
    make_content(world)
    now = timezone.now().isoformat()
    send_digest_batch.delay([world.member.pk], now)
    second = send_digest_batch.delay([world.member.pk], now).get()
    assert recipients(smtp_server) == ["member@a.example"]
    assert second["sent"] == 0 and second["skipped"] == 1
    assert DeliveryRecord.objects.get(user=world.member).attempts == 1


def test_refused_address_does_not_stop_the_batch(world, smtp_server):
    make_content(world)
    smtp_server.refuse = {"member@a.example"}
    ids = [world.member.pk, world.steward.pk, world.convener.pk]
    result = send_digest_batch.delay(ids, timezone.now().isoformat()).get()
    assert recipients(smtp_server) == ["convener@a.example", "steward@a.example"]
    assert result == {"sent": 2, "failed": 1, "skipped": 0}
    failed = DeliveryRecord.objects.get(user=world.member)
    assert failed.status == DeliveryStatus.FAILED and "550" in failed.error


def test_crash_after_reserving_is_sent_by_the_retry(world, smtp_server):
    """A worker that died after reserving (or mid-send) leaves reserved records; the
    retried batch sends them, and only them."""
    make_content(world)
    now = timezone.now()
    composed = compose_digests([world.member.pk, world.steward.pk], now)
    reserve(composed)  # ... and the worker dies here
    assert DeliveryRecord.objects.filter(status=DeliveryStatus.RESERVED).count() == 2
    outcome = services.digests_send(user_ids=[world.member.pk, world.steward.pk], now=now)
    assert len(outcome.sent) == 2
    assert recipients(smtp_server) == ["member@a.example", "steward@a.example"]


def test_transient_error_keeps_records_reserved_then_retry_sends(world, smtp_server):
    make_content(world)
    now = timezone.now()
    smtp_server.unavailable = True
    with pytest.raises(TransientDeliveryError):
        services.digests_send(user_ids=[world.member.pk, world.steward.pk], now=now)
    assert set(DeliveryRecord.objects.values_list("status", flat=True)) == {DeliveryStatus.RESERVED}
    smtp_server.unavailable = False
    services.digests_send(user_ids=[world.member.pk, world.steward.pk], now=now)
    assert recipients(smtp_server) == ["member@a.example", "steward@a.example"]
    assert DeliveryRecord.objects.get(user=world.member).attempts == 2


def test_one_smtp_connection_per_batch(world, smtp_server):
    make_content(world)
    people = []
    for _ in range(5):
        person = UserFactory()
        add_member(world.org_a, person)
        give_role(world.community_a, person, CommunityRole.MEMBER)
        people.append(person.pk)
    from django.core.mail.backends.smtp import EmailBackend

    opened = []
    original = EmailBackend.open

    def counting_open(self):
        result = original(self)
        if result:
            opened.append(self)
        return result

    EmailBackend.open = counting_open
    try:
        services.digests_send(user_ids=people, now=timezone.now())
    finally:
        EmailBackend.open = original
    assert len(smtp_server.received()) == 5
    assert len(opened) == 1


def test_nothing_new_is_recorded_and_not_sent(world, smtp_server):
    services.digests_send(user_ids=[world.member.pk], now=timezone.now())
    assert smtp_server.received() == []
    record = DeliveryRecord.objects.get(user=world.member)
    assert record.status == DeliveryStatus.SKIPPED


def test_task_asks_for_a_retry_on_smtp_error_and_the_retry_delivers(world, smtp_server):
    """On a 421 the batch task asks Celery for a retry (autoretry with backoff): the
    deferred message stays reserved, the others are sent; the retried task (run here
    by hand: eager tasks do not run their retries) sends only the deferred one."""
    from celery.exceptions import Retry

    make_content(world)
    smtp_server.fail_first = 1
    now = timezone.now().isoformat()
    ids = [world.member.pk, world.steward.pk]
    with pytest.raises(Retry):
        send_digest_batch.delay(ids, now)
    assert len(recipients(smtp_server)) == 1
    assert DeliveryRecord.objects.filter(status=DeliveryStatus.RESERVED).count() == 1
    result = send_digest_batch.delay(ids, now).get()  # the retry
    assert result == {"sent": 1, "failed": 0, "skipped": 1}
    assert recipients(smtp_server) == ["member@a.example", "steward@a.example"]
    assert sorted(DeliveryRecord.objects.values_list("attempts", flat=True)) == [1, 2]
    assert set(DeliveryRecord.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
