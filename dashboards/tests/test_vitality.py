"""CoP vitality from sessions, attendance, posts, tests and field notes."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from dashboards.selectors import vitality

NOW = dt.datetime(2025, 3, 20, 12, 0, tzinfo=dt.UTC)


def _build(world):
    from communities.models import Post, Thread, Workstream
    from knowledge.models import FieldNote, TestOfChange
    from sessions.models import Attendance, Session

    community = world.community_a
    community.rhythm = ["monthly_all_hands"]
    community.save(update_fields=["rhythm"])
    org = world.org_a
    for month, status in ((1, "scheduled"), (2, "cancelled"), (3, "scheduled")):
        start = dt.datetime(2025, month, 10, 17, 0, tzinfo=dt.UTC)
        session = Session.objects.create(
            organization=org, community=community, title=f"All hands {month}",
            kind="all_hands", starts_at=start, ends_at=start + dt.timedelta(hours=1),
            time_zone="UTC", status=status,
        )  # fmt: skip
        if status == "scheduled":
            for user in (world.member, world.steward):
                Attendance.objects.create(organization=org, session=session, user=user,
                                          attended=True)  # fmt: skip
    workstream = Workstream.objects.create(organization=org, community=community, name="General")
    thread = Thread.objects.create(organization=org, community=community, workstream=workstream,
                                   title="Hello", author=world.member)  # fmt: skip
    Post.objects.create(organization=org, community=community, thread=thread,
                        author=world.convener, body="Hi", body_html="<p>Hi</p>",
                        created_at=dt.datetime(2025, 2, 5, tzinfo=dt.UTC))  # fmt: skip
    TestOfChange.objects.create(organization=org, community=community, author=world.member,
                                title="T", change_idea="C",
                                created_at=dt.datetime(2025, 3, 15, tzinfo=dt.UTC))  # fmt: skip
    FieldNote.objects.create(organization=org, community=community, author=world.steward,
                             title="N", body="B",
                             created_at=dt.datetime(2025, 3, 18, tzinfo=dt.UTC))  # fmt: skip


def test_vitality_counts_the_rhythm_of_learning(world):
    with scope(organization=world.org_a):
        _build(world)
        report = vitality.community_vitality(community=world.community_a, now=NOW)
    months = {m.label: m for m in report.months}
    assert len(report.months) == 12 and report.months[-1].label == "2025-03"
    assert (months["2025-01"].planned, months["2025-01"].held) == (1, 1)
    assert (months["2025-02"].held, months["2025-02"].cancelled) == (0, 1)
    assert months["2025-03"].attendances == 2
    assert months["2025-02"].posts == 1 and months["2025-02"].active_members == 1
    assert months["2025-03"].tests == 1 and months["2025-03"].notes == 1
    assert months["2025-03"].active_members == 2  # member and steward (attended, wrote)
    assert report.days_since_activity == 2  # the field note on 18 March
    assert report.status == "active"


def test_vitality_says_when_a_cop_is_dormant(world):
    with scope(organization=world.org_a):
        _build(world)
        later = NOW + dt.timedelta(days=200)
        report = vitality.community_vitality(community=world.community_a, now=later)
    assert report.status == "dormant"
    assert "Dormant" in report.status_text


def test_vitality_page_and_api(world, client_for):
    with scope(organization=world.org_a):
        _build(world)
    kw = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    page = client_for(world.sponsor).get(reverse("dashboards:dashboard_vitality", kwargs=kw))
    assert page.status_code == 200
    assert "Status:" in page.content.decode()
    data = client_for(world.member).get(reverse("api_dashboards:dashboard_vitality", kwargs=kw))
    assert data.json()["months"][-1]["month"] == timezone.localdate().strftime("%Y-%m")
