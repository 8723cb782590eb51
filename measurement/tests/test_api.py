"""The observations API: bulk POST with the import's checks and atomicity, filtered GET,
CSV export with formulas neutralised, visibility per persona."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django_scopes import scope

from copcore.spreadsheet import neutralise
from measurement import services
from measurement.models import ImportBatch, Observation
from measurement.tests.helpers import data_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/o/network-a/observations/"


@pytest.fixture
def data(world):
    return data_world(world)


def post(client, rows, **extra):
    body = {"community": "sepsis", "rows": rows, **extra}
    return client.post(URL, body, content_type="application/json")


def count(world):
    with scope(organization=world.org_a):
        return Observation.objects.count()


ROWS = [
    {"measure_code": "bundle", "site_code": "GH", "period": "2024-01-01", "numerator": 40,
     "denominator": 50},
    {"measure_code": "bundle", "site_code": "GH", "period": "2024-01-01", "stratifier": "sex",
     "category": "f", "numerator": "20", "denominator": "25", "comment": "=HYPERLINK(1)"},
    {"measure_code": "falls", "site_code": "CH", "period": "2024-02-01", "value": 3},
]  # fmt: skip


def test_post_rows_then_get_and_filter(world, data, client_for):
    steward = client_for(world.steward)
    response = post(steward, ROWS)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rows"], body["inserted"], body["skipped"]) == (3, 3, 0)
    with scope(organization=world.org_a):
        batch = ImportBatch.objects.get(pk=body["batch"])
    assert batch.source == ImportBatch.Source.API and batch.status == "committed"
    listing = steward.get(URL, {"measure": data.bundle.pk}).json()
    assert listing["count"] == 2
    assert {r["category"] for r in listing["results"]} == {"", "f"}
    assert steward.get(URL, {"site_code": "CH"}).json()["count"] == 1
    assert steward.get(URL, {"period_after": "2024-02-01"}).json()["count"] == 1
    assert (
        steward.get(URL, {"period_before": "2024-01-31", "status": "submitted"}).json()["count"]
        == 2
    )


def test_post_same_rows_twice_duplicates_nothing(world, data, client_for):
    steward = client_for(world.steward)
    assert post(steward, ROWS).status_code == 201
    again = post(steward, ROWS).json()
    assert (again["inserted"], again["skipped"], again["existing"]) == (0, 3, 3)
    assert count(world) == 3


def test_post_with_one_bad_row_saves_nothing_and_reports_lines(world, data, client_for):
    rows = [*ROWS, {"measure_code": "bundle", "site_code": "GH", "period": "2024-03-15",
                    "numerator": 60, "denominator": 50}]  # fmt: skip
    response = post(client_for(world.steward), rows)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    problems = {(e["line"], e["column"], e["code"]) for e in error["fields"]["rows"]}
    assert problems == {
        (4, "period", "period_not_aligned"),
        (4, "numerator", "numerator_gt_denominator"),
    }
    assert count(world) == 0


def test_dry_run_writes_nothing(world, data, client_for):
    response = post(client_for(world.steward), ROWS, dry_run=True)
    assert response.status_code == 200
    assert response.json()["status"] == "checked" and response.json()["batch"] is None
    assert count(world) == 0


def test_overwrite_replaces_values(world, data, client_for):
    steward = client_for(world.steward)
    post(steward, ROWS)
    changed = [dict(ROWS[2], value=5)]
    body = post(steward, changed, on_existing="overwrite").json()
    assert (body["inserted"], body["updated"]) == (0, 1)
    with scope(organization=world.org_a):
        assert Observation.objects.get(measure=data.falls).value == 5


def test_more_than_10000_rows_is_refused(world, data, client_for):
    rows = [ROWS[2]] * 10_001
    response = post(client_for(world.steward), rows)
    assert response.status_code == 400
    assert "rows" in response.json()["error"]["fields"]
    assert count(world) == 0


def test_bad_payloads_are_400_not_500(world, data, client_for):
    steward = client_for(world.steward)
    assert steward.post(URL, "nonsense", content_type="application/json").status_code == 400
    assert post(steward, "not a list").status_code == 400
    assert post(steward, [1, 2]).status_code == 400
    assert post(steward, [{"measure_code": None, "period": True}]).status_code == 400
    response = steward.post(
        URL, {"community": "nope", "rows": ROWS}, content_type="application/json"
    )
    assert response.status_code == 404


def test_members_without_submit_right_get_403(world, data, client_for):
    assert post(client_for(world.member), ROWS).status_code == 403
    assert post(client_for(world.sponsor), ROWS).status_code == 403
    assert count(world) == 0


def test_outsider_gets_404(world, data, client_for):
    outsider = client_for(world.outsider)
    assert outsider.get(URL).status_code == 404
    assert post(outsider, ROWS).status_code == 404


def test_sponsor_sees_approved_data_only_when_approval_is_required(world, data, client_for):
    post(client_for(world.steward), ROWS)
    with scope(organization=world.org_a):
        services.data_policy_update(
            actor=world.convener, community=data.community, requires_approval=True, data_lead=None
        )
        falls = Observation.objects.get(measure=data.falls)
        services.observations_approve(
            actor=world.convener, community=data.community, observation_ids=[falls.pk]
        )
    sponsor = client_for(world.sponsor)
    results = sponsor.get(URL).json()["results"]
    assert [r["measure_code"] for r in results] == ["falls"]
    assert client_for(world.member).get(URL).json()["count"] == 1
    assert client_for(world.steward).get(URL).json()["count"] == 3
    exported = sponsor.get(URL, {"format": "csv"}).getvalue().decode()
    assert exported.count("\n") == 2  # header + the approved row


def test_without_approval_members_see_submitted_and_sponsors_approved_only(world, data, client_for):
    post(client_for(world.steward), ROWS)
    with scope(organization=world.org_a):
        Observation.objects.filter(measure=data.falls).update(status=Observation.Status.DRAFT)
    assert client_for(world.member).get(URL).json()["count"] == 2
    assert client_for(world.sponsor).get(URL).json()["count"] == 0
    with scope(organization=world.org_a):
        first = Observation.objects.filter(status=Observation.Status.SUBMITTED).first()
        Observation.objects.filter(pk=first.pk).update(status=Observation.Status.APPROVED)
    assert client_for(world.sponsor).get(URL).json()["count"] == 1


def test_csv_export_neutralises_formulas(world, data, client_for):
    post(client_for(world.steward), ROWS)
    with scope(organization=world.org_a):
        Observation.objects.filter(measure=data.falls).update(comment="+SUM(A1)", value=-0)
        Observation.objects.filter(measure=data.bundle, category__isnull=True).update(
            comment="@cmd", review_comment="-1+2"
        )
    steward = client_for(world.steward)
    for response in (
        steward.get(URL, {"format": "csv"}),
        steward.get(URL, HTTP_ACCEPT="text/csv"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
        comments = {r["comment"] for r in rows}
        assert comments == {"'=HYPERLINK(1)", "'+SUM(A1)", "'@cmd"}
        assert {r["review_comment"] for r in rows} == {"", "'-1+2"}
    assert neutralise("plain") == "plain" and neutralise("") == ""


def test_measures_and_batch_status(world, data, client_for):
    steward = client_for(world.steward)
    measures = steward.get("/api/v1/o/network-a/measures/", {"community": "sepsis"}).json()
    assert [m["code"] for m in measures["results"]] == ["bundle", "falls", "ssi"]
    batch_id = post(steward, ROWS).json()["batch"]
    status = steward.get(f"/api/v1/o/network-a/imports/{batch_id}/").json()
    assert status["status"] == "committed" and status["progress_percent"] == 100
    assert (
        client_for(world.sponsor).get(f"/api/v1/o/network-a/imports/{batch_id}/").status_code == 404
    )


def test_period_filters_use_dates(world, data, client_for):
    post(client_for(world.steward), ROWS)
    response = client_for(world.steward).get(URL, {"period_after": "not-a-date"})
    assert response.status_code == 400
    assert dt.date(2024, 1, 1)
