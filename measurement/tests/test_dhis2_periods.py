"""DHIS2 and ADX periods: every kind read and written both ways, and everything uncertain
refused with a message that names the text (in each of the platform's languages)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from measurement.dhis2_periods import (
    KINDS,
    Dhis2Period,
    PeriodError,
    format_adx_period,
    format_dhis2_period,
    parse_dhis2_period,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("20240301", "daily", D(2024, 3, 1), D(2024, 3, 1)),
        ("20240229", "daily", D(2024, 2, 29), D(2024, 2, 29)),
        ("2024W12", "weekly", D(2024, 3, 18), D(2024, 3, 24)),
        ("2024W1", "weekly", D(2024, 1, 1), D(2024, 1, 7)),
        ("2024W01", "weekly", D(2024, 1, 1), D(2024, 1, 7)),
        ("2020W53", "weekly", D(2020, 12, 28), D(2021, 1, 3)),
        ("2021W1", "weekly", D(2021, 1, 4), D(2021, 1, 10)),  # 1-3 Jan 2021 are 2020W53
        ("202403", "monthly", D(2024, 3, 1), D(2024, 3, 31)),
        ("202402", "monthly", D(2024, 2, 1), D(2024, 2, 29)),
        ("202401B", "bimonthly", D(2024, 1, 1), D(2024, 2, 29)),
        ("202402B", "bimonthly", D(2024, 3, 1), D(2024, 4, 30)),
        ("202406B", "bimonthly", D(2024, 11, 1), D(2024, 12, 31)),
        ("2024Q1", "quarterly", D(2024, 1, 1), D(2024, 3, 31)),
        ("2024Q4", "quarterly", D(2024, 10, 1), D(2024, 12, 31)),
        ("2024S1", "sixmonthly", D(2024, 1, 1), D(2024, 6, 30)),
        ("2024S2", "sixmonthly", D(2024, 7, 1), D(2024, 12, 31)),
        ("2024", "yearly", D(2024, 1, 1), D(2024, 12, 31)),
        ("2024-03-01/P1M", "monthly", D(2024, 3, 1), D(2024, 3, 31)),
        ("2024-03-18/P7D", "weekly", D(2024, 3, 18), D(2024, 3, 24)),
        ("2024-03-18/P1W", "weekly", D(2024, 3, 18), D(2024, 3, 24)),
        ("2024-03-05/P1D", "daily", D(2024, 3, 5), D(2024, 3, 5)),
        ("2024-03-01/P2M", "bimonthly", D(2024, 3, 1), D(2024, 4, 30)),
        ("2024-04-01/P3M", "quarterly", D(2024, 4, 1), D(2024, 6, 30)),
        ("2024-07-01/P6M", "sixmonthly", D(2024, 7, 1), D(2024, 12, 31)),
        ("2024-01-01/P1Y", "yearly", D(2024, 1, 1), D(2024, 12, 31)),
        ("  2024q1 ", "quarterly", D(2024, 1, 1), D(2024, 3, 31)),
        ("2024w12", "weekly", D(2024, 3, 18), D(2024, 3, 24)),
    ],
)
def test_reads_each_form(text: str, kind: str, start: dt.date, end: dt.date) -> None:
    assert parse_dhis2_period(text) == Dhis2Period(kind=kind, start=start, end=end)


@pytest.mark.parametrize(
    ("start", "kind", "dhis2", "adx"),
    [
        (D(2024, 3, 1), "daily", "20240301", "2024-03-01/P1D"),
        (D(2024, 3, 18), "weekly", "2024W12", "2024-03-18/P7D"),
        (D(2024, 1, 1), "weekly", "2024W1", "2024-01-01/P7D"),
        (D(2024, 12, 30), "weekly", "2025W1", "2024-12-30/P7D"),
        (D(2024, 3, 1), "monthly", "202403", "2024-03-01/P1M"),
        (D(2024, 3, 1), "bimonthly", "202402B", "2024-03-01/P2M"),
        (D(2024, 4, 1), "quarterly", "2024Q2", "2024-04-01/P3M"),
        (D(2024, 7, 1), "sixmonthly", "2024S2", "2024-07-01/P6M"),
        (D(2024, 1, 1), "yearly", "2024", "2024-01-01/P1Y"),
    ],
)
def test_writes_each_form(start: dt.date, kind: str, dhis2: str, adx: str) -> None:
    assert format_dhis2_period(start, kind) == dhis2
    assert format_adx_period(start, kind) == adx


@pytest.mark.parametrize(
    "text",
    [
        "2024W54",
        "2024W53",  # 2024 has 52 ISO weeks
        "2024W0",
        "202413",
        "202400",
        "202407B",  # DHIS2 numbers bi-months 01-06
        "202400B",
        "2024Q5",
        "2024Q0",
        "2024S3",
        "20240230",
        "20241301",
        "0000",
        "2024-03-02/P1M",  # not the first of the month
        "2024-03-19/P7D",  # a Tuesday
        "2024-02-01/P2M",  # bi-months start in odd months
        "2024-02-01/P3M",
        "2024-04-01/P6M",
        "2024-04-01/P1Y",  # a financial year: not a calendar period
        "2024-03-01/P4M",
        "2024-02-30/P1D",
        "2024AprilS1",
        "2024April",
        "2024BiW1",
        "2024WedW5",
        "24Q1",
        "2024-03",
        "",
        "March 2024",
        "2024-03-01/P1M/extra",
    ],
)
def test_refuses_what_is_not_certain(text: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_dhis2_period(text)
    assert isinstance(caught.value, ValueError)
    if text.strip():
        assert text.strip() in str(caught.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2024W54", ["2024W54", "1 to 52", "54"]),
        ("202413", ["202413", "01 to 12"]),
        ("202407B", ["202407B", "01 to 06"]),
        ("2024-03-02/P1M", ["2024-03-02/P1M", "2024-03-02", "monthly"]),
        ("2024-03-01/P4M", ["P4M", "P1M"]),
        ("hello", ["hello", "2024W12"]),
    ],
)
def test_messages_say_why(text: str, words: list[str]) -> None:
    with translation.override("en"):
        with pytest.raises(PeriodError) as caught:
            parse_dhis2_period(text)
        message = str(caught.value)
    for word in words:
        assert word in message


@pytest.mark.parametrize("language", ["es", "fr", "pt"])
def test_messages_are_translated(language: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_dhis2_period("2024W54")
    with translation.override("en"):
        english = str(caught.value)
    with translation.override(language):
        translated = str(caught.value)
    assert "2024W54" in translated
    assert translated != english


def test_refuses_unaligned_starts_when_writing() -> None:
    with pytest.raises(PeriodError):
        format_dhis2_period(D(2024, 3, 2), "monthly")
    with pytest.raises(PeriodError):
        format_adx_period(D(2024, 3, 19), "weekly")
    with pytest.raises(PeriodError):
        format_dhis2_period(D(2024, 2, 1), "bimonthly")
    with pytest.raises(PeriodError):
        format_dhis2_period(D(2024, 3, 1), "fortnightly")


days = st.dates(min_value=D(1000, 1, 1), max_value=D(9998, 12, 1))


def _align(kind: str, day: dt.date) -> dt.date:
    if kind == "daily":
        return day
    if kind == "weekly":
        return day - dt.timedelta(days=day.weekday())
    months = {"monthly": 1, "bimonthly": 2, "quarterly": 3, "sixmonthly": 6, "yearly": 12}[kind]
    return D(day.year, (day.month - 1) // months * months + 1, 1)


@given(kind=st.sampled_from(KINDS), day=days)
def test_round_trip_every_kind(kind: str, day: dt.date) -> None:
    start = _align(kind, day)
    for text in (format_dhis2_period(start, kind), format_adx_period(start, kind)):
        period = parse_dhis2_period(text)
        assert period.kind == kind
        assert period.start == start
        assert period.start <= day <= period.end
    assert parse_dhis2_period(format_dhis2_period(start, kind)) == parse_dhis2_period(
        format_adx_period(start, kind)
    )


@given(kind=st.sampled_from(KINDS), day=days)
def test_periods_tile_without_gaps(kind: str, day: dt.date) -> None:
    period = parse_dhis2_period(format_dhis2_period(_align(kind, day), kind))
    following = period.end + dt.timedelta(days=1)
    assert _align(kind, following) == following  # the next period starts the day after


@given(kind=st.sampled_from([k for k in KINDS if k != "daily"]), day=days)
def test_unaligned_adx_starts_are_refused(kind: str, day: dt.date) -> None:
    start = _align(kind, day)
    if day == start:
        day = day + dt.timedelta(days=1)
    text = format_adx_period(start, kind).replace(start.isoformat(), day.isoformat())
    with pytest.raises(PeriodError):
        parse_dhis2_period(text)


@given(year=st.integers(1000, 9998), week=st.integers(1, 99))
def test_weeks_beyond_the_year_are_refused(year: int, week: int) -> None:
    weeks = D(year, 12, 28).isocalendar()[1]
    text = f"{year}W{week}"
    if week <= weeks:
        assert parse_dhis2_period(text).start == dt.date.fromisocalendar(year, week, 1)
    else:
        with pytest.raises(PeriodError):
            parse_dhis2_period(text)


@given(st.text(max_size=20))
def test_any_text_is_read_or_refused_cleanly(text: str) -> None:
    try:
        period = parse_dhis2_period(text)
    except PeriodError:
        return
    assert period.kind in KINDS
    assert period.start <= period.end
