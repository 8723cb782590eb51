"""Rare-events measures across the platform (issue 25): dashboards, the sponsor view,
the RE-AIM effectiveness panel, the digest's summaries and exports treat them like any
count measure, with disclosure control on the counts; and the subgroup charts (xbar, s)
across sites are offered only where the data fit, never silently replacing a choice."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from dashboards import selectors as dashboard_selectors
from dashboards import services as dashboard_services
from dashboards.models import DisclosureRule
from measurement import services
from measurement.models import Measure, Observation
from measurement.tests.helpers import data_world
from measurement.tests.test_rare_events import _events_world, _series

pytestmark = pytest.mark.django_db

ORG = "/o/network-a"
DASH = f"{ORG}/communities/sepsis/dashboard"


def _rule(world, small_max: int) -> None:
    with scope(organization=world.org_a):
        dashboard_services.disclosure_rule_save(
            actor=world.convener, organization=world.org_a, mode=DisclosureRule.Mode.THRESHOLD,
            small_max=small_max, rounding_base=5, hide_zero=False, secondary_suppression=True,
        )  # fmt: skip


def _export(client) -> list[dict]:
    response = client.get(f"/api/v1{ORG}/observations/?format=csv&measure_code=cdiff-days")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_a_rare_events_measure_is_on_every_view_with_its_counts_disclosed(world, client_for):
    data = _events_world(world)
    with scope(organization=world.org_a):
        services.measure_save(
            actor=world.convener, community=data.community, measure=data.events,
            reaim_dimension=Measure.ReAim.EFFECTIVENESS,
        )  # fmt: skip
    _series(world, data)
    _rule(world, 5)
    sponsor, steward = client_for(world.sponsor), client_for(world.steward)
    name = "Days between C. difficile infections"
    for url in (f"{DASH}/", f"{DASH}/sponsor/", f"{DASH}/reaim/"):
        page = sponsor.get(url)
        assert page.status_code == 200, url
        assert name in page.content.decode(), url
    # The digest's summaries (and the dashboards' measures table) read the counts.
    with scopes_disabled():
        from notifications.sections.signals import digest_audience

        _meta, summaries = dashboard_selectors.overview(
            community=data.community, audience=digest_audience(data.community)
        )
    summary = next(s for s in summaries if s.info.code == "cdiff-days")
    assert summary.n_points > 0 and summary.info.is_count
    # Fewer infections per month is an improvement, as longer times between them are.
    assert summary.info.period_direction == "down" and summary.info.direction == "up"
    # Exports: the steward sees the counts as recorded, the sponsor none of 1 to 5.
    recorded = {row["value"] for row in _export(steward)}
    assert {"1", "2"} & recorded
    shown = {row["value"] for row in _export(sponsor)}
    assert shown and not shown & {"1", "2", "3", "4", "5"}
    assert "*" in shown


def _continuous_world(world, periods: int):
    data = data_world(world)
    with scope(organization=world.org_a):
        measure = services.measure_save(
            actor=world.convener, community=data.community, code="los",
            name="Length of stay", kind=Measure.Kind.OUTCOME,
            value_type=Measure.ValueType.CONTINUOUS, frequency=Measure.Frequency.MONTHLY,
            direction=Measure.Direction.DOWN, chart_type="i",
        )  # fmt: skip
        start = dt.date(2024, 1, 1)
        for i in range(periods):
            period = dt.date(
                start.year + (start.month + i - 1) // 12, (start.month + i - 1) % 12 + 1, 1
            )
            for site, base in ((data.site_gh, 5.0), (data.site_ch, 6.0)):
                Observation.objects.create(
                    organization=world.org_a, measure=measure, site=site, period=period,
                    value=Decimal(str(base + (i % 3) * 0.5)), numerator=None,
                    denominator=Decimal(40), status=Observation.Status.APPROVED,
                )  # fmt: skip
    return data, measure


def _options(page: str) -> set[str]:
    import re

    block = page.split('name="chart_type"', 1)[1].split("</select>", 1)[0]
    return set(re.findall(r'value="([^"]+)"', block))


def test_xbar_and_s_are_offered_on_the_network_chart_only_where_the_data_fit(world, client_for):
    data, measure = _continuous_world(world, periods=8)
    steward = client_for(world.steward)
    url = f"{DASH}/measures/{measure.pk}/"
    whole = steward.get(url).content.decode()
    assert _options(whole) == {"run", "i", "xbar", "s"}
    site = steward.get(f"{url}?site={data.site_gh.pk}").content.decode()
    assert _options(site) == {"run", "i"}
    # Choose xbar: the network chart draws it (one point per period, the sites' mean).
    response = steward.post(f"{url}settings/", {"chart_type": "xbar", "method": "anhoej"})
    assert response.status_code == 302
    whole = steward.get(url).content.decode()
    assert "Xbar chart (mean of the sites) of 8 points" in whole
    assert "5.50" in whole  # (5.0 + 6.0) / 2 in the first period
    # A site's view cannot draw it, and says so instead of replacing it silently.
    site = steward.get(f"{url}?site={data.site_gh.pk}").content.decode()
    assert "cannot be drawn for this view of the measure" in site


def test_subgroup_charts_are_not_offered_without_enough_periods(world, client_for):
    _data, measure = _continuous_world(world, periods=4)
    page = client_for(world.steward).get(f"{DASH}/measures/{measure.pk}/").content.decode()
    assert _options(page) == {"run", "i"}


def test_every_chart_offered_is_drawn_by_the_engine(world, client_for):
    """Each offered chart of each view of a rare-events and a continuous measure is drawn
    (an SPC result, not a fallback) when chosen."""
    data = _events_world(world)
    _series(world, data)
    steward = client_for(world.steward)
    for site in (None, data.site_gh):
        url = f"{DASH}/measures/{data.events.pk}/"
        query = f"?site={site.pk}" if site else ""
        offered = _options(steward.get(url + query).content.decode())
        assert offered == ({"t", "run", "c"} if site is None else {"t", "g", "run", "c"})
        for chart in offered:
            steward.post(f"{url}settings/", {"chart_type": chart, "method": "anhoej"})
            page = steward.get(url + query).content.decode()
            assert "cannot be drawn for this view" not in page, (chart, site)
            assert "Chart: " in page and " of 0 points" not in page, (chart, site)
