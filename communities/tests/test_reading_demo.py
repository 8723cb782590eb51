"""The demo shows each person's place: unread posts for the member with the marker, a
question with an accepted answer and helpful counts."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from communities import selectors
from communities.models import Community, Thread
from copcore.demo import seed_demo
from copcore.models import User

pytestmark = pytest.mark.django_db


def test_demo_member_has_unread_posts_an_answer_and_helpful_counts(client_for):
    seed_demo()
    with scopes_disabled():
        member = User.objects.get(email="member@example.org")
        sepsis = Community.objects.get(organization__slug="northshore", slug="sepsis")
        unread = {t.title: t.unread_count for t in selectors.threads(community=sepsis, user=member)}
        answered = Thread.objects.get(community=sepsis, accepted_answer__isnull=False)
    assert unread["Which screening tool for mental-health wards?"] == 1
    assert unread["First dose before the blood cultures?"] == 1
    assert unread["Antibiotic stock on the wards"] == 0
    assert sum(unread.values()) >= 3
    client = client_for(member)
    base = "/o/northshore/communities/sepsis"
    listing = client.get(f"{base}/workstreams/").content.decode()
    assert "Jump to first unread" in listing and "unread post" in listing
    jump = client.get(f"{base}/threads/{answered.pk}/unread/")
    page = client.get(jump["Location"]).content.decode()
    assert "New since your last visit" in page
    assert 'id="accepted-answer"' in page and "never delay the dose" in page
    assert "3 people found this helpful" in page
