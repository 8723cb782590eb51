"""No unsuppressed small count reaches a sponsor or a member by any dashboard route:
pages, chart downloads (SVG, PNG, CSV) and the API. Data stewards see the raw figures."""

import csv
import io
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from dashboards.models import DisclosureRule

SMALL = {str(n) for n in range(1, 8)}


class Tables(HTMLParser):
    """Collects the cells of every table on a page."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _urls(world, dash):
    kw = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    m = kw | {"measure_id": dash.bundle.pk}
    rh = f"?site={dash.site_rh.pk}"

    def dl(kind, fmt, query=""):
        return reverse("dashboards:dashboard_download",
                       kwargs=m | {"chart_kind": kind, "file_format": fmt}) + query  # fmt: skip

    pages = [
        reverse("dashboards:dashboard_home", kwargs=kw),
        reverse("dashboards:dashboard_measure", kwargs=m),
        reverse("dashboards:dashboard_measure", kwargs=m) + rh,
        reverse("dashboards:dashboard_sites", kwargs=m),
        reverse("dashboards:dashboard_sites", kwargs=m) + "?anonymous=1",
        reverse("dashboards:dashboard_equity", kwargs=m),
        reverse("dashboards:dashboard_reaim", kwargs=kw),
        reverse("dashboards:dashboard_sponsor", kwargs=kw),
    ]
    csvs = [dl("cop", "csv"), dl("site", "csv", rh), dl("sites", "csv"), dl("funnel", "csv"),
            dl("equity", "csv")]  # fmt: skip
    images = [dl("cop", "svg"), dl("site", "png", rh), dl("sites", "svg"), dl("funnel", "png"),
              dl("equity", "svg")]  # fmt: skip
    api = [
        reverse("api_dashboards:dashboard", kwargs=kw),
        reverse("api_dashboards:dashboard_measure", kwargs=m),
        reverse("api_dashboards:dashboard_measure", kwargs=m) + rh,
        reverse("api_dashboards:dashboard_sites", kwargs=m),
        reverse("api_dashboards:dashboard_equity", kwargs=m),
        reverse("api_dashboards:dashboard_reaim", kwargs=kw),
        # A count measure: its counts (2 to 6 per site) are small everywhere.
        reverse("api_dashboards:dashboard_measure", kwargs=kw | {"measure_id": dash.falls.pk}),
        reverse("api_dashboards:dashboard_measure", kwargs=kw | {"measure_id": dash.falls.pk}) + rh,
        reverse("api_dashboards:dashboard_sites", kwargs=kw | {"measure_id": dash.falls.pk}),
    ]
    return pages, csvs, images, api


def _count_cells(rows: list[list[str]], header_names=("Numerator", "Denominator")) -> list[str]:
    """The cells under numerator/denominator headers, and "a / b:" equity cells."""
    found = []
    header = None
    for row in rows:
        if any(name in row for name in header_names):
            header = row
            continue
        if header and len(row) == len(header):
            for name, cell in zip(header, row, strict=True):
                if name in header_names:
                    found.append(cell)
        for cell in row:
            if " / " in cell and cell.endswith(tuple("0123456789*")) and ":" in cell:
                num, rest = cell.split(" / ", 1)
                found += [num.strip(), rest.split(":")[0].strip()]
    return found


def _api_counts(node) -> list:
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("numerator", "denominator", "reached"):
                out.append(value)
            else:
                out += _api_counts(value)
    elif isinstance(node, list):
        for item in node:
            out += _api_counts(item)
    return out


def _assert_safe(value, where):
    text = "" if value is None else str(value)
    if text in ("", "*", "None"):
        return
    number = float(text)
    assert not 1 <= number <= 7, f"small count {text} in {where}"
    assert number % 5 == 0, f"unrounded count {text} in {where}"


@pytest.mark.parametrize("persona", ["sponsor", "member"])
def test_no_small_count_reaches_non_stewards(world, dash, client_for, persona):
    client = client_for(getattr(world, persona))
    pages, csvs, images, api = _urls(world, dash)
    hidden_seen = False
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        parser = Tables()
        parser.feed(response.content.decode())
        for cell in _count_cells(parser.rows):
            _assert_safe(cell, url)
            hidden_seen |= cell == "*"
    for url in csvs:
        response = client.get(url)
        assert response.status_code == 200, url
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        for cell in _count_cells(rows):
            _assert_safe(cell, url)
            hidden_seen |= cell == "*"
    for url in images:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] in ("image/svg+xml", "image/png")
    for url in api:
        response = client.get(url)
        assert response.status_code == 200, url
        for value in _api_counts(response.json()):
            _assert_safe(value, url)
            hidden_seen |= value == "*"
    assert hidden_seen  # the fixture really has small counts, and they were hidden
    # A count measure's values are counts: each site's falls (2 to 6) never show.
    kw = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    sites = client.get(
        reverse("api_dashboards:dashboard_sites", kwargs=kw | {"measure_id": dash.falls.pk})
    ).json()
    values = [p["value"] for site in sites["sites"] for p in site["points"]]
    assert values and set(values) == {"*"}


def test_a_hidden_site_count_cannot_be_recovered_from_the_total(world, dash, client_for):
    client = client_for(world.sponsor)
    kw = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug,
          "measure_id": dash.bundle.pk}  # fmt: skip
    url = reverse("api_dashboards:dashboard_measure", kwargs=kw)
    total = {p["period"]: p["numerator"] for p in client.get(url).json()["points"]}
    by_site = {}
    for site in dash.sites:
        points = client.get(f"{url}?site={site.pk}").json()["points"]
        by_site[site.pk] = {p["period"]: p["numerator"] for p in points}
    hidden_periods = 0
    for period, value in total.items():
        line = [value] + [by_site[s.pk][period] for s in dash.sites]
        hidden = sum(v == "*" for v in line)
        assert hidden != 1, f"{period}: one hidden figure in {line} is recoverable"
        hidden_periods += hidden > 0
    assert hidden_periods  # RH's small counts were hidden every month
    equity = client.get(reverse("api_dashboards:dashboard_equity", kwargs=kw)).json()
    categories = equity["stratifiers"][0]["categories"]
    for i, period in enumerate(total):
        line = [total[period]] + [c["points"][i]["numerator"] for c in categories]
        assert sum(v == "*" for v in line) != 1


def test_stewards_see_the_raw_figures(world, dash, client_for):
    client = client_for(world.steward)
    _pages, csvs, _images, _api = _urls(world, dash)
    rows = list(csv.reader(io.StringIO(client.get(csvs[1]).content.decode())))
    numerators = {row[1] for row in rows[1:]}
    assert numerators & SMALL  # RH's small numerators, as recorded
    assert "*" not in numerators


def test_the_threshold_rule_of_the_organization_applies(world, dash, client_for):
    DisclosureRule.objects.create(organization=world.org_a, mode="threshold", small_max=9)
    client = client_for(world.member)
    kw = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug,
          "measure_id": dash.bundle.pk}  # fmt: skip
    data = client.get(reverse("api_dashboards:dashboard_measure", kwargs=kw)
                      + f"?site={dash.site_gh.pk}").json()  # fmt: skip
    numerators = [p["numerator"] for p in data["points"]]
    assert any(isinstance(n, float) and n % 5 for n in numerators)  # exact, not rounded
    assert "below" in data["disclosure"] or "1 to 9" in data["disclosure"]


def test_the_function_for_other_pages_and_exports_hides_the_same_cells(world, dash):
    from django_scopes import scope

    from dashboards.selectors.observations import disclose_observations
    from measurement.models import Observation

    with scope(organization=world.org_a):
        rows = list(Observation.objects.filter(measure=dash.bundle, status="approved"))
        sponsor = disclose_observations(user=world.sponsor, community=dash.community,
                                        observations=rows)  # fmt: skip
        steward = disclose_observations(user=world.steward, community=dash.community,
                                        observations=rows)  # fmt: skip
    rh_totals = [o for o in rows if o.site_id == dash.site_rh.pk and o.category_id is None]
    assert all(sponsor[o.pk].numerator == "*" for o in rh_totals)
    assert {steward[o.pk].numerator for o in rh_totals} & SMALL
    for o in rows:
        _assert_safe(sponsor[o.pk].numerator, "export")
        _assert_safe(sponsor[o.pk].denominator, "export")


def test_charts_for_emails_and_printouts_apply_the_rule_too(world, dash):
    from django_scopes import scope

    from dashboards.selectors import chart_for_recipient

    with scope(organization=world.org_a):
        where = {"community": dash.community, "measure_id": dash.bundle.pk,
                 "site_id": dash.site_rh.pk}  # fmt: skip
        chart, svg = chart_for_recipient(user=world.sponsor, **where)
        raw, _svg = chart_for_recipient(user=world.steward, **where)
    assert svg.startswith("<svg")
    assert {row["num"] for row in chart.rows} == {"*"}
    assert all(row["y"] is None for row in chart.rows)
    assert {row["num"] for row in raw.rows} & SMALL


def _observation_routes(world):
    kw = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    page = reverse("measurement:observations", kwargs=kw)
    api = reverse("api_measurement:observations", kwargs={"org_slug": world.org_a.slug})
    return page, api


@pytest.mark.parametrize("persona", ["sponsor", "member"])
def test_observation_page_api_and_csv_apply_the_rule(world, dash, client_for, persona):
    """The measurement app's own data table, observations API and CSV export show
    non-stewards the same disclosed figures as the dashboards."""
    client = client_for(getattr(world, persona))
    page, api = _observation_routes(world)
    parser = Tables()
    parser.feed(client.get(page, {"site": dash.site_rh.pk}).content.decode())
    cells = _count_cells(parser.rows)
    assert cells and "*" in cells
    for cell in cells:
        _assert_safe(cell, page)
    body = client.get(api, {"page_size": 500}).json()
    assert body["results"]
    hidden = 0
    for row in body["results"]:
        for key in ("numerator", "denominator"):
            _assert_safe(row[key], api)
        hidden += row["numerator"] == "*"
    assert hidden and any(row["suppressed"] for row in body["results"])
    exported = client.get(api, {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert len(rows) > 1
    for cell in _count_cells(rows, header_names=("numerator", "denominator")):
        _assert_safe(cell, "observations.csv")


def test_stewards_get_recorded_figures_from_the_observations_api(world, dash, client_for):
    _page, api = _observation_routes(world)
    body = client_for(world.steward).get(api, {"page_size": 500}).json()
    numerators = {row["numerator"] for row in body["results"]}
    assert numerators & SMALL and "*" not in numerators
    assert not any(row["suppressed"] for row in body["results"])
