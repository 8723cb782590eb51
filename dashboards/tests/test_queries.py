"""A CoP dashboard issues a fixed number of queries whatever the number of sites,
measures and periods (cold cache: everything computed; warm: version check only)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from copcore import versioned_cache as cache
from dashboards.tests.helpers import months, observe
from measurement import services
from measurement.models import Measure, Site


def _count(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _grow(world, dash):
    """Two more sites, two more measures (one stratified) and twelve more months."""
    with scope(organization=world.org_a):
        extra_sites = [
            Site.objects.create(organization=world.org_a, name=f"Extra {k}", code=f"X{k}")
            for k in range(2)
        ]
        for site in extra_sites:
            services.enrolment_save(actor=world.convener, community=world.community_a,
                                    site=site, wave=2, enrolled_on=dt.date(2023, 1, 1))  # fmt: skip
        for code in ("m1", "m2"):
            measure = services.measure_save(
                actor=world.convener, community=world.community_a, code=code, name=code,
                kind=Measure.Kind.PROCESS, value_type=Measure.ValueType.PROPORTION,
                frequency=Measure.Frequency.MONTHLY, direction=Measure.Direction.UP,
                chart_type=Measure.ChartType.P, stratifiers=[dash.sex] if code == "m1" else [],
            )  # fmt: skip
            for period in months(36):
                for site in dash.sites + extra_sites:
                    observe(world, measure, site, period, 30, 50)
                    if code == "m1":
                        observe(world, measure, site, period, 14, 25, category=dash.female)


def test_dashboard_pages_issue_a_fixed_number_of_queries(world, dash, client_for):
    client = client_for(world.sponsor)
    kw = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    names = ["dashboards:dashboard_home", "dashboards:dashboard_reaim",
             "dashboards:dashboard_sponsor"]  # fmt: skip
    api = reverse("api_dashboards:dashboard", kwargs=kw)
    measure_url = reverse("dashboards:dashboard_measure",
                          kwargs=kw | {"measure_id": dash.bundle.pk})  # fmt: skip
    sites_url = reverse("dashboards:dashboard_sites", kwargs=kw | {"measure_id": dash.bundle.pk})
    urls = [reverse(n, kwargs=kw) for n in names] + [api, measure_url, sites_url]
    before = {url: _count(client, url) for url in urls}
    _grow(world, dash)
    after = {url: _count(client, url) for url in urls}
    assert before == after
    assert before[urls[0]] <= 16  # session, user, membership, community, audience, data


def test_a_warm_dashboard_reads_only_the_version_and_the_audience(world, dash, client_for):
    client = client_for(world.sponsor)
    url = reverse(
        "dashboards:dashboard_home",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )
    cold = _count(client, url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert len(captured) < cold
    sql = " ".join(q["sql"] for q in captured)
    assert "measurement_observation" not in sql


def test_a_write_changes_the_data_version_so_the_cache_is_never_stale(world, dash, client_for):
    client = client_for(world.steward)
    url = reverse("api_dashboards:dashboard_measure",
                  kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug,
                          "measure_id": dash.falls.pk})  # fmt: skip
    before = client.get(url).json()["points"][0]["value"]
    with scope(organization=world.org_a):
        from measurement.models import Observation

        Observation.objects.filter(measure=dash.falls, period=dash.periods[0]).update(value=50)
    after = client.get(url).json()["points"][0]["value"]
    assert before != after == 150.0  # three sites x 50, recomputed at once


def test_an_audience_built_elsewhere_still_reads_the_current_data(world, dash):
    """Other apps (the digest) build an Audience themselves: the overview must still
    key its cache by the current data version."""
    from dashboards import selectors
    from dashboards.disclosure import DEFAULT_RULE
    from measurement.models import Observation

    audience = selectors.Audience(
        community_id=dash.community.pk, can_view=True, statuses=("approved",),
        rule=DEFAULT_RULE, unsuppressed=False, read_only=True, can_manage=False,
        can_note=False,
    )  # fmt: skip
    with scope(organization=world.org_a):
        _meta, before = selectors.overview(community=dash.community, audience=audience)
        Observation.objects.filter(measure=dash.falls, period=dash.periods[-1]).update(value=100)
        _meta, after = selectors.overview(community=dash.community, audience=audience)
    falls_before = next(s for s in before if s.info.code == "falls")
    falls_after = next(s for s in after if s.info.code == "falls")
    assert falls_after.latest_value == 300.0 != falls_before.latest_value
    assert falls_after.spark_rows  # kept for other renderers (the digest's PNG)
