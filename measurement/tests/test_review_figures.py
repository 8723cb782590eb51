"""The data review table shows figures as people read them, in their language: whole
numbers without decimals (not the stored ``14.0000``), other values with the decimals
they carry; a proportion or a rate row also shows what it stands for (0.8%)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django_scopes import scope

from measurement import services
from measurement.models import Measure, Observation
from measurement.tests.helpers import data_world

pytestmark = pytest.mark.django_db

REVIEW = "/o/network-a/communities/sepsis/data/review/"


@pytest.fixture
def submitted(world):
    data = data_world(world)
    with scope(organization=world.org_a):
        services.data_policy_update(
            actor=world.convener, community=data.community, requires_approval=True, data_lead=None
        )
        score = services.measure_save(
            actor=world.convener, community=data.community, code="score", name="Triage score",
            value_type=Measure.ValueType.CONTINUOUS, frequency=Measure.Frequency.MONTHLY,
            chart_type=Measure.ChartType.I, kind=Measure.Kind.PROCESS,
            direction=Measure.Direction.UP,
        )  # fmt: skip
        common = {"organization": world.org_a, "site": data.site_gh, "status": "submitted",
                  "period": dt.date(2024, 3, 1)}  # fmt: skip
        Observation.objects.create(
            measure=data.bundle, numerator=Decimal(14), denominator=Decimal(1812), **common
        )
        Observation.objects.create(measure=score, value=Decimal("0.8125"), **common)
    return data


def cells(html: str, code: str) -> list[str]:
    """The numerator, denominator and value cells of the row of measure ``code``."""
    row = re.search(rf"<td>{code}</td>.*?</tr>", html, re.S)
    assert row, code
    return re.findall(r'<td class="numeric">([^<]*)</td>', row.group(0))


@pytest.mark.parametrize(
    ("language", "bundle", "score"),
    [
        ("en", ["14", "1,812", "0.8%"], ["", "", "0.8125"]),
        ("es", ["14", "1.812", "0,8\u00a0%"], ["", "", "0,8125"]),
    ],
)
def test_review_figures_are_localised_without_stored_zeros(
    world, submitted, client_for, language, bundle, score
):
    world.convener.language = language
    world.convener.save()
    html = client_for(world.convener).get(REVIEW).content.decode()
    assert f'<html lang="{language}">' in html
    assert "14.0000" not in html and "1812.0000" not in html
    assert cells(html, "bundle") == bundle
    assert cells(html, "score") == score


def test_a_rate_row_shows_its_rate_per_the_multiplier(world, submitted, client_for):
    with scope(organization=world.org_a):
        Observation.objects.create(
            organization=world.org_a, measure=submitted.ssi, site=submitted.site_gh,
            status="submitted", period=dt.date(2024, 3, 4), numerator=Decimal(3),
            denominator=Decimal(412),
        )  # fmt: skip
    html = client_for(world.convener).get(REVIEW).content.decode()
    assert cells(html, "ssi") == ["3", "412", "7.3 per 1,000 procedures"]
