"""In the browser: the recurrence builder used with the keyboard alone, its preview,
the error summary that takes focus after a failed submit (with "Error:" in the title),
and the cancel confirmation, all without sideways scrolling at 320 CSS pixels."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from django.utils import timezone

from sessions.tests.helpers import make_session, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def test_a_failed_submit_focuses_the_error_summary_that_links_to_the_field(world, browser_login):
    page = browser_login(world.convener.email)
    page.goto(url("sessions:series_create", world))
    page.get_by_label("Title").fill("Weekly huddle")
    page.get_by_label("Date of the first session").fill("2027-03-01")
    page.get_by_label("Start time (in the series' time zone)").fill("08:30")
    page.get_by_label("Every week, on chosen days").check()
    page.get_by_role("button", name="Create the series").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    focused = page.evaluate("document.activeElement.getAttribute('data-error-summary')")
    assert focused is not None  # focus is on the summary, not the body
    summary = page.locator("[data-error-summary]")
    assert "There is a problem" in summary.inner_text()
    link = summary.get_by_role("link", name="Choose at least one day of the week.")
    link.click()
    assert page.evaluate("location.hash") == "#id_weekdays"
    assert page.locator("#id_weekdays").is_visible()  # the days' group the link points at
    assert page.get_by_label("Title").input_value() == "Weekly huddle"  # kept


def test_the_builder_works_from_the_keyboard_and_previews_in_words(world, browser_login):
    page = browser_login(world.convener.email)
    page.goto(url("sessions:series_create", world))
    # Dates from the test clock (the preview starts from today): January 1st two years on.
    year = timezone.localdate().year + 2
    page.get_by_label("Title").fill("Monthly clinic")
    page.get_by_label("Date of the first session").fill(f"{year}-01-01")
    page.get_by_label("Start time (in the series' time zone)").fill("18:00")
    page.get_by_label("Time zone of the series").select_option("Europe/London")
    page.get_by_label("Every month", exact=True).focus()
    page.keyboard.press("Space")
    page.get_by_label("Week of the month").select_option("-1")
    page.get_by_label("Day of the week").select_option("FR")
    page.get_by_label("Date of the first session").focus()
    page.keyboard.press("Enter")  # Enter previews (the first button), it never creates
    page.wait_for_load_state()
    preview = page.locator(".recurrence-preview").inner_text()
    assert "The next sessions (Europe/London time)" in preview
    for month in (1, 4):  # the last Friday of January and of April, counted here
        last = max(
            day
            for day in range(1, calendar.monthrange(year, month)[1] + 1)
            if dt.date(year, month, day).weekday() == calendar.FRIDAY
        )
        assert f"Friday, {last} {calendar.month_name[month]} {year}, 18:00" in preview
    assert "FREQ" not in preview


def test_pages_do_not_scroll_sideways_at_320_pixels(world, browser_login):
    session = make_session(world)
    page = browser_login(world.convener.email)
    page.set_viewport_size({"width": 320, "height": 800})
    for address in (
        url("sessions:series_create", world),
        url("sessions:session_cancel", world, session_id=session.pk),
    ):
        page.goto(address)
        assert not page.evaluate(SCROLLS_SIDEWAYS), address
    page.get_by_role("button", name="Cancel the session").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    assert not page.evaluate(SCROLLS_SIDEWAYS)
