"""Chart-table CSV downloads never hand a spreadsheet a formula: site names, category
labels and measure names typed by people are neutralised; figures stay numbers."""

import csv
import io

import pytest
from django.urls import reverse
from django_scopes import scope

from measurement.models import Measure, Site, StratifierCategory

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\t=1"]


@pytest.fixture
def hostile(world, dash):
    """The three sites and a category renamed to formula-like texts (stored before
    names were ever checked, or typed as names, which stay free text)."""
    with scope(organization=world.org_a):
        for site, name in zip(dash.sites, HOSTILE, strict=False):
            Site.objects.filter(pk=site.pk).update(name=name)
        StratifierCategory.objects.filter(pk=dash.female.pk).update(label=HOSTILE[3])
        StratifierCategory.objects.filter(pk=dash.male.pk).update(label=HOSTILE[4])
        Measure.objects.filter(pk=dash.bundle.pk).update(name=HOSTILE[0])
    return dash


def _rows(client, world, dash, kind):
    url = reverse(
        "dashboards:dashboard_download",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "measure_id": dash.bundle.pk,
            "chart_kind": kind,
            "file_format": "csv",
        },
    )
    response = client.get(url)
    assert response.status_code == 200, kind
    return list(csv.reader(io.StringIO(response.content.decode())))


def _no_formula(rows):
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or cell.replace(".", "", 1).lstrip("-").isdigit(), cell


@pytest.mark.parametrize("kind", ["sites", "funnel"])
def test_site_names_in_comparison_csv_are_neutralised(world, hostile, client_for, kind):
    rows = _rows(client_for(world.convener), world, hostile, kind)
    names = {row[0] for row in rows[1:]}
    assert {"'" + name for name in HOSTILE[:3]} <= names
    _no_formula(rows)


def test_category_labels_in_equity_csv_are_neutralised(world, hostile, client_for):
    rows = _rows(client_for(world.convener), world, hostile, "equity")
    groups = {row[1] for row in rows[1:]}
    assert groups == {"'@SUM(A1)", "'\t=1"}
    _no_formula(rows)


def test_negative_figures_stay_numbers(world, dash, client_for):
    """A plain negative number is a number, not a formula: it is written unquoted."""
    from dashboards.charts import table_csv

    text = table_csv(["Site", "Value"], [["-1+1", -2.5], ["Ward", "-0.75"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'-1+1", "-2.5"]
    assert rows[2] == ["Ward", "-0.75"]
