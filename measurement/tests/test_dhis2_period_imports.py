"""DHIS2 periods everywhere: files, the API and the grid read 202403, 2024W12, 2024Q1,
ADX intervals... aligned to the measure's frequency, with the import's messages, and
never at the expense of the dates each language writes."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date
from django.test import TestCase
from django.utils import translation
from django_scopes import scope
from hypothesis import given, settings
from hypothesis import strategies as st

from measurement import dates, issues, services
from measurement.dhis2_periods import format_adx_period, format_dhis2_period, parse_dhis2_period
from measurement.models import ImportBatch, Observation
from measurement.period_forms import is_dhis2_shaped, read_dhis2
from measurement.tests.helpers import codes, data_world, upload

D = dt.date
API = "/api/v1/o/network-a/observations/"
COP = "/o/network-a/communities/sepsis/data"


@pytest.fixture
def data(world, db):
    return data_world(world)


def _commit(world, batch):
    with scope(organization=world.org_a), TestCase.captureOnCommitCallbacks(execute=True):
        services.import_batch_request_commit(actor=world.steward, batch=batch, on_existing="skip")
        batch.refresh_from_db()
    return batch


DHIS2_FILE = (
    "measure_code,site_code,period,numerator,denominator,value\n"
    "falls,GH,202401,,,3\n"
    "falls,GH,2024-02-01/P1M,,,2\n"
    "falls,CH,202403,,,1\n"
    "ssi,GH,2024W12,1,40,\n"
    "ssi,GH,2024-03-25/P7D,0,38,\n"
    "falls,CH,20240401,,,4\n"
)


@pytest.mark.django_db
def test_a_file_with_dhis2_periods_imports(world, data):
    batch = upload(world, DHIS2_FILE.encode(), "dhis2.csv")
    assert batch.status == ImportBatch.Status.VALIDATED, batch.report["errors"]
    assert (batch.valid_rows, batch.error_count) == (6, 0)
    _commit(world, batch)
    with scope(organization=world.org_a):
        stored = set(Observation.objects.values_list("measure__code", "site__code", "period"))
    assert stored == {
        ("falls", "GH", D(2024, 1, 1)),
        ("falls", "GH", D(2024, 2, 1)),
        ("falls", "CH", D(2024, 3, 1)),
        ("ssi", "GH", D(2024, 3, 18)),
        ("ssi", "GH", D(2024, 3, 25)),
        ("falls", "CH", D(2024, 4, 1)),
    }


MISMATCHED = (
    "measure_code,site_code,period,numerator,denominator,value\n"
    "falls,GH,2024W12,,,3\n"  # a week for a monthly measure
    "falls,GH,2024Q1,,,3\n"  # a quarter starts on the 1st, but is not a month
    "ssi,GH,202403,1,40,\n"  # a month for a weekly measure
    "falls,GH,2024W54,,,3\n"  # no such week
    "falls,GH,2024-03-02/P1M,,,3\n"  # not the start of a month
    "falls,GH,20240315,,,3\n"  # a DHIS2 day is a date: misaligned as dates are
)


@pytest.mark.django_db
def test_periods_of_another_length_are_refused_like_misaligned_dates(world, data):
    batch = upload(world, MISMATCHED.encode(), "mismatched.csv")
    assert batch.status == ImportBatch.Status.INVALID and batch.valid_rows == 0
    assert codes(batch) == [
        (2, "period", "period_not_aligned"),
        (3, "period", "period_not_aligned"),
        (4, "period", "period_not_aligned"),
        (5, "period", "invalid_dhis2_period"),
        (6, "period", "invalid_dhis2_period"),
        (7, "period", "period_not_aligned"),
    ]
    with translation.override("en"):
        shown = [issues.message_text(entry) for entry in batch.report["errors"]]
    assert shown[0] == (
        "“2024W12” is a weekly period, but this measure is monthly: write its monthly periods."
    )
    assert "quarterly period" in shown[1]
    assert "2024W54" in shown[3] and "1 to 52" in shown[3]
    assert "2024-03-02/P1M" in shown[4] and "monthly" in shown[4]
    assert shown[5] == "2024-03-15 is not the start of a monthly period: use 2024-03-01."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", ["«2024W12»", "semanal", "mensual"]),
        ("fr", ["« 2024W12 »", "hebdomadaire", "mensuelle"]),
        ("pt", ["“2024W12”", "semanal", "mensal"]),
    ],
)
def test_the_refusals_are_worded_in_the_readers_language(world, data, language, words):
    batch = upload(world, MISMATCHED.encode(), "mismatched.csv")
    with translation.override(language):
        shown = issues.message_text(batch.report["errors"][0])
        week = issues.message_text(batch.report["errors"][3])
    for word in words:
        assert word in shown
    assert "2024W54" in week and "52" in week and "week" not in week


@pytest.mark.django_db
def test_the_api_reads_dhis2_periods(world, data, client_for):
    steward = client_for(world.steward)
    rows = [
        {"measure_code": "falls", "site_code": "GH", "period": "202405", "value": 2},
        {"measure_code": "ssi", "site_code": "GH", "period": "2024W12", "numerator": 1,
         "denominator": 40},
    ]  # fmt: skip
    response = steward.post(
        API, {"community": "sepsis", "rows": rows}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    with scope(organization=world.org_a):
        periods = set(Observation.objects.values_list("period", flat=True))
    assert periods == {D(2024, 5, 1), D(2024, 3, 18)}
    wrong = [{"measure_code": "falls", "site_code": "GH", "period": "2024S1", "value": 2}]
    response = steward.post(
        API, {"community": "sepsis", "rows": wrong}, content_type="application/json"
    )
    assert response.status_code == 400
    problem = response.json()["error"]["fields"]["rows"][0]
    assert problem["code"] == "period_not_aligned" and "six-monthly" in problem["message"]


@pytest.mark.django_db
def test_the_grid_opens_a_dhis2_period(world, data, client_for):
    steward = client_for(world.steward)
    url = f"{COP}/sites/{data.site_gh.pk}/entry/"
    with translation.override("en"):
        page = steward.get(url, {"period": "2024W12"}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and "2024-W12" in html and "Surgical site infections" in html
    page = steward.get(url, {"period": "202403"})
    assert "2024-03" in page.content.decode() and page.context["frequency"] == "monthly"
    page = steward.get(url, {"frequency": "monthly", "period": "2024W12"})
    html = page.content.decode()
    assert "is a weekly period, but this measure is monthly" in html
    page = steward.get(url, {"period": "2024W54"})
    assert "2024W54" in page.content.decode()


# Properties ------------------------------------------------------------------------

LANGUAGES = ("en", "es", "fr", "pt", "pt_PT", "en_GB")
days = st.dates(min_value=D(1950, 1, 1), max_value=D(2150, 12, 31))


@given(day=days, language=st.sampled_from(LANGUAGES), width=st.sampled_from(["short", "medium"]))
@settings(max_examples=300)
def test_no_language_date_is_taken_for_a_dhis2_period(day, language, width):
    """Every way en/es/fr/pt write a date keeps today's reading: none is DHIS2-shaped."""
    text = format_date(day, format=width, locale=language)
    assert not is_dhis2_shaped(text)
    assert read_dhis2(text) is None
    order = dates.MDY if language == "en" else dates.DMY
    if width == "medium" or len(text.rsplit("/", 1)[-1]) == 4 or 1969 <= day.year < 2069:
        assert dates.parse_date(text, order) == day


@given(
    day=days,
    kind=st.sampled_from(["weekly", "monthly", "quarterly"]),
    language=st.sampled_from(["en", "es", "fr", "pt"]),
)
@settings(max_examples=200)
def test_dhis2_and_language_forms_name_the_same_period(day, kind, language):
    """A month written 202403, 2024-03-01/P1M or as the language writes its first day
    (01/03/2024, 1 mars 2024, Mar 1, 2024) is one period."""
    start = parse_dhis2_period(format_adx_period(day, "daily")).start
    if kind == "weekly":
        start = start - dt.timedelta(days=start.weekday())
    elif kind == "monthly":
        start = start.replace(day=1)
    else:
        start = D(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    dhis2 = read_dhis2(format_dhis2_period(start, kind))
    adx = read_dhis2(format_adx_period(start, kind))
    assert dhis2 is not None and adx is not None
    assert dhis2 == adx and dhis2.kind == kind
    written = format_date(start, format="medium", locale=language)
    assert dates.parse_date(written, dates.DMY) == dhis2.start
