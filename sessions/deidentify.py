"""Warnings for text that looks identifying, before a case is shared with the group.

A pure function: it never blocks and never changes the text; it reports what looks
like a date of birth or other full date, a record number (NHS number, MRN), a phone
number, an email address, a UK postcode or a US ZIP code, with the reason why it
matters, so the author can remove it or confirm it was checked. Pattern matching
cannot prove text is de-identified: it catches the common slips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str
    text: str
    start: int
    end: int
    reason: str


# Order matters: earlier patterns claim their characters first, so an email address
# is not also reported as a phone number, nor an NHS number as a date.
_PATTERNS: list[tuple[str, re.Pattern[str], object, object]] = [
    (
        "email",
        re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
        _("Email address"),
        _("An email address identifies a person directly."),
    ),
    (
        "date_of_birth",
        re.compile(
            r"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*[:\-]?\s*"
            r"(?:\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|\d{1,2}(?:st|nd|rd|th)?\s+"
            + _MONTHS
            + r"\.?\s+\d{2,4}|"
            + _MONTHS
            + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{2,4})",
            re.IGNORECASE,
        ),
        _("Date of birth"),
        _("A date of birth, with almost any other detail, can identify a patient."),
    ),
    (
        "nhs_number",
        re.compile(r"(?<![\d-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d-])"),
        _("NHS number or other 10-digit record number"),
        _("A 10-digit number looks like an NHS number, which identifies a patient."),
    ),
    (
        "record_number",
        re.compile(
            r"\b(?:mrn|medical\s+record(?:\s+(?:number|no\.?))?|hospital\s+(?:number|no\.?)|"
            r"record\s+(?:number|no\.?)|patient\s+(?:id|number|no\.?)|chi|nhi)(?!\w)"
            r"\s*[:#]?\s*(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}",
            re.IGNORECASE,
        ),
        _("Medical record number"),
        _("Hospital and medical record numbers identify a patient."),
    ),
    (
        "phone",
        re.compile(
            r"(?:(?<![\w+])\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}[\s.-]?\d{3,4}[\s.-]?\d{0,4}"
            r"|\b0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"
            r"|\(\d{3}\)\s?\d{3}[\s.-]\d{4}\b"
            r"|\b\d{3}[.-]\d{3}[.-]\d{4}\b)"
        ),
        _("Phone number"),
        _("A phone number can be traced to a person."),
    ),
    (
        "long_number",
        re.compile(r"(?<![\d.,])\d{7,}(?![\d.,])"),
        _("Long number (possibly a record number)"),
        _("Long numbers are often record or insurance numbers that identify a patient."),
    ),
    (
        "uk_postcode",
        re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
        _("UK postcode"),
        _("A full postcode covers a handful of households and can identify a patient."),
    ),
    (
        "us_zip",
        re.compile(
            r"\b(?:(?i:zip(?:\s*code)?)\s*:?\s*\d{5}(?:-\d{4})?"
            r"|\d{5}-\d{4}"
            r"|(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|"
            r"O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY]),?\s+\d{5})\b",
        ),
        _("US ZIP code"),
        _("A ZIP code narrows where a patient lives and, with other details, identifies them."),
    ),
    (
        "date",
        re.compile(
            r"\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}|"
            r"\d{1,2}(?:st|nd|rd|th)?\s+"
            + _MONTHS
            + r"\.?,?\s+(?:19|20)\d{2}|"
            + _MONTHS
            + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})\b",
            re.IGNORECASE,
        ),
        _("Full date (a date of birth or of admission?)"),
        _(
            "Exact dates, such as a birth or admission date, can identify a patient; "
            "use ages and relative times (“day 3 of admission”) instead."
        ),
    ),
]


def find_identifying_text(text: str) -> list[Finding]:
    """Everything in ``text`` that looks identifying, in the order it appears."""
    if not text:
        return []
    claimed: list[tuple[int, int]] = []
    findings: list[Finding] = []
    for kind, pattern, label, reason in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < c_end and end > c_start for c_start, c_end in claimed):
                continue
            claimed.append((start, end))
            findings.append(
                Finding(
                    kind=kind,
                    label=str(label),
                    text=match.group(0).strip(),
                    start=start,
                    end=end,
                    reason=str(reason),
                )
            )
    return sorted(findings, key=lambda f: f.start)


def find_in_fields(fields: dict[str, str]) -> dict[str, list[Finding]]:
    """Findings per field name, leaving out fields with none."""
    result = {}
    for name, value in fields.items():
        found = find_identifying_text(value or "")
        if found:
            result[name] = found
    return result
