"""The identifying-text warning: a pure function, no database."""

from __future__ import annotations

import pytest

from sessions.deidentify import find_identifying_text, find_in_fields


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_identifying_text(text)]


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("DOB: 12/03/1985, presented with fever", "date_of_birth", "DOB: 12/03/1985"),
        ("date of birth 3 March 1961", "date_of_birth", "date of birth 3 March 1961"),
        ("born on July 4, 1990", "date_of_birth", "born on July 4, 1990"),
        ("NHS number 943 476 5919", "nhs_number", "943 476 5919"),
        ("nhs 9434765919.", "nhs_number", "9434765919"),
        ("MRN: A1234567", "record_number", "MRN: A1234567"),
        ("hospital no. RX-20391", "record_number", "hospital no. RX-20391"),
        ("ring 07700 900123 after 5", "phone", "07700 900123"),
        ("call +44 20 7946 0958", "phone", "+44 20 7946 0958"),
        ("US cell (555) 123-4567", "phone", "(555) 123-4567"),
        ("email j.smith+gp@nhs.net about it", "email", "j.smith+gp@nhs.net"),
        ("lives near SW1A 1AA", "uk_postcode", "SW1A 1AA"),
        ("postcode m1 1ae", "uk_postcode", "m1 1ae"),
        ("Boston, MA 02115", "us_zip", "MA 02115"),
        ("zip 94110-1234", "us_zip", "zip 94110-1234"),
        ("ZIP code: 10001", "us_zip", "ZIP code: 10001"),
        ("admitted on 2024-02-29 with sepsis", "date", "2024-02-29"),
        ("seen 14th February 2025", "date", "14th February 2025"),
        ("insurance 12345678", "long_number", "12345678"),
    ],
)
def test_identifying_patterns_are_found(text, kind, found):
    findings = find_identifying_text(text)
    assert [(f.kind, f.text) for f in findings] == [(kind, found)]
    assert findings[0].reason  # every warning says why it matters
    assert text[findings[0].start : findings[0].end].strip() == found


@pytest.mark.parametrize(
    "text",
    [
        "A woman in her seventies, day 3 of admission, lactate 4.2 mmol/L, NEWS2 score 7.",
        "Gave 30 ml/kg of fluid over 3 hours; 2 of 5 sites use the bundle; 12 mg twice daily.",
        "Questions: should we escalate earlier? What would you do in 2025?",
        "",
    ],
)
def test_clinical_text_without_identifiers_passes(text):
    assert find_identifying_text(text) == []


def test_each_identifier_is_reported_once_even_when_patterns_overlap():
    text = "Contact jo.bloggs@example.org, DOB 01/02/1950, NHS 485 777 3456, tel 0161 496 0000"
    assert kinds(text) == ["email", "date_of_birth", "nhs_number", "phone"]


def test_findings_are_grouped_by_field_and_clean_fields_are_left_out():
    result = find_in_fields({"case_summary": "DOB 1/1/1950", "questions": "What next?"})
    assert list(result) == ["case_summary"]
    assert result["case_summary"][0].label
