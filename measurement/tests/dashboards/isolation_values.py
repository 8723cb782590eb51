"""Path values of the dashboard routes for the generic isolation test (objects of
organization A). ``measurement/tests/isolation.py`` wraps its own ``path_values``
with :func:`with_dashboard_values`."""

from __future__ import annotations

import datetime as dt

from django_scopes import scope

from measurement.models import Measure
from measurement.models_dashboards import ChartNote


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


def with_dashboard_values(own):
    """Wrap an app's ``path_values`` so the dashboard values are added to its own."""

    def combined(world) -> dict[str, str]:
        values = {k: str(v) for k, v in own(world).items()}
        values.update(path_values(world, measure_id=int(values.get("measure_id") or 0) or None))
        return values

    return combined
