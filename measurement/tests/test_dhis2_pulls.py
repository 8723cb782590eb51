"""Pulls from the stub DHIS2 server as imports: the batch, the same check and commit,
an idempotent second pull, a changed value marked for the approver, approval levels,
and failures recorded without writing anything."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import TestCase
from django_scopes import scope

from copcore.models import AuditEvent
from measurement import services
from measurement.dhis2 import pulls
from measurement.dhis2.stub import REFUSE
from measurement.dhis2_periods import format_dhis2_period
from measurement.models import Dhis2Pull, ImportBatch, Observation
from measurement.tests.dhis2_helpers import (  # noqa: F401
    connected_world,
    fill_values,
    months,
    stub,
)

pytestmark = pytest.mark.django_db


def _pull(world, data) -> Dhis2Pull:
    with scope(organization=world.org_a), TestCase.captureOnCommitCallbacks(execute=True):
        return pulls.pull_run(actor=world.steward, mapping=data.mapping)


def _commit(world, batch, on_existing="skip"):
    with scope(organization=world.org_a), TestCase.captureOnCommitCallbacks(execute=True):
        services.import_batch_request_commit(
            actor=world.steward, batch=batch, on_existing=on_existing
        )
        batch.refresh_from_db()
    return batch


def test_a_pull_is_an_import_and_a_second_pull_writes_nothing(world, stub):  # noqa: F811
    data = connected_world(world, stub)
    periods = months(3)
    fill_values(stub, periods)
    pull = _pull(world, data)
    assert pull.status == Dhis2Pull.Status.DONE and pull.error == ""
    # Per period and unit: bundle total, bundle female, falls total.
    assert pull.new_rows == 3 * 2 * 3 and pull.changed_rows == 0
    batch = pull.batch
    assert batch.source == ImportBatch.Source.DHIS2
    assert batch.status == ImportBatch.Status.VALIDATED, batch.report
    assert batch.valid_rows == 18 and batch.error_count == 0
    batch = _commit(world, batch)
    assert batch.status == ImportBatch.Status.COMMITTED and batch.inserted_count == 18
    with scope(organization=world.org_a):
        falls = Observation.objects.get(
            measure=data.falls, site=data.site_gh, period=periods[0], category=None
        )
        bundle = Observation.objects.get(
            measure=data.bundle, site=data.site_ch, period=periods[1], category=None
        )
        assert falls.value == Decimal(3) and falls.status == Observation.Status.SUBMITTED
        assert (bundle.numerator, bundle.denominator) == (Decimal(21), Decimal(26))
        before = Observation.objects.count()
    again = _pull(world, data)
    assert again.status == Dhis2Pull.Status.NOTHING_NEW and again.batch is None
    assert again.unchanged_rows == 18
    with scope(organization=world.org_a):
        assert Observation.objects.count() == before
        verbs = list(
            AuditEvent.objects.filter(verb="measurement.dhis2_pulled").values_list(
                "data__status", flat=True
            )
        )
    assert sorted(verbs) == ["done", "nothing_new"]


def test_a_changed_value_is_marked_and_overwritten_when_chosen(world, stub):  # noqa: F811
    data = connected_world(world, stub)
    periods = months(2)
    fill_values(stub, periods)
    _commit(world, _pull(world, data).batch)
    pe = format_dhis2_period(periods[1], "monthly")
    stub.values[("deBundleNum", "DiszpKrYNg8", pe, "")] = 14
    pull = _pull(world, data)
    assert (pull.new_rows, pull.changed_rows, pull.unchanged_rows) == (0, 1, 11)
    changed = pull.batch.report["dhis2"]["changed"]
    assert changed == [
        {
            "measure": "bundle",
            "site": "GH",
            "period": periods[1].isoformat(),
            "category": "",
            "before": "11 / 16",
            "after": "14 / 16",
        }
    ]
    assert pull.batch.existing_count == 1
    batch = _commit(world, pull.batch, on_existing="overwrite")
    assert batch.updated_count == 1
    with scope(organization=world.org_a):
        row = Observation.objects.get(
            measure=data.bundle, site=data.site_gh, period=periods[1], category=None
        )
    assert row.numerator == Decimal(14) and row.status == Observation.Status.SUBMITTED


def test_only_approved_data_when_the_mapping_asks(world, stub):  # noqa: F811
    data = connected_world(world, stub)
    periods = months(2)
    fill_values(stub, periods)
    stub.approved = {("DiszpKrYNg8", format_dhis2_period(periods[0], "monthly"))}
    with scope(organization=world.org_a):
        data.mapping.approval_level = "aplDistrict"
        data.mapping.save()
        plan = pulls.plan_pull(mapping=data.mapping)
    assert {(r.site_code, r.period) for r in plan.rows} == {("GH", periods[0])}


def test_a_refused_token_is_recorded_and_writes_nothing(world, stub):  # noqa: F811
    data = connected_world(world, stub)
    fill_values(stub, months(2))
    stub.mode = REFUSE
    pull = _pull(world, data)
    assert pull.status == Dhis2Pull.Status.FAILED and pull.error == "refused"
    assert pull.batch is None
    with scope(organization=world.org_a):
        assert not ImportBatch.objects.exists()


def test_the_scheduled_pull_finds_due_mappings_only(world, stub):  # noqa: F811
    from django.utils import timezone

    data = connected_world(world, stub)
    fill_values(stub, months(2))
    from measurement.dhis2.tasks import pull_due_mappings

    with TestCase.captureOnCommitCallbacks(execute=True):
        first = pull_due_mappings()
    assert first == {"pulled": 1}
    with scope(organization=world.org_a):
        data.mapping.refresh_from_db()
        assert data.mapping.next_pull_at > timezone.now()
        pull = Dhis2Pull.objects.get()
    assert pull.trigger == Dhis2Pull.Trigger.SCHEDULE and pull.batch is not None
    assert pull_due_mappings() == {"pulled": 0}
