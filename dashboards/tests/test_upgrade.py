"""The upgrade path of the move of the dashboards' models from the measurement app.

A database at the state before the move (measurement 0005, no dashboards migration)
gets rows in every moved table through the historical models, is migrated forward to
the latest state, and must still hold every row, readable through the dashboards'
models, with its content types, permissions, audit events and data-version triggers
following. Real PostgreSQL, real migrations (Django's MigrationExecutor); the latest
state is restored at the end whatever happens.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scope, scopes_disabled

from copcore.models import AuditEvent
from dashboards import models as new
from measurement.models import Measure, StratifierCategory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("measurement", "0005_observation_fewer_indexes"), ("dashboards", None)]
MOVED = [
    "ChartNote",
    "CostRecord",
    "DashboardDataVersion",
    "DisclosureRule",
    "ExpectedResultReview",
    "MeasureChartPreference",
    "ReachShare",
    "ReAimProfile",
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move(world):
    """The database at the state before the move; back to the latest state after."""
    with scope(organization=world.org_a):
        measure = Measure.objects.create(
            organization=world.org_a,
            community=world.community_a,
            code="upg",
            name="Upgrade measure",
            kind=Measure.Kind.PROCESS,
            value_type=Measure.ValueType.COUNT,
            frequency=Measure.Frequency.MONTHLY,
            direction=Measure.Direction.UP,
            chart_type=Measure.ChartType.C,
        )
    with scopes_disabled():
        category = StratifierCategory.objects.filter(organization=world.org_a).first()
    latest = _latest()
    executor = _migrate(BEFORE)
    try:
        yield world, measure, category, executor.loader.project_state(BEFORE[:1]).apps
    finally:
        _migrate(latest)
        ContentType.objects.clear_cache()


def _write_old_rows(old, world, measure, category) -> dict[str, int]:
    org, cop, site = world.org_a.pk, world.community_a.pk, world.site_a.pk
    M = lambda name: old.get_model("measurement", name)  # noqa: E731
    if category is None:
        stratifier = M("Stratifier").objects.create(organization_id=org, name="Sex", code="sex")
        category = M("StratifierCategory").objects.create(
            organization_id=org, stratifier=stratifier, label="Female", code="f"
        )
    ids = {
        "DisclosureRule": M("DisclosureRule")
        .objects.create(organization_id=org, mode="threshold", small_max=9, hide_zero=True)
        .pk,
        "MeasureChartPreference": M("MeasureChartPreference")
        .objects.create(
            organization_id=org,
            measure_id=measure.pk,
            user_id=world.member.pk,
            chart_type="c",
            method="ihi",
        )
        .pk,
        "ChartNote": M("ChartNote")
        .objects.create(
            organization_id=org,
            community_id=cop,
            measure_id=measure.pk,
            site_id=site,
            period=dt.date(2024, 3, 1),
            text="New triage nurse started",
            author_id=world.member.pk,
        )
        .pk,
        "ReAimProfile": M("ReAimProfile")
        .objects.create(
            organization_id=org,
            community_id=cop,
            eligible_population=1200,
            staff_eligible=40,
            staff_participating=12,
        )
        .pk,
        "ReachShare": M("ReachShare")
        .objects.create(
            organization_id=org, community_id=cop, category_id=category.pk, eligible_count=600
        )
        .pk,
        "CostRecord": M("CostRecord")
        .objects.create(
            organization_id=org,
            community_id=cop,
            site_id=site,
            incurred_on=dt.date(2024, 2, 1),
            amount=Decimal("1234.50"),
            description="Training day",
        )
        .pk,
        "ExpectedResultReview": M("ExpectedResultReview")
        .objects.create(
            organization_id=org, community_id=cop, position=1, status="on_track", note="Good"
        )
        .pk,
    }
    # The statement triggers of measurement 0004 wrote the data version.
    ids["DashboardDataVersion"] = M("DashboardDataVersion").objects.get(organization_id=org).pk
    return ids


def test_rows_written_before_the_move_survive_it(before_the_move):
    world, measure, category, old = before_the_move
    ContentType.objects.clear_cache()
    ids = _write_old_rows(old, world, measure, category)
    # Before the move the content types belong to measurement (relabelled back when
    # the dashboards migration was reversed); note one and an audit event on a note.
    OldType = old.get_model("contenttypes", "ContentType")
    note_type = OldType.objects.get(app_label="measurement", model="chartnote")
    permission_ids = set(
        old.get_model("auth", "Permission")
        .objects.filter(content_type=note_type)
        .values_list("pk", flat=True)
    )
    old.get_model("copcore", "AuditEvent").objects.create(
        organization_id=world.org_a.pk,
        verb="measurement.chart_note_added",
        target_type=note_type,
        target_id=str(ids["ChartNote"]),
    )
    token_before = (
        old.get_model("measurement", "DashboardDataVersion")
        .objects.get(organization_id=world.org_a.pk)
        .token
    )

    _migrate(_latest())
    ContentType.objects.clear_cache()

    with scope(organization=world.org_a):
        for name in MOVED:
            model = getattr(new, name)
            assert model._meta.db_table == f"measurement_{name.lower()}"
            assert model.objects.filter(pk=ids[name]).exists(), name
        rule = new.DisclosureRule.objects.get(pk=ids["DisclosureRule"])
        assert (rule.mode, rule.small_max, rule.hide_zero) == ("threshold", 9, True)
        note = new.ChartNote.objects.select_related("measure", "author").get(pk=ids["ChartNote"])
        assert (note.text, note.measure, note.author) == (
            "New triage nurse started",
            measure,
            world.member,
        )
        assert world.community_a.reaim_profile.staff_participating == 12
        assert new.CostRecord.objects.get(pk=ids["CostRecord"]).amount == Decimal("1234.50")
        assert new.ReachShare.objects.get(pk=ids["ReachShare"]).eligible_count == 600
        review = new.ExpectedResultReview.objects.get(pk=ids["ExpectedResultReview"])
        assert review.get_status_display() == "On track"
        preference = new.MeasureChartPreference.objects.get(pk=ids["MeasureChartPreference"])
        assert (preference.chart_type, preference.method) == ("c", "ihi")

        # The content type moved with its permissions and the audit events on it.
        moved_type = ContentType.objects.get_for_model(new.ChartNote)
        assert moved_type.pk == note_type.pk
        assert moved_type.app_label == "dashboards"
        assert not ContentType.objects.filter(app_label="measurement", model="chartnote").exists()
        assert (
            set(Permission.objects.filter(content_type=moved_type).values_list("pk", flat=True))
            == permission_ids
        )
        event = AuditEvent.objects.get(verb="measurement.chart_note_added")
        assert event.target_type == moved_type

        # The data-version triggers still fire on the moved tables.
        new.DisclosureRule.objects.filter(pk=rule.pk).update(small_max=10)
        version = new.DashboardDataVersion.objects.get(organization=world.org_a)
        assert version.token != token_before
