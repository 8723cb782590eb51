"""Monthly progress ratings (IHI Assessment Scale): the service's rules (who may rate,
which month, which levels, one rating per kind that is revised), the pages by persona,
tenancy, the gap and the distribution, and the query counts of the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from copcore.models import AuditEvent
from copcore.permissions import CommunityRole
from copcore.testing import UserFactory, give_role, steady_query_count
from evaluation import services
from evaluation.models import ProgressRating
from evaluation.selectors import progress as sel
from measurement.models import Site, SiteEnrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(world):
    """Sepsis CoP with two enrolled sites; the member leads General Hospital's team and
    a facilitator is faculty."""
    facilitator = UserFactory.create(email="fac@a.example", display_name="Fay Faculty")
    from copcore.testing import add_member

    add_member(world.org_a, facilitator)
    give_role(world.community_a, facilitator, CommunityRole.FACILITATOR)
    today = timezone.localdate()
    with scope(organization=world.org_a):
        second = Site.objects.create(organization=world.org_a, name="District Clinic", code="DC")
        for site in (world.site_a, second):
            SiteEnrolment.objects.create(
                organization=world.org_a,
                community=world.community_a,
                site=site,
                enrolled_on=today - dt.timedelta(days=400),
            )
        services.site_team_lead_set(
            actor=world.convener,
            community=world.community_a,
            site=world.site_a,
            team_lead=world.member,
        )
    world.facilitator = facilitator
    world.site_c = second
    return world


def _rate(world, actor, kind, score, *, site=None, faculty=False, note=""):
    with scope(organization=world.org_a):
        return services.progress_rate(
            actor=actor,
            community=world.community_a,
            site=site or world.site_a,
            kind=kind,
            score=score,
            note=note,
            may_rate_as_faculty=faculty,
        )


def _url(world, name, **kw):
    return reverse(
        f"evaluation:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kw},
    )


def test_team_lead_rates_and_revises_the_month(teams):
    first = _rate(teams, teams.member, "self", "2.0", note="Baseline collected")
    again = _rate(teams, teams.member, "self", Decimal("2.5"), note="First PDSA ran")
    assert first.pk == again.pk
    with scope(organization=teams.org_a):
        rating = ProgressRating.objects.get(pk=first.pk)
        assert rating.score == Decimal("2.5")
        assert rating.month == timezone.localdate().replace(day=1)
        assert rating.history.count() == 2
        verbs = list(
            AuditEvent.objects.filter(
                organization=teams.org_a, verb__startswith="evaluation.progress"
            )
            .order_by("id")
            .values_list("verb", flat=True)
        )
    assert verbs == ["evaluation.progress_rated", "evaluation.progress_revised"]
    assert rating.level_label == "2.5 Changes tested but no improvement"


def test_only_the_team_lead_self_rates_and_only_faculty_rate_as_faculty(teams):
    with pytest.raises(PermissionDenied):
        _rate(teams, teams.steward, "self", "2.0")
    with pytest.raises(PermissionDenied):  # the member leads GH, not the clinic
        _rate(teams, teams.member, "self", "2.0", site=teams.site_c)
    with pytest.raises(PermissionDenied):
        _rate(teams, teams.member, "faculty", "2.0")
    assert _rate(teams, teams.facilitator, "faculty", "3.0", faculty=True).kind == "faculty"


def test_scale_month_and_enrolment_are_checked(teams):
    for bad in ("0.5", "2.2", "5.5", "x"):
        with pytest.raises(ValidationError) as error:
            _rate(teams, teams.member, "self", bad)
        assert "score" in error.value.message_dict
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    with scope(organization=teams.org_a), pytest.raises(ValidationError) as error:
        services.progress_rate(
            actor=teams.member,
            community=teams.community_a,
            site=teams.site_a,
            kind="self",
            score="2.0",
            may_rate_as_faculty=False,
            month=last_month,
        )
    assert "month" in error.value.message_dict
    with scope(organization=teams.org_a):
        other = Site.objects.create(organization=teams.org_a, name="Not enrolled", code="NE")
    with pytest.raises(ValidationError):
        _rate(teams, teams.convener, "faculty", "2.0", site=other, faculty=True)


def test_gap_and_distribution(teams):
    _rate(teams, teams.member, "self", "3.5")
    _rate(teams, teams.facilitator, "faculty", "2.5", faculty=True)
    _rate(teams, teams.facilitator, "faculty", "2.5", site=teams.site_c, faculty=True)
    month = timezone.localdate().replace(day=1)
    with scope(organization=teams.org_a):
        rows = {r.site.code: r for r in sel.month_table(community=teams.community_a, month=month)}
        dist = sel.distribution(community=teams.community_a, months=[month])
    assert rows["GH"].cell.gap == Decimal("-1.0")
    assert rows["DC"].cell.gap is None
    # The faculty's rating counts where there is one: both sites stand at 2.5.
    assert dist[0].counts == {Decimal("2.5"): 2}
    assert (dist[0].rated, dist[0].sites) == (2, 2)


def test_rate_page_saves_and_keeps_what_was_typed(teams, client_for):
    client = client_for(teams.member)
    url = _url(teams, "progress_rate", site_id=teams.site_a.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert "2.0 Activity but no changes" in page.content.decode()
    bad = client.post(url, {"kind": "self", "note": "We met twice"})
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "Choose a level of the scale." in body and "We met twice" in body
    done = client.post(url, {"kind": "self", "score": "2.0", "note": "We met twice"})
    assert done.status_code == 302
    site_page = client.get(_url(teams, "progress_site", site_id=teams.site_a.pk)).content.decode()
    assert "2.0 Activity but no changes" in site_page and "We met twice" in site_page
    assert "<svg" in site_page


def test_personas_on_the_pages(teams, client_for):
    _rate(teams, teams.member, "self", "2.0")
    rate = _url(teams, "progress_rate", site_id=teams.site_a.pk)
    # The sponsor reads, never rates; a steward who leads no team cannot rate either.
    sponsor = client_for(teams.sponsor)
    assert sponsor.get(_url(teams, "progress")).status_code == 200
    assert sponsor.get(_url(teams, "progress_site", site_id=teams.site_a.pk)).status_code == 200
    assert sponsor.get(rate).status_code == 403
    assert sponsor.post(rate, {"kind": "self", "score": "5.0"}).status_code == 403
    assert client_for(teams.steward).get(rate).status_code == 403
    assert client_for(teams.member).get(rate + "?kind=faculty").status_code == 403
    assert sponsor.get(_url(teams, "progress_team_leads")).status_code == 403
    # Faculty may give both kinds only where they lead; the facilitator gives faculty.
    fac = client_for(teams.facilitator)
    assert fac.post(rate, {"kind": "faculty", "score": "3.0"}).status_code == 302
    # A site of another organization or not enrolled answers 404.
    assert fac.get(_url(teams, "progress_site", site_id=teams.site_b.pk)).status_code == 404
    outsider = client_for(teams.outsider)
    for url in (_url(teams, "progress"), rate, _url(teams, "progress_team_leads")):
        assert outsider.get(url).status_code == 404, url


def test_team_leads_page_names_a_member(teams, client_for):
    client = client_for(teams.convener)
    url = _url(teams, "progress_team_leads")
    response = client.post(
        url, {f"site_{teams.site_a.pk}": "", f"site_{teams.site_c.pk}": str(teams.member.pk)}
    )
    assert response.status_code == 302
    with scope(organization=teams.org_a):
        leads = dict(
            SiteEnrolment.objects.filter(community=teams.community_a).values_list(
                "site__code", "team_lead_id"
            )
        )
    assert leads == {"GH": None, "DC": teams.member.pk}


def test_progress_page_query_count_does_not_grow_with_sites(teams, client_for):
    client = client_for(teams.sponsor)
    url = _url(teams, "progress")
    _rate(teams, teams.member, "self", "2.0")
    before = steady_query_count(client, url)
    with scope(organization=teams.org_a):
        for i in range(5):
            site = Site.objects.create(organization=teams.org_a, name=f"Extra {i}", code=f"X{i}")
            SiteEnrolment.objects.create(
                organization=teams.org_a,
                community=teams.community_a,
                site=site,
                enrolled_on=timezone.localdate(),
            )
            _rate(teams, teams.convener, "faculty", "3.0", site=site, faculty=True)
    assert steady_query_count(client, url) == before
