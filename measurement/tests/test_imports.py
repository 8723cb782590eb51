"""File imports: every error and warning with a fixture file, encodings and dialects,
atomic commit, skip or overwrite, idempotent re-upload."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django_scopes import scope
from openpyxl import Workbook

from copcore.models import AuditEvent
from measurement import services
from measurement.issues import message_text
from measurement.models import ImportBatch, Observation
from measurement.tests.helpers import FIXTURES, codes, data_world, length_of_stay, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    return data_world(world)


def commit(world, batch, on_existing="skip"):
    from django.test import TestCase

    with (
        scope(organization=world.org_a),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        services.import_batch_request_commit(
            actor=world.steward, batch=batch, on_existing=on_existing
        )
        batch.refresh_from_db()
    return batch


def observations(world):
    with scope(organization=world.org_a):
        return list(
            Observation.objects.order_by("measure__code", "site__code", "period", "category_id")
        )


def test_valid_file_dry_run_then_commit(world, data):
    batch = upload(world, "valid.csv")
    assert batch.status == ImportBatch.Status.VALIDATED
    assert (batch.total_rows, batch.valid_rows, batch.error_count) == (5, 5, 0)
    assert observations(world) == []  # a dry run writes nothing
    assert batch.staged_file and default_storage.exists(batch.staged_file)
    assert batch.file.name.startswith(f"measurement/imports/{world.org_a.pk}/")
    assert "valid" not in batch.file.name  # stored under a random name
    batch = commit(world, batch)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert (batch.inserted_count, batch.updated_count, batch.skipped_count) == (5, 0, 0)
    rows = observations(world)
    assert len(rows) == 5
    stratum = next(o for o in rows if o.category_id)
    assert (stratum.numerator, stratum.denominator, stratum.comment) == (
        Decimal("20"), Decimal("25"), "women"
    )  # fmt: skip
    assert all(o.status == Observation.Status.SUBMITTED and o.batch_id == batch.pk for o in rows)
    falls = next(o for o in rows if o.measure_id == data.falls.pk)
    assert falls.value == Decimal("3") and falls.numerator is None
    assert not default_storage.exists(batch.staged_file)
    with scope(organization=world.org_a):
        verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"measurement.import_uploaded", "measurement.import_checked"} <= verbs
    assert "measurement.import_committed" in verbs


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("unknown_measure.csv", [(2, "measure_code", "unknown_measure")]),
        ("unknown_site.csv", [(2, "site_code", "unknown_site")]),
        ("unknown_category.csv", [(2, "category", "unknown_category")]),
        (
            "period_not_aligned.csv",
            [(2, "period", "period_not_aligned"), (3, "period", "period_not_aligned")],
        ),
        ("numerator_gt_denominator.csv", [(2, "numerator", "numerator_gt_denominator")]),
        (
            "negative_count.csv",
            [(2, "value", "negative_count"), (3, "numerator", "negative_count")],
        ),
        ("missing_denominator.csv", [(2, "denominator", "missing_denominator")]),
        ("duplicate_row.csv", [(4, "period", "duplicate_row")]),
    ],
)
def test_each_error_is_reported_with_line_and_column(world, data, fixture, expected):
    batch = upload(world, fixture)
    assert batch.status == ImportBatch.Status.INVALID
    assert codes(batch) == expected
    assert batch.error_count == len(expected)
    assert all(message_text(m) for m in batch.report["errors"])
    with pytest.raises(Exception, match="without errors"):
        commit(world, batch)
    assert observations(world) == []


def test_not_aligned_message_names_the_right_period(world, data):
    batch = upload(world, "period_not_aligned.csv")
    messages = [message_text(m) for m in batch.report["errors"]]
    assert "2024-01-01" in messages[0]  # monthly: the 1st
    assert "2024-01-01" in messages[1]  # weekly: 2 January 2024 is a Tuesday -> Monday 1st


def test_one_bad_row_leaves_the_database_unchanged(world, data):
    batch = upload(world, "one_bad_row.csv")
    assert codes(batch) == [(5, "numerator", "invalid_number")]
    assert batch.valid_rows == 3 and not batch.staged_file
    assert observations(world) == []


def test_commit_is_all_or_nothing_when_the_database_refuses(world, data):
    """A row the checks let through but the database rejects rolls back every row."""
    batch = upload(world, "valid.csv")
    # Tamper with the staged rows: the last line now points to a missing site.
    with default_storage.open(batch.staged_file, "rb") as staged:
        lines = staged.read().decode().splitlines(keepends=True)
    parts = lines[-1].split("\t")
    parts[2] = "999999"
    lines[-1] = "\t".join(parts)
    default_storage.delete(batch.staged_file)
    default_storage.save(batch.staged_file, io.BytesIO("".join(lines).encode()))
    batch = commit(world, batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert observations(world) == []


def test_outlier_is_a_warning_not_an_error(world, data):
    with scope(organization=world.org_a):
        for month, numerator in enumerate([40, 41, 39, 40, 42, 40], start=1):
            Observation.objects.create(
                organization=world.org_a, measure=data.bundle, site=data.site_gh,
                period=dt.date(2024, month, 1), numerator=numerator, denominator=50,
                status=Observation.Status.APPROVED,
            )  # fmt: skip
    batch = upload(world, "outlier.csv")
    assert batch.status == ImportBatch.Status.VALIDATED
    assert codes(batch, "warnings") == [(2, "numerator", "value_outlier")]
    assert "far outside" in message_text(batch.report["warnings"][0])
    assert commit(world, batch).status == ImportBatch.Status.COMMITTED


def _existing(world, data):
    with scope(organization=world.org_a):
        Observation.objects.create(
            organization=world.org_a, measure=data.bundle, site=data.site_gh,
            period=dt.date(2024, 2, 1), numerator=30, denominator=50,
            status=Observation.Status.APPROVED, review_comment="ok",
        )  # fmt: skip


def test_existing_rows_are_reported_and_skipped(world, data):
    _existing(world, data)
    batch = upload(world, "existing.csv")
    assert batch.existing_count == 1
    assert batch.report["existing"][0]["line"] == 3
    batch = commit(world, batch, "skip")
    assert (batch.inserted_count, batch.updated_count, batch.skipped_count) == (1, 0, 1)
    february = [o for o in observations(world) if o.period == dt.date(2024, 2, 1)][0]
    assert february.numerator == 30 and february.status == Observation.Status.APPROVED


def test_existing_rows_can_be_overwritten(world, data):
    _existing(world, data)
    batch = commit(world, upload(world, "existing.csv"), "overwrite")
    assert (batch.inserted_count, batch.updated_count, batch.skipped_count) == (1, 1, 0)
    february = [o for o in observations(world) if o.period == dt.date(2024, 2, 1)][0]
    assert february.numerator == 44 and february.comment == "revised"
    assert february.status == Observation.Status.SUBMITTED  # needs approval again
    assert february.review_comment == ""


def test_same_file_twice_is_recognised_and_nothing_duplicated(world, data):
    first = commit(world, upload(world, "valid.csv"))
    assert first.status == ImportBatch.Status.COMMITTED
    second = upload(world, "valid.csv")
    assert second.status == ImportBatch.Status.DUPLICATE
    assert second.report["duplicate_of"] == first.pk
    with pytest.raises(Exception, match="without errors"):
        commit(world, second)
    assert len(observations(world)) == 5


def test_two_checked_copies_cannot_both_commit(world, data):
    a = upload(world, "valid.csv")
    b = upload(world, "valid.csv")  # checked before either was committed
    assert commit(world, a).status == ImportBatch.Status.COMMITTED
    assert commit(world, b).status == ImportBatch.Status.DUPLICATE
    assert len(observations(world)) == 5


def test_utf8_with_bom(world, data):
    batch = commit(world, upload(world, "utf8_bom.csv"))
    assert batch.encoding == "utf-8-sig" and batch.status == ImportBatch.Status.COMMITTED
    assert observations(world)[0].comment == "café"


def test_latin1_semicolon_and_decimal_comma(world, data):
    assert b"\xe3" in (FIXTURES / "latin1_semicolon.csv").read_bytes()
    los = length_of_stay(world)
    batch = upload(world, "latin1_semicolon.csv")
    assert (batch.encoding, batch.delimiter, batch.error_count) == ("latin-1", ";", 0)
    commit(world, batch)
    stay = [o for o in observations(world) if o.measure_id == los.pk][0]
    assert stay.value == Decimal("2.5")
    assert stay.comment == "São Paulo café"


def test_xlsx_upload(world, data):
    book = Workbook()
    sheet = book.active
    sheet.append(["Measure code", "Site code", "Period", "Numerator", "Denominator", "Value"])
    sheet.append(["bundle", "GH", dt.datetime(2024, 1, 1), 40, 50, None])
    sheet.append(["falls", "CH", "2024-02", None, None, 4])
    sheet.append(["bundle", "GH", dt.datetime(2024, 1, 10), 1, 2, None])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = upload(world, buffer.getvalue(), "monthly.xlsx")
    assert batch.source == ImportBatch.Source.XLSX
    assert codes(batch) == [(4, "period", "period_not_aligned")]
    assert batch.valid_rows == 2


def test_missing_column_and_empty_file(world, data):
    batch = upload(world, b"measure_code,period\nbundle,2024-01-01\n")
    assert codes(batch) == [(1, "site_code", "missing_column")]
    batch = upload(world, b"measure_code,site_code,period\n", "empty.csv")
    assert codes(batch) == [(2, "", "empty_file")]


def test_invalid_numbers_and_periods(world, data):
    batch = upload(
        world,
        b"measure_code,site_code,period,numerator,denominator\n"
        b"bundle,GH,2024-13-01,1,2\nbundle,GH,2024-03-01,nan,2\nbundle,GH,2024-04-01,1,0\n",
    )
    assert codes(batch) == [
        (2, "period", "invalid_period"),
        (3, "numerator", "invalid_number"),
        (4, "denominator", "zero_denominator"),
    ]


def test_inactive_measure_and_site_of_another_cop_are_unknown(world, data):
    """Stewards submit only for sites enrolled in the CoP and its active measures."""
    from measurement.models import Site

    with scope(organization=world.org_a):
        Site.objects.create(organization=world.org_a, name="Elsewhere", code="EL")
    batch = upload(world, b"measure_code,site_code,period,value\nfalls,EL,2024-01-01,1\n")
    assert codes(batch) == [(2, "site_code", "unknown_site")]


def test_unreadable_files_are_reported_not_crashing(world, data):
    batch = upload(world, b"PK\x03\x04not really a workbook", "broken.xlsx")
    assert batch.status == ImportBatch.Status.INVALID
    assert codes(batch) == [(1, "", "unreadable_file")]
    with pytest.raises(Exception, match="not a CSV or XLSX"):
        upload(world, b"\x00\x01\x02binary", "data.csv")
