"""The portfolio: who may open it (org admins and sponsors, 403 for other members, 404
for another organization), that each sees only the CoPs they may see, its figures
(phase, progress scores and their change, overdue items, escalations, completeness),
filters and sorting, the CSV/XLSX downloads (formula-safe) and a steady query count."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from copcore.permissions import CommunityRole
from copcore.testing import give_role, make_community, steady_query_count
from evaluation import services as evaluation
from evaluation.models import ProgressRating
from measurement.models import Site, SiteEnrolment
from sessions.models import ActionItem, Session

pytestmark = pytest.mark.django_db


def _late_item(world, community, days_late=3):
    """An open action item past its due date (with the session it was agreed in)."""
    now = timezone.now()
    session = Session.objects.create(
        organization=world.org_a,
        community=community,
        title="Learning session",
        kind="all_hands",
        starts_at=now - dt.timedelta(days=10),
        ends_at=now - dt.timedelta(days=10, hours=-1),
        time_zone="UTC",
    )
    ActionItem.objects.create(
        organization=world.org_a,
        community=community,
        session=session,
        owner=world.member,
        description="Late item",
        due_on=timezone.localdate() - dt.timedelta(days=days_late),
    )


def _url(world, **params):
    url = reverse("dashboards:portfolio", kwargs={"org_slug": world.org_a.slug})
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


@pytest.fixture
def network(world):
    """Two more CoPs in organization A: one the sponsor does not sponsor (hidden from
    them), one in design with a topic; ratings in the sepsis CoP for two months."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    hidden = make_community(world.org_a, world.convener, "=HYPERLINK(1) Hidden CoP", "hidden")
    other = make_community(world.org_a, world.convener, "Alcohol CoP", "alcohol")
    with scope(organization=world.org_a):
        world.community_a.topic = "Sepsis"
        world.community_a.save(update_fields=["topic"])
        other.topic = "Alcohol"
        other.save(update_fields=["topic"])
        second = Site.objects.create(organization=world.org_a, name="Clinic", code="CL")
        for site in (world.site_a, second):
            SiteEnrolment.objects.create(
                organization=world.org_a,
                community=world.community_a,
                site=site,
                enrolled_on=today - dt.timedelta(days=200),
            )
        # Last month (written directly: the service only rates the current month).
        for site, score in ((world.site_a, "2.0"), (second, "2.0")):
            ProgressRating.objects.create(
                organization=world.org_a,
                community=world.community_a,
                site=site,
                month=last_month,
                kind="faculty",
                score=score,
            )
        for site, score in ((world.site_a, "3.0"), (second, "2.5")):
            evaluation.progress_rate(
                actor=world.convener,
                community=world.community_a,
                site=site,
                kind="faculty",
                score=score,
                may_rate_as_faculty=True,
            )
        _late_item(world, world.community_a)
    give_role(other, world.sponsor, CommunityRole.SPONSOR)
    world.hidden, world.other = hidden, other
    return world


def test_who_may_open_it(network, client_for):
    assert client_for(network.convener).get(_url(network)).status_code == 200  # org admin
    assert client_for(network.sponsor).get(_url(network)).status_code == 200
    assert client_for(network.member).get(_url(network)).status_code == 403
    assert client_for(network.outsider).get(_url(network)).status_code == 404


def test_each_sees_only_the_cops_they_may_see(network, client_for):
    admin = client_for(network.convener).get(_url(network)).content.decode()
    assert "Hidden CoP" in admin and "Sepsis CoP" in admin and "Alcohol CoP" in admin
    sponsor = client_for(network.sponsor).get(_url(network)).content.decode()
    assert "Sepsis CoP" in sponsor and "Alcohol CoP" in sponsor
    assert "Hidden CoP" not in sponsor


def test_figures_of_a_cop(network, client_for):
    from dashboards.selectors.portfolio import portfolio

    with scope(organization=network.org_a):
        rows = {
            r.community.slug: r
            for r in portfolio(user=network.convener, organization=network.org_a, org_role="admin")
        }
    sepsis = rows["sepsis"]
    assert str(sepsis.progress_median) == "2.75" and str(sepsis.progress_median_before) == "2.0"
    assert str(sepsis.progress_change) == "0.75"
    assert sepsis.progress_rated == 2 and sepsis.sites == 2
    assert sepsis.overdue_actions == 1 and sepsis.open_escalations == 0
    assert sepsis.phase_label and sepsis.months_in_phase == 0
    body = client_for(network.convener).get(_url(network)).content.decode()
    assert "Up 0.75 since last month" in body
    assert "Median 2.75 (2 of 2 teams)" in body


def test_filter_and_sort(network, client_for):
    client = client_for(network.convener)
    body = client.get(_url(network, topic="Alcohol")).content.decode()
    assert "Alcohol CoP" in body and "Sepsis CoP" not in body
    body = client.get(_url(network, phase="conclusion")).content.decode()
    assert "No community matches these filters." in body
    body = client.get(_url(network, sort="overdue")).content.decode()
    assert body.index("Sepsis CoP") < body.index("Alcohol CoP")


def test_downloads_are_formula_safe(network, client_for):
    client = client_for(network.convener)
    csv = client.get(_url(network, format="csv"))
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode()
    assert "'=HYPERLINK(1) Hidden CoP" in text and "Sepsis CoP" in text
    xlsx = client.get(_url(network, format="xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "=HYPERLINK(1) Hidden CoP" in names  # stored as text, never a formula
    cell = next(c for c in sheet["A"] if c.value == "=HYPERLINK(1) Hidden CoP")
    assert cell.data_type == "s"


def test_query_count_does_not_grow_with_cops(network, client_for):
    client = client_for(network.convener)
    before = steady_query_count(client, _url(network))
    for i in range(4):
        community = make_community(network.org_a, network.convener, f"Extra {i}", f"extra-{i}")
        with scope(organization=network.org_a):
            _late_item(network, community, days_late=1)
    after = steady_query_count(client, _url(network))
    assert after == before, (before, after)
