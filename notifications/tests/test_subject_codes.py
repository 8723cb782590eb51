"""Delivery records keep their subject as a code with parameters, and the log and the
API show it in the language of whoever reads them, not the recipient's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from notifications import services, subjects
from notifications.models import DeliveryRecord, Kind
from notifications.tests.helpers import make_content

pytestmark = pytest.mark.django_db

ORG = {"org_slug": "network-a"}


def _send_session_reminder(world):
    content = make_content(world)
    session = content["session"]
    now = session.starts_at - dt.timedelta(hours=23, minutes=30)
    for kind, pairs in services.reminders_due(now=now).items():
        services.reminders_send(kind=kind, pairs=pairs, now=now)
    return session


def test_reminder_subject_is_stored_as_code_and_shown_in_the_readers_language(world, client_for):
    world.member.language = "es"
    world.member.save()
    session = _send_session_reminder(world)
    record = DeliveryRecord.objects.get(user=world.member, kind=Kind.SESSION_24H)
    assert record.subject_code == "session_24h"
    assert record.subject_params == {"title": session.title}
    with translation.override("es"):
        spanish = subjects.subject_text("session_24h", {"title": session.title})
    with translation.override("fr"):
        french = subjects.subject_text("session_24h", {"title": session.title})
    assert spanish != french and session.title in french
    sent = [m for m in mail.outbox if m.extra_headers["X-CoP-Kind"] == Kind.SESSION_24H]
    assert [m.subject for m in sent] == [spanish]  # the email: the recipient's language
    # The convener (an org admin) reads the member's log in French.
    world.convener.language = "fr"
    world.convener.save()
    url = reverse("notifications:member_log", kwargs={**ORG, "user_id": world.member.pk})
    html = client_for(world.convener).get(url).content.decode()
    assert french in html.replace("&#x27;", "'") and spanish not in html


def test_digest_subject_code_follows_its_period_and_the_api_speaks_the_request_language(
    world, client_for
):
    make_content(world)
    call_command("send_digests", "--now")
    record = DeliveryRecord.objects.get(user=world.member, kind=Kind.DIGEST)
    assert record.subject_code == subjects.digest_code(record.period_key)
    world.member.language = "pt"  # the reader's language now, not when it was sent
    world.member.save()
    client = client_for(world.member)
    url = reverse("api_notifications:deliveries", kwargs=ORG)
    rows = client.get(url).json()["results"]
    digest = next(r for r in rows if r["kind"] == "digest")
    with translation.override("pt"):
        expected = subjects.subject_text(record.subject_code)
    assert digest["subject_code"] == record.subject_code
    assert digest["subject"] == expected


def test_every_kind_has_a_subject():
    for kind in Kind.values:
        code = subjects.code_for(kind, "2026-W49")
        assert subjects.subject_text(code, {"title": "T", "community": "C"}), kind


def test_records_from_before_codes_show_their_stored_subject(world):
    record = DeliveryRecord.objects.create(
        user=world.member, kind=Kind.SESSION_1H, period_key="9@x", email="m@x", subject="Soon"
    )
    assert record.subject_shown == "Soon"
