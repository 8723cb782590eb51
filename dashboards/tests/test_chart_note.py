"""The chart page never replaces a measure's chart silently (issue 20): a default
chart the engine cannot draw for the measure's data -- replaced by migration 0007,
or written around ``measure_save`` -- is named in a note above the chart, and the
chart drawn is the value type's natural one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from measurement.models import Measure
from measurement.tests.helpers import data_world

pytestmark = pytest.mark.django_db


def _page(world, client_for, measure) -> str:
    url = reverse(
        "dashboards:dashboard_measure",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "measure_id": measure.pk,
        },
    )
    response = client_for(world.member).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_measure_whose_chart_was_replaced_says_so_on_the_chart_page(world, client_for):
    data = data_world(world)
    with scope(organization=world.org_a):
        Measure.objects.filter(pk=data.falls.pk).update(replaced_chart_type="g")
    page = _page(world, client_for, data.falls)
    assert "The default chart of this measure was “g chart”" in page
    assert "Chart: c chart" in page


def test_an_undrawable_chart_written_around_the_service_is_not_replaced_silently(world, client_for):
    data = data_world(world)
    with scope(organization=world.org_a):
        Measure.objects.filter(pk=data.bundle.pk).update(chart_type="c")  # not for proportions
    page = _page(world, client_for, data.bundle)
    assert "was “c chart”" in page and "changed to “p chart”" in page
    assert "Chart: p chart" in page


def test_the_chart_api_carries_the_note(world, client_for):
    data = data_world(world)
    with scope(organization=world.org_a):
        Measure.objects.filter(pk=data.falls.pk).update(replaced_chart_type="g")
    url = reverse(
        "api_dashboards:dashboard_measure",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "measure_id": data.falls.pk,
        },
    )
    body = client_for(world.member).get(url).json()
    assert body["chart"] == "c"
    assert "was “g chart”" in body["chart_note"]


def test_no_note_for_a_measure_with_its_own_chart(world, client_for):
    data = data_world(world)
    assert "The default chart of this measure was" not in _page(world, client_for, data.bundle)
