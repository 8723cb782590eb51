"""Path values for the generic isolation test: objects of organization A."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django_scopes import scope

from measurement.models import Dhis2Mapping, Dhis2SiteMap, ImportBatch, Measure


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
    return {
        "measure_id": measure.pk,
        "batch_id": batch.pk,
        "kind": "site",
        "item_id": line.pk,
        "fmt": "json",
    }
