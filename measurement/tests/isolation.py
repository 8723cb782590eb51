"""Path values for the generic isolation test: objects of organization A."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django_scopes import scope

from measurement.models import (
    Dhis2Mapping,
    Dhis2SiteMap,
    ImportBatch,
    Measure,
    RareEvent,
    SiteEnrolment,
)


def path_values(world) -> dict[str, str]:
    with scope(organization=world.org_a):
        measure = Measure.objects.create(
            organization=world.org_a,
            community=world.community_a,
            code="iso",
            name="Isolation measure",
            kind=Measure.Kind.PROCESS,
            value_type=Measure.ValueType.COUNT,
            frequency=Measure.Frequency.MONTHLY,
            direction=Measure.Direction.UP,
            chart_type=Measure.ChartType.C,
        )
        batch = ImportBatch(
            organization=world.org_a,
            community=world.community_a,
            uploaded_by=world.steward,
            source=ImportBatch.Source.CSV,
            checksum="0" * 64,
            original_name="iso.csv",
            status=ImportBatch.Status.INVALID,
            validated_at=dt.datetime.now(dt.UTC),
        )
        batch.file.save("iso.csv", ContentFile(b"measure_code,site_code,period\n"), save=True)
        mapping = Dhis2Mapping.objects.create(organization=world.org_a, community=world.community_a)
        line = Dhis2SiteMap.objects.create(
            organization=world.org_a, mapping=mapping, site=world.site_a, org_unit="DiszpKrYNg8"
        )
        events = Measure.objects.create(
            organization=world.org_a, community=world.community_a, code="iso-events",
            name="Isolation events", kind=Measure.Kind.OUTCOME,
            value_type=Measure.ValueType.RARE_EVENTS, frequency=Measure.Frequency.MONTHLY,
            direction=Measure.Direction.UP, chart_type="t",
        )  # fmt: skip
        SiteEnrolment.objects.get_or_create(
            organization=world.org_a, community=world.community_a, site=world.site_a,
            defaults={"enrolled_on": dt.date(2024, 1, 1)},
        )  # fmt: skip
        event = RareEvent.objects.create(
            organization=world.org_a, community=world.community_a, measure=events,
            site=world.site_a, occurred_on=dt.date(2024, 2, 1),
        )  # fmt: skip
    return {
        "measure_id": measure.pk,
        "batch_id": batch.pk,
        "event_id": event.pk,
        "kind": "site",
        "item_id": line.pk,
        "fmt": "json",
        "events_measure_id": events.pk,  # the events API takes only a rare-events measure
    }
