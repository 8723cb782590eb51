"""Imports read dates as spreadsheets in en/es/fr/pt write them: the Spanish-Excel CSV,
the column's reading (or the uploader's language), the switch on the check page, XLSX
serial dates, and errors grouped by kind."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from django_scopes import scope
from openpyxl import Workbook

from measurement import dates, services
from measurement.models import ImportBatch, Observation
from measurement.tests.helpers import FIXTURES, codes, data_world, length_of_stay, upload

D = dt.date


@pytest.mark.parametrize(
    ("text", "day_first", "month_first"),
    [
        ("2024-03-01", D(2024, 3, 1), D(2024, 3, 1)),
        ("2024-03", D(2024, 3, 1), D(2024, 3, 1)),
        ("2024-Q2", D(2024, 4, 1), D(2024, 4, 1)),
        ("2024-03-01T00:00:00", D(2024, 3, 1), D(2024, 3, 1)),
        ("01/03/2024", D(2024, 3, 1), D(2024, 1, 3)),
        ("1/3/24", D(2024, 3, 1), D(2024, 1, 3)),
        ("01.03.2024", D(2024, 3, 1), D(2024, 1, 3)),
        ("01-03-2024", D(2024, 3, 1), D(2024, 1, 3)),
        ("01/03/2024 00:00", D(2024, 3, 1), D(2024, 1, 3)),
        ("03/2024", D(2024, 3, 1), D(2024, 3, 1)),
        ("2024/03/05", D(2024, 3, 5), D(2024, 3, 5)),
        ("ene-24", D(2024, 1, 1), D(2024, 1, 1)),
        ("janv. 2024", D(2024, 1, 1), D(2024, 1, 1)),
        ("jan/24", D(2024, 1, 1), D(2024, 1, 1)),
        ("fév. 2024", D(2024, 2, 1), D(2024, 2, 1)),
        ("févr. 2024", D(2024, 2, 1), D(2024, 2, 1)),
        ("set-24", D(2024, 9, 1), D(2024, 9, 1)),
        ("out/2024", D(2024, 10, 1), D(2024, 10, 1)),
        ("Sep-24", D(2024, 9, 1), D(2024, 9, 1)),
        ("dic-23", D(2023, 12, 1), D(2023, 12, 1)),
        ("dez/2023", D(2023, 12, 1), D(2023, 12, 1)),
        ("août 2024", D(2024, 8, 1), D(2024, 8, 1)),
        ("15 de marzo de 2024", D(2024, 3, 15), D(2024, 3, 15)),
        ("March 15, 2024", D(2024, 3, 15), D(2024, 3, 15)),
        ("1er mars 2024", D(2024, 3, 1), D(2024, 3, 1)),
        ("01-ene-2024", D(2024, 1, 1), D(2024, 1, 1)),
        ("31/12/99", D(1999, 12, 31), None),
    ],
)
def test_spreadsheet_date_forms(text, day_first, month_first):
    assert dates.parse_date(text, dates.DMY) == day_first
    if month_first is None:
        with pytest.raises(ValueError):
            dates.parse_date(text, dates.MDY)
    else:
        assert dates.parse_date(text, dates.MDY) == month_first


@pytest.mark.parametrize(
    "text", ["", "foo", "24", "1/2", "ma 2024", "jui 2024", "2024-13-01", "32/01/2024", "a/b/c"]
)
def test_not_dates(text):
    with pytest.raises(ValueError):
        dates.parse_date(text)


def test_the_column_decides_where_it_can():
    decide = dates.decide_reading
    day_first = decide(["05/02/2024", "13/02/2024"], language="en-us")
    assert (day_first.order, day_first.basis) == (dates.DMY, dates.BASIS_COLUMN)
    month_first = decide(["05/02/2024", "02/13/2024"], language="es")
    assert (month_first.order, month_first.basis) == (dates.MDY, dates.BASIS_COLUMN)
    # Monthly data: every date is the 1st when read day first.
    monthly = decide(["01/02/2024", "01/03/2024", "01/01/2024"], language="en-us")
    assert (monthly.order, monthly.basis) == (dates.DMY, dates.BASIS_COLUMN)
    iso = decide(["2024-01-01", "ene-24"], language="en-us")
    assert iso.basis == dates.BASIS_NONE


def test_ambiguous_columns_follow_the_language():
    cells = ["05/02/2024", "04/03/2024"]
    for language in ("en", "es", "fr", "pt"):
        reading = dates.decide_reading(cells, language=language)
        assert (reading.order, reading.basis) == (dates.DMY, dates.BASIS_LANGUAGE)
    reading = dates.decide_reading(cells, language="en-us")
    assert (reading.order, reading.basis) == (dates.MDY, dates.BASIS_LANGUAGE)
    contradictory = dates.decide_reading(["13/02/2024", "02/13/2024"], language="fr")
    assert (contradictory.order, contradictory.basis) == (dates.DMY, dates.BASIS_LANGUAGE)
    chosen = dates.decide_reading(["13/02/2024"], language="fr", chosen=dates.MDY)
    assert (chosen.order, chosen.basis) == (dates.MDY, dates.BASIS_CHOSEN)


# Files -----------------------------------------------------------------------------


@pytest.fixture
def data(world, db):
    return data_world(world)


def _commit(world, batch):
    with scope(organization=world.org_a), TestCase.captureOnCommitCallbacks(execute=True):
        services.import_batch_request_commit(actor=world.steward, batch=batch, on_existing="skip")
        batch.refresh_from_db()
    return batch


def _set_language(user, language):
    type(user).objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()


@pytest.mark.django_db
def test_spanish_excel_csv_imports(world, data):
    """UTF-8 with BOM, ';', CRLF, decimal commas and 01/01/2024 dates, 300 rows."""
    content = (FIXTURES / "spanish_excel.csv").read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and b"01/02/2018;" in content
    _set_language(world.steward, "es")
    los = length_of_stay(world)
    batch = upload(world, "spanish_excel.csv")
    assert (batch.encoding, batch.delimiter) == ("utf-8-sig", ";")
    assert (batch.total_rows, batch.valid_rows, batch.error_count) == (300, 300, 0)
    assert batch.report["date_reading"]["order"] == dates.DMY
    assert batch.report["date_reading"]["basis"] == dates.BASIS_COLUMN
    batch = _commit(world, batch)
    assert batch.status == ImportBatch.Status.COMMITTED and batch.inserted_count == 300
    with scope(organization=world.org_a):
        periods = sorted(set(Observation.objects.values_list("period", flat=True)))
        stay = Observation.objects.get(measure=los, site=data.site_gh, period=D(2018, 2, 1))
    assert periods[0] == D(2018, 1, 1) and periods[-1] == D(2024, 3, 1) and len(periods) == 75
    assert stay.value == Decimal("1.5") and stay.comment == "revisión"


WEEKLY = (  # Mondays when read day first (5 Feb, 4 Mar 2024); not when month first
    b"measure_code;site_code;period;numerator;denominator\r\n"
    b"ssi;GH;05/02/2024;1;40\r\nssi;GH;04/03/2024;0;38\r\n"
)


@pytest.mark.django_db
def test_an_ambiguous_file_follows_the_uploaders_language(world, data, client):
    _set_language(world.steward, "fr")
    batch = upload(world, WEEKLY, "weekly.csv")
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.report["date_reading"] == {
        "order": dates.DMY,
        "basis": dates.BASIS_LANGUAGE,
        "day_first": 0,
        "month_first": 0,
    }
    _set_language(world.steward, "en-us")  # a month-first language variant
    batch = upload(world, WEEKLY, "weekly-us.csv")
    assert batch.report["date_reading"]["order"] == dates.MDY
    assert {code for _line, _column, code in codes(batch)} == {"period_not_aligned"}


@pytest.mark.django_db
def test_the_uploader_switches_the_reading_on_the_check_page(world, data, client):
    _set_language(world.steward, "en")
    batch = upload(world, WEEKLY, "weekly.csv")
    client.force_login(world.steward)
    url = reverse(
        "measurement:import_detail", kwargs={"org_slug": world.org_a.slug, "batch_id": batch.pk}
    )
    page = client.get(url).content.decode()
    assert "day/month/year" in page and 'name="date_order"' in page
    recheck = reverse(
        "measurement:import_recheck", kwargs={"org_slug": world.org_a.slug, "batch_id": batch.pk}
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(recheck, {"date_order": "mdy"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.report["date_reading"]["basis"] == dates.BASIS_CHOSEN
    assert batch.report["date_reading"]["order"] == dates.MDY
    page = client.get(url).content.decode()
    assert "month/day/year" in page and "as you chose" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(recheck, {"date_order": "dmy"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED and batch.valid_rows == 2
    batch = _commit(world, batch)
    with scope(organization=world.org_a):
        assert set(Observation.objects.values_list("period", flat=True)) == {
            D(2024, 2, 5),
            D(2024, 3, 4),
        }
    # An imported file cannot be checked again.
    client.post(recheck, {"date_order": "mdy"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED


@pytest.mark.django_db
def test_recheck_needs_the_submit_right(world, data, client):
    batch = upload(world, WEEKLY, "weekly.csv")
    with scope(organization=world.org_a), pytest.raises(Exception) as raised:
        services.import_batch_recheck(actor=world.sponsor, batch=batch, date_order="mdy")
    assert type(raised.value).__name__ in ("PermissionDenied", "Http404")


@pytest.mark.django_db
def test_xlsx_serial_and_datetime_cells(world, data):
    book = Workbook()
    sheet = book.active
    sheet.append(["measure_code", "site_code", "period", "value"])
    sheet.append(["falls", "GH", 45292, 3])  # serial day 45292 = 2024-01-01, no date format
    sheet.append(["falls", "GH", dt.datetime(2024, 2, 1, 0, 0), 2])
    sheet.append(["falls", "GH", "01/03/2024", 1])
    sheet.append(["falls", "GH", "abr-24", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = upload(world, buffer.getvalue(), "serial.xlsx")
    assert (batch.error_count, batch.valid_rows) == (0, 4)
    _commit(world, batch)
    with scope(organization=world.org_a):
        assert sorted(Observation.objects.values_list("period", flat=True)) == [
            D(2024, 1, 1),
            D(2024, 2, 1),
            D(2024, 3, 1),
            D(2024, 4, 1),
        ]


@pytest.mark.django_db
def test_errors_of_one_kind_are_grouped(world, data, client):
    lines = ["measure_code,site_code,period,value"]
    lines += [
        f"falls,XX,{month:02d}/{2000 + year},1" for year in range(25) for month in range(1, 13)
    ]
    lines = lines[:301] + ["falls,GH,2024-01-01,many"]
    batch = upload(world, ("\n".join(lines) + "\n").encode(), "grouped.csv")
    assert batch.error_count == 301
    groups = batch.report["error_groups"]
    assert [(g["code"], g["column"], g["count"], g["ranges"]) for g in groups] == [
        ("unknown_site", "site_code", 300, [[2, 301]]),
        ("invalid_number", "value", 1, [[302, 302]]),
    ]
    client.force_login(world.steward)
    with translation.override("en"):
        page = client.get(
            reverse(
                "measurement:import_detail",
                kwargs={"org_slug": world.org_a.slug, "batch_id": batch.pk},
            )
        ).content.decode()
    assert "300 rows" in page and "2–301" in page
    assert "site not enrolled in this community" in page


@pytest.mark.django_db
def test_iso_files_are_read_as_before(world, data):
    batch = upload(world, "valid.csv")
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.report["date_reading"]["basis"] == dates.BASIS_NONE
    page_reading = batch.report["date_reading"]
    assert page_reading["day_first"] == page_reading["month_first"] == 0
