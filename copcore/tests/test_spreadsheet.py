"""copcore.spreadsheet: the one CSV/XLSX writer neutralises formula-like text, keeps
numbers as numbers, writes XLSX text as strings, and refuses formula-like codes."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import load_workbook

from copcore import spreadsheet

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]


def test_csv_text_cells_are_neutralised_and_numbers_kept():
    text = spreadsheet.csv_text(
        ["name", "n"],
        [[h, -1] for h in HOSTILE]
        + [["-2.50", Decimal("-3.5")], [None, -0.25], ["plain", dt.date(2024, 1, 1)]],
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1 : len(HOSTILE) + 1]] == ["'" + h for h in HOSTILE]
    assert {r[1] for r in rows[1 : len(HOSTILE) + 1]} == {"-1"}
    assert rows[-3] == ["-2.50", "-3.5"]  # a plain negative number is not a formula
    assert rows[-2] == ["", "-0.25"]
    assert rows[-1] == ["plain", "2024-01-01"]


def test_csv_lines_stream_one_line_at_a_time():
    lines = list(spreadsheet.csv_lines(["a"], (["=1"], ["b"])))
    assert lines == ["a\r\n", "'=1\r\n", "b\r\n"]


def test_xlsx_text_is_a_string_never_a_formula():
    book = spreadsheet.XlsxBook()
    sheet = book.sheet("data", ["name", "value"])
    for text in HOSTILE:
        sheet.append([text, -1.5])
    sheet.append(["bell\x07", sheet.cell(dt.date(2024, 1, 1), number_format="mm-dd-yy")])
    read = load_workbook(io.BytesIO(book.to_bytes()))["data"]
    cells = list(read.iter_rows(min_row=2))
    assert [row[0].value for row in cells[: len(HOSTILE)]] == HOSTILE
    assert {row[0].data_type for row in cells} == {"s"}
    assert all(row[0].quotePrefix for row in cells[: len(HOSTILE)])
    assert {row[1].value for row in cells[: len(HOSTILE)]} == {-1.5}
    assert cells[-1][0].value == "bell"  # a character XML cannot carry is dropped
    assert cells[-1][1].is_date


@pytest.mark.parametrize("code", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r1", " GH", ""])
def test_validate_code(code):
    if not code:
        spreadsheet.validate_code(code)  # emptiness is for the field to judge
        return
    with pytest.raises(ValidationError) as error:
        spreadsheet.validate_code(code)
    assert error.value.code == "code_formula_start"


def test_validate_code_accepts_ordinary_codes_and_speaks_the_language():
    for code in ("GH", "W-1", "imd-quintile", "q1", "1a"):
        spreadsheet.validate_code(code)
    with pytest.raises(ValidationError) as error:
        spreadsheet.check_code("code", "=x")
    assert list(error.value.message_dict) == ["code"]
    with translation.override("fr"):
        with pytest.raises(ValidationError) as error:
            spreadsheet.validate_code("=x")
        assert "commencer" in error.value.messages[0]


def test_organization_slug_refuses_a_formula_start():
    """The admin's organization form validates the slug through the model field."""
    from copcore.models import Organization

    field = Organization._meta.get_field("slug")
    with pytest.raises(ValidationError):
        field.clean("-network", None)
    assert field.clean("network-a", None) == "network-a"


@pytest.mark.django_db
def test_organization_create_refuses_a_formula_slug():
    from copcore.models import User
    from copcore.services import organization_create

    admin = User.objects.create_user(email="admin@c.example", display_name="Ada")
    with pytest.raises(ValidationError) as error:
        organization_create(actor=admin, name="C", slug="-c", admin=admin)
    assert "slug" in error.value.message_dict
