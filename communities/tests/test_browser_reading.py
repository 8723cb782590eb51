"""Browser journey as the demo member: the discussions list shows unread counts, "jump
to first unread" opens the thread at the "New since your last visit" marker, a post is
marked helpful; then, as the author of a question, the member marks a reply as the
answer and sees it under the question."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope, scopes_disabled

from communities import services
from communities.models import Thread
from copcore.demo import DEMO_PASSWORD, seed_demo
from copcore.models import Organization, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/o/northshore/communities/sepsis"


def test_demo_member_keeps_their_place_and_marks_an_answer(browser_login):
    seed_demo()
    page = browser_login("member@example.org", DEMO_PASSWORD)
    page.goto(f"{BASE}/workstreams/")
    latest = page.locator("table", has_text="Latest discussions").inner_text()
    assert re.search(r"First dose before the blood cultures\?.*1 unread", latest, re.S)
    assert "Jump to first unread" in latest

    page.get_by_role(
        "link", name=re.compile(r"Jump to first unread.*First dose before the blood cultures")
    ).click()
    page.wait_for_load_state()
    assert page.url.endswith("#new-since-last-visit")
    marker = page.locator("#new-since-last-visit")
    assert marker.is_visible()
    assert marker.inner_text().strip() == "New since your last visit"
    # the accepted answer is shown under the question
    assert "Accepted answer" in page.locator("#accepted-answer").inner_text()

    answer = page.locator("li.post.is-answer")
    assert "3 people found this helpful" in answer.inner_text()
    answer.get_by_role("button", name="Helpful").click()
    page.wait_for_load_state()
    answer = page.locator("li.post.is-answer")
    assert "4 people found this helpful" in answer.inner_text()
    assert answer.get_by_role("button", name="Helpful ✓ (take back)").is_visible()

    # As the author of a question: start it, get a reply, mark the reply as the answer.
    page.goto(f"{BASE}/workstreams/")
    page.get_by_role("link", name="Data and measurement").first.click()
    page.get_by_label("Title").fill("Who signs off the monthly return?")
    page.get_by_label("Message").fill("Is it the ward manager or the data steward?")
    page.get_by_role("button", name="Start the discussion").click()
    page.wait_for_load_state()
    with scopes_disabled():
        org = Organization.objects.get(slug="northshore")
        steward = User.objects.get(email="steward@example.org")
    with scope(organization=org):
        thread = Thread.objects.get(title="Who signs off the monthly return?")
        reply = services.post_create(
            actor=steward, thread=thread, body="The data steward, after the ward manager checks."
        )
    page.reload()
    post = page.locator(f"#post-{reply.pk}")
    post.get_by_role("button", name="Mark as the answer").click()
    page.wait_for_load_state()
    assert "The reply has been marked as the answer." in page.locator("main").inner_text()
    question = page.locator("li.post").first
    under = question.locator("#accepted-answer").inner_text()
    assert "Accepted answer" in under
    assert "The data steward, after the ward manager checks." in under
    assert "Answer by" in under
