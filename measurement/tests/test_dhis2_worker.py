"""Scheduled DHIS2 pulls through a real Celery worker and a real Redis (skipped without
REDIS_URL): the beat task queues the due pull, the worker pulls from the stub server and
checks the batch; a second pull finds nothing new; a changed value comes back marked."""

from __future__ import annotations

import time

import pytest
from django.test import TestCase
from django.utils import timezone
from django_scopes import scope

from copcore.testing import build_world
from measurement import services
from measurement.dhis2.tasks import pull_due_mappings
from measurement.dhis2_periods import format_dhis2_period
from measurement.models import Dhis2Mapping, Dhis2Pull, ImportBatch, Observation
from measurement.tests.dhis2_helpers import (  # noqa: F401
    connected_world,
    fill_values,
    months,
    stub,
)


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _scheduled_pull(world, data, expected: int) -> Dhis2Pull:
    with scope(organization=world.org_a):
        Dhis2Mapping.objects.filter(pk=data.mapping.pk).update(next_pull_at=timezone.now())
    pull_due_mappings.delay()
    assert wait_for(lambda: Dhis2Pull.objects.filter(mapping=data.mapping).count() == expected)
    with scope(organization=world.org_a):
        return Dhis2Pull.objects.filter(mapping=data.mapping).order_by("-id").first()


@pytest.mark.integration
def test_scheduled_pulls_on_a_real_worker(celery_worker_real, stub):  # noqa: F811
    world = build_world()
    data = connected_world(world, stub)
    periods = months(2)
    fill_values(stub, periods)
    with scope(organization=world.org_a):
        first = _scheduled_pull(world, data, 1)
        assert first.trigger == Dhis2Pull.Trigger.SCHEDULE
        assert first.status == Dhis2Pull.Status.DONE, first.error
        batch = ImportBatch.objects.get(pk=first.batch_id)
        assert batch.status == ImportBatch.Status.VALIDATED and batch.valid_rows == 12
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.import_batch_request_commit(
                actor=world.steward, batch=batch, on_existing="skip"
            )
        assert Observation.objects.filter(batch=batch).count() == 12
        second = _scheduled_pull(world, data, 2)
        assert second.status == Dhis2Pull.Status.NOTHING_NEW and second.unchanged_rows == 12
        pe = format_dhis2_period(periods[0], "monthly")
        stub.values[("deBundleDen", "Rp268JB6Ne4", pe, "")] = 40
        third = _scheduled_pull(world, data, 3)
        assert (third.new_rows, third.changed_rows) == (0, 1)
        changed = ImportBatch.objects.get(pk=third.batch_id)
        assert changed.report["dhis2"]["changed"][0]["after"] == "20 / 40"
