"""Figures in the reader's language: dashboard pages, chart axes and text alternatives,
the observations export (CSV machine-readable, XLSX typed)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from copcore import l10n
from dashboards.charts import render as charts

pytestmark = pytest.mark.django_db


def test_numbers_percentages_and_months_per_language():
    expected = {
        "en": ("1,234.57", "85.2%", "Mar 2024"),
        "es": ("1.234,57", "85,2\u00a0%", "mar 2024"),
        "fr": ("1\u202f234,57", "85,2\u00a0%", "mars 2024"),
        "pt": ("1.234,57", "85,2%", "mar. 2024"),
    }
    for language, (number, percent, month) in expected.items():
        with translation.override(language):
            assert l10n.number(1234.567, 2) == number, language
            assert l10n.percent(85.23, 1) == percent, language
            assert l10n.month_year(dt.date(2024, 3, 1)) == month, language
            assert l10n.cell("0.53") == l10n.number(0.53, 2)
            assert l10n.cell("2024-W09") == "2024-W09"  # weekly labels stay neutral
    with translation.override("pt-pt"):
        assert l10n.language() == "pt"


def test_chart_axes_use_the_languages_decimal_mark_and_month_names():
    spec = charts.base_spec("t", 300, 200)
    spec |= {
        "data": {"values": [{"period": "2024-03", "y": 0.25}, {"period": "2024-04", "y": 0.5}]},
        "mark": "line",
        "encoding": {
            "x": charts.x_axis(["2024-03", "2024-04"]),
            "y": {"field": "y", "type": "quantitative"},
        },
    }
    labels = {}
    for language in ("en", "es", "fr", "pt"):
        with translation.override(language):
            labels[language] = re.findall(r">([^<]{1,20})</text>", charts.render_chart_svg(spec))
    assert "0.2" in labels["en"] and "Mar 2024" in labels["en"]
    assert "0,2" in labels["es"] and "mar 2024" in labels["es"]
    assert "0,2" in labels["fr"] and "mars 2024" in labels["fr"]
    assert "0,2" in labels["pt"] and "0.2" not in labels["pt"]


def _page(client, url):
    return client.get(url).content.decode()


def test_measure_page_table_is_localised_and_the_csv_is_not(world, dash, client_for):
    world.convener.language = "es"
    world.convener.save()
    client = client_for(world.convener)
    kwargs = {
        "org_slug": world.org_a.slug,
        "community_slug": dash.community.slug,
        "measure_id": dash.bundle.pk,
    }
    html = _page(client, reverse("dashboards:dashboard_measure", kwargs=kwargs))
    assert '<html lang="es">' in html
    table = html[html.index('<table class="dash-table">') :]
    table = table[: table.index("</table>")]
    assert re.search(r"<td>\d+,\d{2}</td>", table)  # decimal comma
    assert not re.search(r"<td>\d+\.\d{2}</td>", table)
    assert "ene 2023" in table  # month names in the text alternative
    csv_text = client.get(
        reverse(
            "dashboards:dashboard_download",
            kwargs={**kwargs, "chart_kind": "cop", "file_format": "csv"},
        )
    ).content.decode()
    assert re.search(r",\d+\.\d{2},", csv_text) and "2023-01" in csv_text  # machine-readable
    assert csv_text.splitlines()[0].startswith("Periodo")  # headers in the reader's language


def test_observation_export_xlsx_has_typed_cells(world, dash, client_for):
    world.convener.language = "pt"
    world.convener.save()
    client = client_for(world.convener)
    url = reverse("api_measurement:observations", kwargs={"org_slug": world.org_a.slug})
    response = client.get(url, {"format": "xlsx", "measure_code": "falls"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    header = rows[0]
    first = rows[1]
    assert isinstance(first[3], dt.datetime) and first[3].date() == dash.periods[0]
    assert isinstance(first[8], (int, float)) and not isinstance(first[8], str)
    assert book.active.cell(row=2, column=4).number_format == "mm-dd-yy"
    with translation.override("pt"):
        from django.utils.translation import gettext

        assert header[3] == gettext("Period")
    csv_response = client.get(url, {"format": "csv", "measure_code": "falls"})
    csv_text = b"".join(csv_response.streaming_content).decode()
    assert csv_text.splitlines()[0].startswith("community,measure_code,site_code,period")
    assert f",{dash.periods[0].isoformat()}," in csv_text
