"""Celery tasks on a real worker and a real Redis (skipped without REDIS_URL)."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django_scopes import scope

from copcore.testing import build_world
from knowledge import services
from knowledge.models import NoteStatus, StoredFile
from knowledge.tasks import extract_file_text, send_curation_notice
from knowledge.tests.conftest import upload
from knowledge.tests.documents import pdf_with_text


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.integration
def test_a_real_worker_tells_the_author_and_extracts_text(celery_worker_real, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build_world()
    with scope(organization=world.org_a):
        note = services.field_note_create(
            actor=world.member,
            community=world.community_a,
            title="Ward round",
            body="Notes",
            uploads=[upload("audit.pdf", pdf_with_text("Capnography audit"))],
        )
        services.field_note_submit(actor=world.member, note=note)
        services.field_note_decline(actor=world.convener, note=note, reason="Already covered")
        stored = note.attachments.get()
    assert note.status == NoteStatus.DECLINED
    # The services enqueued both tasks on commit; the real worker runs them.
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker did not send the notice"
    assert "Already covered" in mail.outbox[0].body
    assert mail.outbox[0].to == ["member@a.example"]
    with scope(organization=world.org_a):
        assert wait_for(lambda: StoredFile.objects.get(pk=stored.pk).text_extracted)
        assert "Capnography" in StoredFile.objects.get(pk=stored.pk).extracted_text
    # Idempotent: running again changes nothing and still succeeds.
    assert extract_file_text.apply(args=[stored.pk]).get() is True
    assert (
        send_curation_notice.apply(args=[world.org_a.pk, "field_note", 0, "declined"]).get()
        is False
    )
