"""The recurrence builder: choices written as RRULEs, the preview of the next dates in
the series' time zone, the page that offers both, and human messages for a bad rule."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from dateutil.rrule import rrulestr
from django_scopes import scope
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions import recurrence_builder as builder
from sessions.models import SessionSeries
from sessions.tests.helpers import url

LONDON = "Europe/London"


def _rule(**choices) -> str:
    return builder.rule_text(builder.Choices(**choices), first_date=dt.date(2027, 1, 4))


def test_weekly_on_chosen_days_every_other_week():
    assert (
        _rule(repeat="weekly", interval=2, weekdays=("WE", "MO"))
        == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE"
    )


def test_monthly_on_the_last_friday_and_on_day_15_ending_after_six():
    assert _rule(repeat="monthly", week_of_month="-1", month_weekday="FR") == (
        "FREQ=MONTHLY;BYDAY=-1FR"
    )
    assert _rule(repeat="monthly", monthly_by="day", month_day=15, ends="after", count=6) == (
        "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6"
    )


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"repeat": "weekly"}, "weekdays"),
        ({"repeat": "monthly", "monthly_by": "day"}, "month_day"),
        ({"repeat": "weekly", "weekdays": ("MO",), "ends": "after"}, "count"),
        ({"repeat": "weekly", "weekdays": ("MO",), "ends": "on"}, "until"),
        (
            {"repeat": "weekly", "weekdays": ("MO",), "ends": "on", "until": dt.date(2026, 1, 1)},
            "until",
        ),
    ],
)
def test_incomplete_choices_name_the_field(choices, field):
    with pytest.raises(builder.BuilderError) as error:
        _rule(**choices)
    assert error.value.field == field
    assert error.value.message


def test_preview_keeps_the_local_time_across_the_clock_change():
    rule = _rule(repeat="monthly", week_of_month="1", month_weekday="TU")
    dates = builder.preview(
        rule=rule,
        time_zone=LONDON,
        first_date=dt.date(2027, 1, 1),
        start_time=dt.time(18, 0),
        today=dt.date(2027, 1, 1),
    )
    assert [d.date() for d in dates] == [
        dt.date(2027, 1, 5),
        dt.date(2027, 2, 2),
        dt.date(2027, 3, 2),
        dt.date(2027, 4, 6),
        dt.date(2027, 5, 4),
    ]
    assert {d.time() for d in dates} == {dt.time(18, 0)}  # 18:00 in London, winter and summer
    assert {d.utcoffset() for d in dates} == {dt.timedelta(0), dt.timedelta(hours=1)}


def test_preview_includes_a_session_on_the_end_date_and_stops_there():
    rule = _rule(repeat="weekly", weekdays=("FR",), ends="on", until=dt.date(2027, 1, 15))
    dates = builder.preview(
        rule=rule,
        time_zone="America/Sao_Paulo",
        first_date=dt.date(2027, 1, 4),
        start_time=dt.time(23, 30),
        today=dt.date(2027, 1, 4),
    )
    assert [d.date() for d in dates] == [dt.date(2027, 1, 8), dt.date(2027, 1, 15)]


@settings(max_examples=150, deadline=None)
@given(
    repeat=st.sampled_from(["weekly", "monthly"]),
    interval=st.integers(1, 12),
    weekdays=st.sets(st.sampled_from(builder.WEEKDAY_CODES), min_size=1),
    monthly_by=st.sampled_from(["weekday", "day"]),
    week=st.sampled_from([c.value for c in builder.WeekOfMonth]),
    weekday=st.sampled_from(builder.WEEKDAY_CODES),
    day=st.integers(1, 31),
    ends=st.sampled_from(["never", "after", "on"]),
    count=st.integers(1, 500),
    until_days=st.integers(0, 3000),
)
def test_every_choice_makes_a_rule_the_parser_reads_with_the_same_meaning(
    repeat, interval, weekdays, monthly_by, week, weekday, day, ends, count, until_days
):
    first = dt.date(2027, 1, 4)
    rule = builder.rule_text(
        builder.Choices(
            repeat=repeat,
            interval=interval,
            weekdays=tuple(weekdays),
            monthly_by=monthly_by,
            week_of_month=week,
            month_weekday=weekday,
            month_day=day,
            ends=ends,
            count=count,
            until=first + dt.timedelta(days=until_days),
        ),
        first_date=first,
    )
    parsed = rrulestr(rule, dtstart=dt.datetime(2027, 1, 4, 9, 0))
    assert parsed._interval == interval
    assert parsed._count == (count if ends == "after" else None)
    if ends == "on":
        assert parsed._until == dt.datetime.combine(
            first + dt.timedelta(days=until_days), dt.time(23, 59, 59)
        )
    for occurrence in parsed.xafter(dt.datetime(2027, 1, 4), count=3, inc=True):
        if repeat == "weekly":
            assert builder.WEEKDAY_CODES[occurrence.weekday()] in weekdays
        elif monthly_by == "day":
            assert occurrence.day == day
        else:
            assert builder.WEEKDAY_CODES[occurrence.weekday()] == weekday


FORM = {
    "title": "ECHO clinic",
    "kind": "all_hands",
    "first_date": "2027-01-01",
    "start_time": "18:00",
    "time_zone": LONDON,
    "duration_minutes": "60",
    "repeat": "monthly",
    "interval": "1",
    "monthly_by": "weekday",
    "week_of_month": "1",
    "month_weekday": "TU",
    "ends": "never",
}


@time_machine.travel(dt.datetime(2026, 12, 20, 12, tzinfo=dt.UTC), tick=False)
def test_the_page_previews_five_dates_in_words_and_creates_nothing(world, client_for):
    response = client_for(world.convener).post(
        url("sessions:series_create", world), {**FORM, "action": "preview"}
    )
    assert response.status_code == 200
    text = response.text
    assert "The next sessions (Europe/London time)" in text
    for day in ("Tuesday, 5 January 2027, 18:00", "Tuesday, 2 February 2027, 18:00"):
        assert day in text
    assert "Tuesday, 4 May 2027, 18:00" in text
    assert "FREQ=" not in text.split("The next sessions")[1].split("</section>")[0]
    with scope(organization=world.org_a):
        assert not SessionSeries.objects.exists()


@time_machine.travel(dt.datetime(2026, 12, 20, 12, tzinfo=dt.UTC), tick=False)
def test_the_page_writes_the_rule_from_the_choices(world, client_for):
    data = {**FORM, "repeat": "weekly", "interval": "2", "weekdays": ["MO", "TH"]}
    data.update({"ends": "after", "count": "6", "action": "create"})
    response = client_for(world.convener).post(url("sessions:series_create", world), data)
    assert response.status_code == 302
    with scope(organization=world.org_a):
        series = SessionSeries.objects.get()
        assert series.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=6"
        starts = [s.starts_at for s in series.sessions.order_by("starts_at")]
    assert len(starts) == 6
    local = [s.astimezone(zoneinfo.ZoneInfo(LONDON)) for s in starts]
    assert {d.strftime("%a") for d in local} == {"Mon", "Thu"}


def test_missing_weekday_is_said_on_its_field_and_keeps_the_input(world, client_for):
    data = {**FORM, "repeat": "weekly", "action": "create", "title": "Kept title"}
    response = client_for(world.convener).post(url("sessions:series_create", world), data)
    assert response.status_code == 200
    assert "Choose at least one day of the week." in response.text
    assert 'value="Kept title"' in response.text
    with scope(organization=world.org_a):
        assert not SessionSeries.objects.exists()


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY;BYDAY=first tuesday", "FREQ", "BYDAY=MO;;x"])
def test_a_bad_raw_rule_gets_a_human_message_not_the_parser_text(world, client_for, rule):
    response = client_for(world.convener).post(
        url("sessions:series_create", world), {**FORM, "rrule": rule, "action": "create"}
    )
    assert response.status_code == 200
    assert "The recurrence rule could not be understood" in response.text
    assert "FREQ=WEEKLY;BYDAY=WE" in response.text  # an example of a good rule
    assert "unpack" not in response.text
    assert "invalid literal" not in response.text
