"""Figures through every door: files (CSV, XLSX text cells), the data-entry grid in the
person's language, the API, the check page's reading and switch, and import problems
stored as codes and shown in the reader's language (issue 20, findings 1 and 8)."""

from __future__ import annotations

import importlib
import io
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from django_scopes import scope
from openpyxl import Workbook

from measurement import numbers, services
from measurement.issues import message_text
from measurement.models import ImportBatch, Observation
from measurement.tests.helpers import codes, data_world, length_of_stay, upload

pytestmark = pytest.mark.django_db

ORG = "/o/network-a"
COP = f"{ORG}/communities/sepsis/data"

# ssi is a weekly rate: infections per 1,000 procedures; 5 Feb 2024 is a Monday.
SPANISH_EXCEL = (
    "measure_code;site_code;period;numerator;denominator\r\nssi;GH;05/02/2024;3;1.806\r\n"
)


@pytest.fixture
def data(world):
    return data_world(world)


def _set_language(user, language):
    type(user).objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()


def _commit(world, batch):
    with scope(organization=world.org_a), TestCase.captureOnCommitCallbacks(execute=True):
        services.import_batch_request_commit(actor=world.steward, batch=batch, on_existing="skip")
        batch.refresh_from_db()
    return batch


def _stored(world, measure):
    with scope(organization=world.org_a):
        return list(
            Observation.objects.filter(measure=measure)
            .order_by("period")
            .values_list("numerator", "denominator", "value")
        )


def _detail(world, batch):
    return reverse(
        "measurement:import_detail", kwargs={"org_slug": world.org_a.slug, "batch_id": batch.pk}
    )


def _recheck(world, batch):
    return reverse(
        "measurement:import_recheck", kwargs={"org_slug": world.org_a.slug, "batch_id": batch.pk}
    )


# Files ------------------------------------------------------------------------------


def test_spanish_excel_thousands_are_read_as_thousands(world, data):
    """The finding: 1.806 bed days from a Spanish Excel CSV is 1806, never 1.806."""
    _set_language(world.steward, "es")
    batch = upload(world, SPANISH_EXCEL.encode(), "camas.csv")
    assert (batch.error_count, batch.valid_rows) == (0, 1)
    assert batch.report["number_reading"]["convention"] == numbers.COMMA
    assert batch.report["number_reading"]["basis"] == numbers.BASIS_LANGUAGE
    _commit(world, batch)
    assert _stored(world, data.ssi) == [(Decimal("3"), Decimal("1806"), None)]


def test_the_same_file_from_an_english_uploader_is_refused_not_stored_as_a_fraction(
    world, data, client
):
    _set_language(world.steward, "en")
    batch = upload(world, SPANISH_EXCEL.encode(), "camas.csv")
    assert batch.status == ImportBatch.Status.INVALID
    assert codes(batch) == [(2, "denominator", "not_whole")]
    assert message_text(batch.report["errors"][0]) == (
        "1.806 is not a whole number: did you mean 1806?"
    )
    assert _stored(world, data.ssi) == []
    # The check page says how the figures were read and offers the other reading.
    client.force_login(world.steward)
    page = client.get(_detail(world, batch)).content.decode()
    assert "Figures read with" in page and "a decimal point (1,234.5)" in page
    assert "nothing in the figures decides, so your language does" in page
    assert 'name="number_convention"' in page and 'value="comma"' in page
    assert "1.806 is not a whole number: did you mean 1806?" in page
    nothing_chosen = client.post(_recheck(world, batch), {"switch": "figures"}, follow=True)
    assert "Choose how to read the figures." in nothing_chosen.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(_recheck(world, batch), {"number_convention": "comma"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.report["number_reading"]["basis"] == numbers.BASIS_CHOSEN
    assert batch.report["number_convention"] == numbers.COMMA
    page = client.get(_detail(world, batch)).content.decode()
    assert "a decimal comma (1.234,5)" in page and "as you chose" in page
    _commit(world, batch)
    assert _stored(world, data.ssi) == [(Decimal("3"), Decimal("1806"), None)]


def test_the_column_proves_the_decimal_comma(world, data):
    los = length_of_stay(world)
    _set_language(world.steward, "en")
    content = (
        "measure_code;site_code;period;numerator;denominator;value\r\n"
        "ssi;GH;2024-02-05;3;1.806;\r\n"
        "los;GH;2024-02-01;;;12,50\r\n"
        "los;GH;2024-03-01;;;1.234,5\r\n"
    )
    batch = upload(world, content.encode(), "stays.csv")
    assert batch.error_count == 0
    assert batch.report["number_reading"]["basis"] == numbers.BASIS_COLUMN
    assert batch.report["number_reading"]["convention"] == numbers.COMMA
    _commit(world, batch)
    assert _stored(world, data.ssi) == [(Decimal("3"), Decimal("1806"), None)]
    assert [value for _n, _d, value in _stored(world, los)] == [
        Decimal("12.5"),
        Decimal("1234.5"),
    ]


def test_the_column_proves_the_decimal_point(world, data):
    los = length_of_stay(world)
    _set_language(world.steward, "es")
    content = (
        "measure_code,site_code,period,numerator,denominator,value\r\n"
        'ssi,GH,2024-02-05,3,"1,806",\r\n'
        'los,GH,2024-02-01,,,"1,234.5"\r\n'
    )
    batch = upload(world, content.encode(), "stays.csv")
    assert batch.error_count == 0
    assert batch.report["number_reading"]["convention"] == numbers.POINT
    _commit(world, batch)
    assert _stored(world, data.ssi) == [(Decimal("3"), Decimal("1806"), None)]
    assert _stored(world, los) == [(None, None, Decimal("1234.5"))]


def test_mixed_conventions_are_refused_never_guessed(world, data, client):
    los = length_of_stay(world)
    _set_language(world.steward, "es")
    content = (
        "measure_code;site_code;period;numerator;denominator;value\r\n"
        "ssi;GH;2024-02-05;3;1.806;\r\n"
        "los;GH;2024-02-01;;;1.5\r\n"
        "los;GH;2024-03-01;;;12,50\r\n"
        "los;GH;2024-04-01;;;1.234,5.6\r\n"
    )
    batch = upload(world, content.encode(), "mixed.csv")
    assert batch.report["number_reading"]["basis"] == numbers.BASIS_MIXED
    assert codes(batch) == [
        (2, "denominator", "ambiguous_number"),
        (3, "value", "invalid_number"),  # 1.5 is no figure with a decimal comma
        (5, "value", "invalid_number"),
    ]
    assert "cannot be read with certainty" in message_text(batch.report["errors"][0])
    assert message_text(batch.report["errors"][1]) == (
        "“1.5” is not a number written with a decimal comma (1.234,5)."
    )
    assert _stored(world, los) == [] and _stored(world, data.ssi) == []
    client.force_login(world.steward)
    page = client.get(_detail(world, batch)).content.decode()
    assert "los que podrían significar dos números se rechazan" in page


def test_xlsx_text_cells_follow_the_reading_numeric_cells_are_numbers(world, data):
    los = length_of_stay(world)
    _set_language(world.steward, "es")
    book = Workbook()
    sheet = book.active
    sheet.append(["measure_code", "site_code", "period", "numerator", "denominator", "value"])
    sheet.append(["ssi", "GH", "2024-02-05", 3, "1.806", None])  # text: Spanish thousands
    sheet.append(["ssi", "GH", "2024-02-12", 2, 1806, None])  # a numeric cell
    sheet.append(["los", "GH", "2024-02-01", None, None, 2.5])  # numeric, a decimal
    sheet.append(["los", "GH", "2024-03-01", None, None, "3,25"])  # text, decimal comma
    buffer = io.BytesIO()
    book.save(buffer)
    batch = upload(world, buffer.getvalue(), "datos.xlsx")
    assert batch.error_count == 0, batch.report["errors"]
    assert batch.report["number_reading"]["convention"] == numbers.COMMA
    _commit(world, batch)
    assert [d for _n, d, _v in _stored(world, data.ssi)] == [Decimal("1806")] * 2
    assert [v for _n, _d, v in _stored(world, los)] == [Decimal("2.5"), Decimal("3.25")]


def test_counts_numerators_and_denominators_are_whole(world, data):
    los = length_of_stay(world)
    content = (
        "measure_code;site_code;period;numerator;denominator;value\r\n"
        "falls;GH;2024-02-01;;;2,5\r\n"
        "bundle;GH;2024-02-01;10,5;50;\r\n"
        "los;GH;2024-02-01;;;2,5\r\n"
    )
    batch = upload(world, content.encode(), "counts.csv")
    assert codes(batch) == [(2, "value", "not_whole"), (3, "numerator", "not_whole")]
    assert message_text(batch.report["errors"][0]) == (
        "2,5 is not a whole number: numerators, denominators and counts are whole numbers."
    )
    assert _stored(world, los) == []


# Problems as codes, shown in the reader's language ------------------------------------


def test_check_page_shows_problems_in_the_readers_language(world, data, client):
    _set_language(world.steward, "en")
    batch = upload(world, SPANISH_EXCEL.encode(), "camas.csv")
    assert "message" not in batch.report["errors"][0]
    assert batch.report["errors"][0]["params"] == {"text": "1.806", "hint": "1806"}
    _set_language(world.steward, "es")
    client.force_login(world.steward)
    page = client.get(_detail(world, batch)).content.decode()
    assert "1.806 no es un número entero: ¿quiso decir 1806?" in page
    assert "is not a whole number" not in page
    assert "Cifras leídas con" in page and "una coma decimal (1.234,5)" not in page


def test_reports_stored_before_the_codes_are_migrated(world, data, client):
    migration = importlib.import_module("measurement.migrations.0007_import_messages_as_codes")
    old = {
        "errors": [
            {"line": 2, "column": "value", "code": "invalid_number",
             "message": "“abc” is not a number."},
            {"line": 3, "column": "x", "code": "later_code", "message": "Kept as it was."},
        ],
        "existing": [{"line": 4, "message": "bundle at GH for 2024-03 already has a value."}],
        "error_groups": [
            {"code": "invalid_number", "column": "value", "count": 1, "ranges": [[2, 2]],
             "example": "“abc” is not a number.", "example_line": 2},
        ],
    }  # fmt: skip
    new = migration._report(old)
    assert new["errors"][0] == {
        "line": 2, "column": "value", "code": "invalid_number", "params": {"text": "abc"},
    }  # fmt: skip
    assert new["errors"][1] == old["errors"][1]  # unknown: the English text stays
    assert new["existing"][0]["params"] == {"measure": "bundle", "site": "GH", "period": "2024-03"}
    assert new["error_groups"][0]["example"] == {"params": {"text": "abc"}}
    # Backwards gives the English sentences again.
    assert migration._english(new["errors"][0], "")["message"] == "“abc” is not a number."
    batch = upload(world, SPANISH_EXCEL.encode(), "camas.csv")
    with scope(organization=world.org_a):
        ImportBatch.objects.filter(pk=batch.pk).update(report=new, status="invalid")
    _set_language(world.steward, "fr")
    client.force_login(world.steward)
    page = client.get(_detail(world, batch)).content.decode()
    assert "« abc » n&#x27;est pas un nombre." in page  # French, from the stored code
    assert "Kept as it was." in page


# The data-entry grid ------------------------------------------------------------------


def _grid(data, language_values, action="draft"):
    body = {"frequency": "monthly", "period": "2024-03-01", "action": action}
    for measure, field, value in language_values:
        body[f"m{measure.pk}-c0-{field}"] = value
    return body


def _entry_url(data):
    return f"{COP}/sites/{data.site_gh.pk}/entry/"


def test_grid_in_english_reads_1812_as_one_thousand_eight_hundred_and_twelve(
    world, data, client_for
):
    """The finding: 1,812 typed on the English grid stored 1.812."""
    _set_language(world.steward, "en")
    steward = client_for(world.steward)
    body = _grid(data, [(data.bundle, "numerator", "1,700"), (data.bundle, "denominator", "1,812")])
    assert steward.post(_entry_url(data), body).status_code == 302
    assert _stored(world, data.bundle) == [(Decimal("1700"), Decimal("1812"), None)]
    page = steward.get(_entry_url(data), {"frequency": "monthly", "period": "2024-03-01"})
    assert 'value="1,812"' in page.content.decode()
    assert "for example 1,234.5" in page.content.decode()
    # A decimal comma is no thousands mark in English: refused, with the likely figure.
    body = _grid(data, [(data.bundle, "numerator", "1,7"), (data.bundle, "denominator", "1.812")])
    response = steward.post(_entry_url(data), body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "1.812 is not a whole number: did you mean 1812?" in html
    assert "“1,7” is not a number written with a decimal point (1,234.5)." in html
    assert _stored(world, data.bundle) == [(Decimal("1700"), Decimal("1812"), None)]


def test_grid_in_spanish_shows_and_reads_spanish_figures(world, data, client_for):
    los = length_of_stay(world)
    _set_language(world.steward, "es")
    steward = client_for(world.steward)
    body = _grid(
        data,
        [(data.bundle, "numerator", "1.700"), (data.bundle, "denominator", "1.812"),
         (los, "value", "1.234,5")],
    )  # fmt: skip
    assert steward.post(_entry_url(data), body).status_code == 302
    assert _stored(world, data.bundle) == [(Decimal("1700"), Decimal("1812"), None)]
    assert _stored(world, los) == [(None, None, Decimal("1234.5"))]
    html = steward.get(_entry_url(data), {"frequency": "monthly", "period": "2024-03-01"})
    html = html.content.decode()
    assert 'value="1.812"' in html and 'value="1.234,5"' in html
    assert "por ejemplo 1.234,5" in html
    # An English-style figure is refused in Spanish, in Spanish.
    body = _grid(data, [(data.bundle, "numerator", "1,5"), (data.bundle, "denominator", "1.812")])
    response = steward.post(_entry_url(data), body)
    assert response.status_code == 400
    assert "1,5 no es un número entero" in response.content.decode()


def test_grid_in_french_reads_narrow_no_break_spaces(world, data, client_for):
    _set_language(world.steward, "fr")
    steward = client_for(world.steward)
    body = _grid(
        data, [(data.bundle, "numerator", "1\u202f700"), (data.bundle, "denominator", "1 812")]
    )
    assert steward.post(_entry_url(data), body).status_code == 302
    assert _stored(world, data.bundle) == [(Decimal("1700"), Decimal("1812"), None)]
    html = steward.get(_entry_url(data), {"frequency": "monthly", "period": "2024-03-01"})
    assert 'value="1\u202f812"' in html.content.decode()


# The API ---------------------------------------------------------------------------------


def test_api_numbers_and_text_figures(world, data, client_for):
    steward = client_for(world.steward)
    url = "/api/v1/o/network-a/observations/"
    rows = [
        {"measure_code": "ssi", "site_code": "GH", "period": "2024-02-05", "numerator": 3,
         "denominator": "1.806"},
    ]  # fmt: skip
    response = steward.post(url, {"community": "sepsis", "rows": rows}, "application/json")
    assert response.status_code == 400
    error = response.json()["error"]["fields"]["rows"][0]
    assert (error["code"], error["params"]) == ("not_whole", {"text": "1.806", "hint": "1806"})
    assert error["message"] == "1.806 is not a whole number: did you mean 1806?"
    rows[0]["denominator"] = "1,806"
    response = steward.post(url, {"community": "sepsis", "rows": rows}, "application/json")
    assert response.status_code == 201, response.json()
    rows[0].update(period="2024-02-12", denominator=1806.0)
    response = steward.post(url, {"community": "sepsis", "rows": rows}, "application/json")
    assert response.status_code == 201, response.json()
    assert [d for _n, d, _v in _stored(world, data.ssi)] == [Decimal("1806")] * 2


def test_a_file_checked_before_the_number_reader_must_be_uploaded_again(world, data):
    """Its staged rows were read the old way (1.806 as a fraction): never imported."""
    _set_language(world.steward, "es")
    batch = upload(world, SPANISH_EXCEL.encode(), "camas.csv")
    report = {k: v for k, v in batch.report.items() if k != "number_reading"}
    with scope(organization=world.org_a):
        ImportBatch.objects.filter(pk=batch.pk).update(report=report)
        batch.refresh_from_db()
        with pytest.raises(Exception, match="upload it again"):
            services.import_batch_request_commit(
                actor=world.steward, batch=batch, on_existing="skip"
            )
    assert _stored(world, data.ssi) == []
