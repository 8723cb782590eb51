"""Browser journey in headless Chromium (issue 25): a data steward records a rare event
on the events page and sees the measure's t chart with its signals, in the page's text
and in the chart's text alternative."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from measurement.tests.test_rare_events import _events_world, _series

pytestmark = pytest.mark.browser


def test_steward_records_an_event_and_sees_the_t_chart_with_signals(world, browser_login):
    data = _events_world(world)
    _series(world, data)  # infections 20 days apart, then 90 days apart
    cop = f"/o/{world.org_a.slug}/communities/{data.community.slug}/data"
    page = browser_login(world.steward.email)
    page.goto(f"{cop}/measures/{data.events.pk}/events/?site={data.site_gh.pk}")
    day = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label(re.compile(r"^Site")).select_option(str(data.site_gh.pk))
    page.get_by_label("Date of the event").fill(day.isoformat())
    page.get_by_label("Category (optional)").fill("hospital-onset")
    page.get_by_label("Opportunities since the previous event").fill("2100")
    page.get_by_role("button", name="Record the event").click()
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert f"The event of {day.isoformat()} at {data.site_gh.name} has been recorded." in text
    assert "hospital-onset" in text

    page.get_by_role("link", name="See the chart").click()
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "Chart: t chart; rules:" in text
    assert day.isoformat() in text  # the new event closes the last interval
    chart = page.locator(".chart-svg[role=img]")
    label = chart.get_attribute("aria-label") or ""
    assert "t chart of 19 points" in label
    assert "a runs signal" in label
    special = int(label.split(" special-cause points")[0].rsplit(" ", 1)[-1])
    assert special >= 1
    # Longer times between infections are improvements (the measure: higher is better).
    assert "Special cause: improvement (L)" in text
