"""Browser journey: poll results refresh on the page without a reload (JS on)."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from sessions import services
from sessions.tests.helpers import make_poll, make_session, url

pytestmark = pytest.mark.browser


def test_poll_results_refresh_live_without_reload(world, browser_login):
    session = make_session(world)
    poll = make_poll(world, session)
    with scope(organization=world.org_a):
        first_option = poll.options.order_by("position").first()
    page = browser_login(world.member.email)
    page.goto(url("sessions:session_detail", world, session_id=session.pk))
    row = page.locator(f'tr[data-option="{first_option.pk}"] .votes')
    assert row.inner_text() == "0"
    page.evaluate("window.__stillTheSamePage = true")

    with scope(organization=world.org_a):
        services.poll_vote(actor=world.convener, poll=poll, option_ids=[first_option.pk])

    # (expect polls without eval: the page's CSP forbids evaluating strings)
    expect(row).to_have_text("1", timeout=15_000)
    assert (
        page.evaluate(
            f"document.querySelector('tr[data-option=\"{first_option.pk}\"] meter.bar').value"
        )
        == 100
    )
    assert page.evaluate("window.__stillTheSamePage") is True
    assert page.locator(f"#poll-{poll.pk} .voter-count").inner_text() == "1"

    # Voting through the form works too (the page works without JavaScript).
    page.get_by_label("No").check()
    page.get_by_role("button", name="Vote").click()
    page.wait_for_load_state()
    assert "Your vote has been counted." in page.content()
