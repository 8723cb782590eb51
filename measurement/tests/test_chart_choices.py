"""A measure is only ever offered, and only stores, a chart the SPC engine can draw
from its data (issue 20: "A chart choice the engine cannot draw is not offered").

The g and t charts need rare-event intervals (one value per event): only a
rare-events measure (the date of each event) is offered them; a "days between
events" measure holds one value a period and is not. Measures that were set to a
chart the engine cannot draw for their data get their value type's natural chart
from migration 0007, with a note on the measure page and on the chart page.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scope

from measurement import services
from measurement.forms import MeasureForm
from measurement.models import DRAWABLE_CHARTS, Measure
from measurement.tests.helpers import data_world

pytestmark = pytest.mark.django_db

ORG = "/o/network-a"
COP = f"{ORG}/communities/sepsis/data"
BODY = {
    "code": "cdiff", "name": "Days between C. difficile infections", "kind": "outcome",
    "value_type": "days_between", "frequency": "monthly", "direction": "up",
    "is_active": "on",
}  # fmt: skip


def test_no_chart_is_offered_that_no_value_type_can_draw(world):
    with scope(organization=world.org_a):
        form = MeasureForm(organization=world.org_a)
    offered = {value for value, _label in form.fields["chart_type"].choices if value}
    drawable = {chart for charts in DRAWABLE_CHARTS.values() for chart in charts}
    assert offered == drawable
    # g and t are drawn from the events of a rare-events measure (issue 25) only.
    assert {v for v, charts in DRAWABLE_CHARTS.items() if "g" in charts or "t" in charts} == {
        "rare_events"
    }


@pytest.mark.parametrize(
    ("value_type", "chart", "ok"),
    [
        ("days_between", "i", True),
        ("days_between", "run", True),
        ("days_between", "c", False),
        ("proportion", "p", True),
        ("proportion", "u", False),
        ("rate", "up", True),
        ("count", "p", False),
        ("continuous", "c", False),
    ],
)
def test_the_measure_form_takes_only_charts_drawable_from_the_value_type(
    world, value_type, chart, ok
):
    body = {**BODY, "value_type": value_type, "chart_type": chart, "rate_multiplier": "1000"}
    with scope(organization=world.org_a):
        form = MeasureForm(data=body, organization=world.org_a)
        assert form.is_valid() is ok, form.errors
    if not ok:
        assert "cannot be drawn" in form.errors["chart_type"][0]


def test_a_g_chart_is_refused_by_the_form_page(world, client_for):
    data_world(world)
    response = client_for(world.convener).post(f"{COP}/measures/new/", {**BODY, "chart_type": "g"})
    assert response.status_code == 200
    assert "cannot be drawn" in response.content.decode()
    with scope(organization=world.org_a):
        assert not Measure.objects.filter(code="cdiff").exists()


def test_measure_save_refuses_an_undrawable_chart_and_clears_the_note(world):
    data = data_world(world)
    with scope(organization=world.org_a):
        with pytest.raises(ValidationError) as error:
            services.measure_save(
                actor=world.convener, community=data.community, measure=data.falls,
                chart_type="p",
            )  # fmt: skip
        assert "cannot be drawn" in error.value.message_dict["chart_type"][0]
        Measure.objects.filter(pk=data.falls.pk).update(replaced_chart_type="g")
        data.falls.refresh_from_db()
        assert "was “g chart”" in data.falls.chart_note
        services.measure_save(
            actor=world.convener, community=data.community, measure=data.falls, chart_type="i"
        )
        data.falls.refresh_from_db()
        assert (data.falls.chart_type, data.falls.replaced_chart_type) == ("i", "")


def test_the_measure_page_says_which_chart_was_replaced(world, client_for):
    data = data_world(world)
    with scope(organization=world.org_a):
        Measure.objects.filter(pk=data.falls.pk).update(replaced_chart_type="g")
    page = client_for(world.member).get(f"{COP}/measures/{data.falls.pk}/").content.decode()
    assert "The default chart of this measure was “g chart”" in page
    assert "so it was changed to “c chart”" in page


BEFORE = [("measurement", "0007_import_messages_as_codes")]
AFTER = [("measurement", "0008_chart_drawable")]


def test_migration_0008_replaces_undrawable_default_charts(world):
    """Run the real migration: back to 0007, measures with g (and a mismatched c), forward.

    Inside the test's transaction (PostgreSQL rolls DDL back too), so nothing is
    flushed afterwards; the deferred foreign-key checks of the rows just written are
    made immediate first, as PostgreSQL will not alter a table with pending checks.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old_apps = executor.loader.project_state(BEFORE).apps
        OldMeasure = old_apps.get_model("measurement", "Measure")
        common = {
            "organization_id": world.org_a.pk, "community_id": world.community_a.pk,
            "kind": "outcome", "frequency": "monthly", "direction": "up",
        }  # fmt: skip
        OldMeasure._base_manager.create(
            code="cdiff", name="C. diff", value_type="days_between", chart_type="g", **common
        )
        OldMeasure._base_manager.create(
            code="gcount", name="Falls", value_type="count", chart_type="g", **common
        )
        OldMeasure._base_manager.create(
            code="pc", name="Bundle", value_type="proportion", chart_type="c", **common
        )
        OldMeasure._base_manager.create(
            code="ok", name="Rate", value_type="rate", rate_multiplier=1000, chart_type="up",
            **common,
        )  # fmt: skip
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    with scope(organization=world.org_a):
        found = {
            m.code: (m.chart_type, m.replaced_chart_type)
            for m in Measure.objects.filter(community=world.community_a)
        }
        assert found == {
            "cdiff": ("i", "g"),
            "gcount": ("c", "g"),
            "pc": ("p", "c"),
            "ok": ("up", ""),
        }
        note = Measure.objects.get(code="cdiff").chart_note
    assert "was “g chart”" in note and "changed to “I chart (XmR)”" in note
