"""Path values of the dashboard routes for the generic isolation test (objects of
organization A): a measure of community A (the one the measurement app's values
created, when there is one) and a note on its chart."""

from __future__ import annotations

import datetime as dt

from django_scopes import scope

from dashboards.models import ChartNote
from measurement.models import Measure


def path_values(world, measure_id: int | None = None) -> dict[str, str]:
    with scope(organization=world.org_a):
        measure = (
            Measure.objects.filter(pk=measure_id).first()
            if measure_id
            else Measure.objects.filter(community=world.community_a).first()
        )
        if measure is None:
            measure = Measure.objects.create(
                organization=world.org_a,
                community=world.community_a,
                code="iso-dash",
                name="Isolation measure (dashboards)",
                kind=Measure.Kind.PROCESS,
                value_type=Measure.ValueType.COUNT,
                frequency=Measure.Frequency.MONTHLY,
                direction=Measure.Direction.UP,
                chart_type=Measure.ChartType.C,
            )
        note = ChartNote.objects.create(
            organization=world.org_a,
            community=world.community_a,
            measure=measure,
            period=dt.date(2024, 1, 1),
            text="Isolation note",
            author=world.member,
        )
    return {
        "measure_id": str(measure.pk),
        "note_id": str(note.pk),
        "chart_kind": "cop",
        "file_format": "csv",
    }
