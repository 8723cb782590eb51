"""A background import processed by a real Celery worker on the real Redis.

Skips without ``REDIS_URL`` (the ``celery_worker_real`` fixture says why); with it set
the worker, in its own thread and database connection, runs the dry run and the commit.
"""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from measurement import services
from measurement.models import ImportBatch, Observation
from measurement.tests.helpers import FIXTURES, data_world

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _wait_for(world, batch_id: int, statuses: set[str], timeout: float = 60) -> ImportBatch:
    deadline = time.monotonic() + timeout
    while True:
        with scope(organization=world.org_a):
            batch = ImportBatch.objects.get(pk=batch_id)
        if batch.status in statuses or time.monotonic() > deadline:
            return batch
        time.sleep(0.2)


def test_background_import_with_a_real_worker(celery_worker_real, world, settings):
    settings.MEASUREMENT_INLINE_IMPORT_BYTES = 10  # every file is "large"
    data = data_world(world)
    content = (FIXTURES / "valid.csv").read_bytes()
    with scope(organization=world.org_a):
        batch = services.import_batch_create(
            actor=world.steward,
            community=data.community,
            upload=SimpleUploadedFile("valid.csv", content),
        )
        services.import_batch_start(batch=batch)  # queued on commit (autocommit here)
    batch = _wait_for(world, batch.pk, {"validated", "invalid", "failed"})
    assert batch.status == ImportBatch.Status.VALIDATED, batch.failure
    assert (batch.total_rows, batch.progress_done) == (5, batch.progress_total)
    with scope(organization=world.org_a):
        assert Observation.objects.count() == 0
        services.import_batch_request_commit(actor=world.steward, batch=batch, on_existing="skip")
    batch = _wait_for(world, batch.pk, {"committed", "failed", "duplicate"})
    assert batch.status == ImportBatch.Status.COMMITTED, batch.failure
    with scope(organization=world.org_a):
        assert Observation.objects.filter(batch=batch).count() == 5
