"""The DHIS2 stub for tests: a fixture that serves it on 127.0.0.1, and a world whose
CoP is connected and mapped to it (data elements and an indicator, two organisation
units, the ``sex`` categories), with values for the last few complete months."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_scopes import scope

from measurement.dhis2 import services as dhis2
from measurement.dhis2.pulls import periods_for
from measurement.dhis2.stub import StubDhis2, serve
from measurement.dhis2_periods import format_dhis2_period
from measurement.tests.helpers import data_world

TOKEN = "d2pat_Sup3rS3cretT0kenNeverShown0000000001"


@pytest.fixture
def stub(settings):
    """A running stub DHIS2 server; ``stub.url`` is its address."""
    settings.DHIS2_TIMEOUT_SECONDS = 1.0
    settings.DHIS2_RETRIES = 1
    settings.DHIS2_BACKOFF_SECONDS = 0.01
    app = StubDhis2(token=TOKEN, delay=1.6)
    app.org_units = [
        {"id": "DiszpKrYNg8", "code": "OU_GH", "displayName": "Ngelehun CHC"},
        {"id": "Rp268JB6Ne4", "code": "OU_CH", "displayName": "Adonkia CHP"},
    ] + [
        {"id": f"ou{n:09d}", "code": f"OU_{n}", "displayName": f"Clinic {n:03d}"}
        for n in range(120)
    ]
    app.data_elements = [
        {"id": "deBundleNum", "code": "BUNDLE_N", "displayName": "Sepsis bundle given"},
        {"id": "deBundleDen", "code": "BUNDLE_D", "displayName": "Sepsis cases"},
    ]
    app.indicators = [{"id": "inFalls0001", "code": "FALLS", "displayName": "Inpatient falls"}]
    app.option_combos = [{"id": "cocFemale01", "code": "F", "displayName": "Female"}]
    with serve(app) as url:
        app.url = url  # type: ignore[attr-defined]
        yield app


def months(count: int = 3) -> list[dt.date]:
    return periods_for("monthly", count, timezone.localdate())


def fill_values(app: StubDhis2, periods: list[dt.date]) -> None:
    """Bundle numerator/denominator per unit (totals and by sex) and falls (an indicator
    with numerator and denominator) for each period."""
    for index, start in enumerate(periods):
        pe = format_dhis2_period(start, "monthly")
        for ou, base in (("DiszpKrYNg8", 10), ("Rp268JB6Ne4", 20)):
            app.values[("deBundleNum", ou, pe, "")] = base + index
            app.values[("deBundleDen", ou, pe, "")] = base + index + 5
            app.values[("deBundleNum", ou, pe, "cocFemale01")] = base
            app.values[("deBundleDen", ou, pe, "cocFemale01")] = base + 2
            app.values[("inFalls0001", ou, pe, "")] = 3
            app.numden[("inFalls0001", ou, pe)] = (3, 1)


def connected_world(world, stub: StubDhis2, *, lookback: int = 3) -> SimpleNamespace:
    data = data_world(world)
    with scope(organization=world.org_a):
        connection = dhis2.connection_save(
            actor=world.convener,
            organization=world.org_a,
            base_url=stub.url,  # type: ignore[attr-defined]
            auth="token",
            secret=TOKEN,
            push_enabled=True,
        )
        mapping = dhis2.mapping_save(
            actor=world.steward,
            community=data.community,
            schedule="monthly",
            lookback_periods=lookback,
        )
        dhis2.site_map_add(
            actor=world.steward, mapping=mapping, site=data.site_gh, org_unit="DiszpKrYNg8"
        )
        dhis2.site_map_add(
            actor=world.steward, mapping=mapping, site=data.site_ch, org_unit="Rp268JB6Ne4"
        )
        dhis2.measure_map_add(
            actor=world.steward,
            mapping=mapping,
            measure=data.bundle,
            numerator_item="deBundleNum",
            denominator_item="deBundleDen",
        )
        dhis2.measure_map_add(
            actor=world.steward, mapping=mapping, measure=data.falls, indicator="inFalls0001"
        )
        female = data.sex.categories.get(code="f")
        dhis2.category_map_add(
            actor=world.steward, mapping=mapping, option_combo="cocFemale01", category=female
        )
    data.connection, data.mapping = connection, mapping
    return data
