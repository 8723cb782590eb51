"""Rare events (issue 25): recording events, the counts per period kept as
observations, the derived series (days and cases between events, exactly), the charts
offered for each view of a measure, disclosure control on event charts, the events page
and its tenancy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from dashboards import services as dashboard_services
from dashboards.models import DisclosureRule
from measurement import services
from measurement.models import Measure, Observation, RareEvent
from measurement.rare_events import EventRow, cases_between, days_between
from measurement.tests.helpers import data_world

pytestmark = pytest.mark.django_db

ORG = "/o/network-a"


def test_days_between_and_cases_between_are_exact():
    d = dt.date(2026, 1, 1)
    rows = [
        EventRow(d + dt.timedelta(days=30), Decimal("120")),
        EventRow(d, None),
        EventRow(d + dt.timedelta(days=31), Decimal("4")),
        EventRow(d + dt.timedelta(days=100), Decimal("310.5")),
    ]
    assert [(i.ended_on - d).days for i in days_between(rows)] == [30, 31, 100]
    assert [i.value for i in days_between(rows)] == [30.0, 1.0, 69.0]
    # The opportunities as recorded with each event; none is invented for the first.
    assert [i.value for i in cases_between(rows)] == [120.0, 4.0, 310.5]
    assert days_between(rows[:1]) == []


def _events_world(world, *, opportunities: bool = True):
    data = data_world(world)
    with scope(organization=world.org_a):
        measure = services.measure_save(
            actor=world.convener, community=data.community, code="cdiff-days",
            name="Days between C. difficile infections", kind=Measure.Kind.OUTCOME,
            value_type=Measure.ValueType.RARE_EVENTS, frequency=Measure.Frequency.MONTHLY,
            direction=Measure.Direction.UP, chart_type="t",
            opportunity_unit="patient-days" if opportunities else "",
        )  # fmt: skip
    data.events = measure
    return data


def _record(world, data, days_ago: int, site=None, opportunities=None):
    with scope(organization=world.org_a):
        return services.rare_event_record(
            actor=world.steward, community=data.community, measure=data.events,
            site=site or data.site_gh,
            occurred_on=timezone.localdate() - dt.timedelta(days=days_ago),
            category="hospital-onset", opportunities=opportunities,
        )  # fmt: skip


def test_recording_an_event_keeps_the_counts_per_period_as_submitted_observations(world):
    data = _events_world(world)
    today = timezone.localdate()
    _record(world, data, 0)
    _record(world, data, 0, opportunities="250")
    with scope(organization=world.org_a):
        this_month = today.replace(day=1)
        row = Observation.objects.get(measure=data.events, site=data.site_gh, period=this_month)
        assert row.value == Decimal(2) and row.numerator == Decimal(2)
        assert row.status == Observation.Status.SUBMITTED
        # Periods since enrolment without an event count 0 (not missing).
        earlier = Observation.objects.filter(
            measure=data.events, site=data.site_gh, period__lt=this_month
        )
        assert earlier.exists() and {o.value for o in earlier} == {Decimal(0)}
        event = RareEvent.objects.filter(measure=data.events).first()
        services.rare_event_delete(actor=world.steward, community=data.community, event=event)
        row.refresh_from_db()
        assert row.value == Decimal(1)


def test_an_event_is_refused_in_the_future_with_a_negative_count_or_by_a_sponsor(world):
    data = _events_world(world)
    with pytest.raises(ValidationError) as error:
        _record(world, data, -3)
    assert "future" in error.value.message_dict["occurred_on"][0]
    with pytest.raises(ValidationError) as error:
        _record(world, data, 2, opportunities="-1")
    assert "opportunities" in error.value.message_dict
    with scope(organization=world.org_a), pytest.raises(PermissionDenied):
        services.rare_event_record(
            actor=world.sponsor, community=data.community, measure=data.events,
            site=data.site_gh, occurred_on=timezone.localdate(),
        )  # fmt: skip
    with scope(organization=world.org_a), pytest.raises(ValidationError):
        services.rare_event_record(
            actor=world.steward, community=data.community, measure=data.falls,
            site=data.site_gh, occurred_on=timezone.localdate(),
        )  # fmt: skip


def test_a_g_chart_needs_opportunities(world):
    data = _events_world(world, opportunities=False)
    with scope(organization=world.org_a):
        assert data.events.drawable_charts == ("t", "run", "c")
        with pytest.raises(ValidationError) as error:
            services.measure_save(
                actor=world.convener, community=data.community, measure=data.events,
                chart_type="g",
            )  # fmt: skip
    assert "opportunities" in error.value.message_dict["chart_type"][0]


def _chart_page(client, data, site=None):
    url = f"{ORG}/communities/sepsis/dashboard/measures/{data.events.pk}/"
    return client.get(url + (f"?site={site.pk}" if site else "")).content.decode()


def _series(world, data):
    """Infections 20 days apart, then 90 days apart: a t chart with signals."""
    ago = 700
    for gap in [20] * 14 + [90] * 5:
        _record(world, data, ago, opportunities=str(gap * 40))
        ago -= gap
    with scope(organization=world.org_a):
        ids = Observation.objects.filter(measure=data.events).values_list("pk", flat=True)
        services.observations_approve(
            actor=world.convener, community=data.community, observation_ids=list(ids)
        )


def test_the_chart_page_draws_the_t_chart_with_signals_and_offers_g_only_for_a_site(
    world, client_for
):
    data = _events_world(world)
    _series(world, data)
    steward = client_for(world.steward)
    page = _chart_page(steward, data, data.site_gh)
    assert "t chart of 18 points" in page
    assert "special-cause points; a runs signal" in page or "1 special-cause" in page
    assert 'value="g"' in page and 'value="t"' in page and 'value="xbar"' not in page
    whole = _chart_page(steward, data)
    assert 'value="g"' not in whole  # opportunities are counted per site


def test_event_charts_follow_the_disclosure_rule(world, client_for):
    data = _events_world(world)
    _series(world, data)
    with scope(organization=world.org_a):
        dashboard_services.disclosure_rule_save(
            actor=world.convener, organization=world.org_a, mode=DisclosureRule.Mode.THRESHOLD,
            small_max=30, rounding_base=5, hide_zero=False, secondary_suppression=True,
        )  # fmt: skip
    sponsor = _chart_page(client_for(world.sponsor), data, data.site_gh)
    assert "Too few events to show their intervals" in sponsor
    with scope(organization=world.org_a):
        dashboard_services.disclosure_rule_save(
            actor=world.convener, organization=world.org_a, mode=DisclosureRule.Mode.THRESHOLD,
            small_max=5, rounding_base=5, hide_zero=False, secondary_suppression=True,
        )  # fmt: skip
    sponsor = _chart_page(client_for(world.sponsor), data, data.site_gh)
    assert "Event 1" in sponsor and "t chart of 18 points" in sponsor
    first_day = (timezone.localdate() - dt.timedelta(days=680)).isoformat()
    assert first_day not in sponsor  # no event dates for those the rule applies to
    steward = _chart_page(client_for(world.steward), data, data.site_gh)
    assert first_day in steward


def test_the_events_page_records_an_event_and_hides_other_tenants(world, client_for):
    data = _events_world(world)
    steward = client_for(world.steward)
    url = f"{ORG}/communities/sepsis/data/measures/{data.events.pk}/events/"
    day = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    response = steward.post(url, {"site": data.site_gh.pk, "occurred_on": day, "category": ""})
    assert response.status_code == 302
    page = steward.get(response["Location"]).content.decode()
    assert "has been recorded" in page
    with scope(organization=world.org_a):
        event = RareEvent.objects.get(measure=data.events)
    delete = f"{url}{event.pk}/delete/"
    assert "Delete this event?" in steward.get(delete).content.decode()
    assert steward.post(delete, {"confirmed": "1"}).status_code == 302
    with scope(organization=world.org_a):
        assert not RareEvent.objects.filter(measure=data.events).exists()
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.sponsor).get(url).status_code in (403, 404)
    # A count measure has no events page.
    falls = f"{ORG}/communities/sepsis/data/measures/{data.falls.pk}/events/"
    assert steward.get(falls).status_code == 404


def test_the_api_records_events_all_or_nothing_and_lists_them(world, client_for):
    data = _events_world(world)
    url = f"/api/v1{ORG}/measures/{data.events.pk}/events/"
    steward = client_for(world.steward)
    day = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    later = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    bad = steward.post(
        url,
        {
            "events": [
                {"site_code": "GH", "occurred_on": day},
                {"site_code": "NOPE", "occurred_on": day},
            ]
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid"
    assert "2" in bad.json()["error"]["fields"]["rows"]
    with scope(organization=world.org_a):
        assert not RareEvent.objects.filter(measure=data.events).exists()
    ok = steward.post(
        url,
        {"events": [
            {"site_code": "gh", "occurred_on": day, "category": "hospital-onset"},
            {"site_code": "GH", "occurred_on": later, "opportunities": "300"},
        ]},
        content_type="application/json",
    )  # fmt: skip
    assert ok.status_code == 201, ok.content
    assert [e["occurred_on"] for e in ok.json()] == [day, later]
    listed = steward.get(url).json()
    assert [e["occurred_on"] for e in listed["results"]] == [later, day]
    with scope(organization=world.org_a):
        counts = {
            o.period.isoformat()[:7]: o.value
            for o in Observation.objects.filter(measure=data.events, value__gt=0)
        }
    expected = {day[:7]: Decimal(1), later[:7]: Decimal(1)}
    if day[:7] == later[:7]:
        expected = {day[:7]: Decimal(2)}
    assert counts == expected
    # A sponsor sees the measure's dashboards, not the event dates; an outsider nothing.
    assert client_for(world.sponsor).get(url).status_code == 403
    foreign = client_for(world.outsider).get(url)
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "not_found"
    falls = f"/api/v1{ORG}/measures/{data.falls.pk}/events/"
    assert steward.get(falls).status_code == 404


def test_a_file_of_events_is_checked_with_grouped_problems_then_imported_and_approved(world):
    from measurement.tests.helpers import upload

    data = _events_world(world)
    today = timezone.localdate()
    first = (today - dt.timedelta(days=60)).isoformat()
    second = (today - dt.timedelta(days=20)).isoformat()
    future = (today + dt.timedelta(days=5)).isoformat()
    bad = (
        "measure_code,site_code,event_date,category,opportunities\n"
        f"cdiff-days,GH,{first},hospital-onset,120\n"
        f"cdiff-days,GH,{future},,\n"
        "cdiff-days,NOPE,2024-02,,\n"
        f"falls,GH,{second},,\n"
        f"cdiff-days,GH,{second},,-4\n"
    )
    batch = upload(world, bad.encode(), "events.csv")
    assert batch.status == "invalid"
    assert batch.report["layout"] == "events"
    codes = batch.report["error_codes"]
    assert codes == {
        "future_event_date": 1, "unknown_site": 1, "invalid_event_date": 1,
        "not_rare_events_measure": 1, "negative_opportunities": 1,
    }  # fmt: skip
    with scope(organization=world.org_a):
        assert not RareEvent.objects.exists()
    good = (
        "measure_code,site_code,event_date,category,opportunities\n"
        f"cdiff-days,GH,{first},hospital-onset,120\n"
        f"cdiff-days,gh,{second},,40\n"
    )
    batch = upload(world, good.encode(), "events.csv")
    assert batch.status == "validated", batch.report
    with scope(organization=world.org_a):
        batch = services.import_batch_request_commit(
            actor=world.steward, batch=batch, on_existing="skip"
        )
        batch.refresh_from_db()
        assert batch.status == "committed" and batch.inserted_count == 2
        events = list(RareEvent.objects.filter(measure=data.events).order_by("occurred_on"))
        assert [(e.occurred_on.isoformat(), e.opportunities) for e in events] == [
            (first, Decimal("120.00")), (second, Decimal("40.00")),
        ]  # fmt: skip
        assert all(e.batch_id == batch.pk for e in events)
        counted = Observation.objects.filter(measure=data.events, batch=batch, value__gt=0)
        assert sum(o.value for o in counted) == 2
        assert {o.status for o in counted} == {Observation.Status.SUBMITTED}
        services.observations_approve(actor=world.convener, community=data.community, batch=batch)
        assert {o.status for o in counted.all()} == {Observation.Status.APPROVED}
