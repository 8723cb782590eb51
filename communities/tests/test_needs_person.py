"""What needs the person by name on the organization home and the CoP overview: their
invitations, the charter to acknowledge, open surveys they have not answered, data the
reviewer returned, join requests and curation waiting; each card only when there is
something, each with the page where they act one click away, nothing from another
organization or from a CoP they may not see."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from communities import services as community_services
from communities.models import CharterVersion
from communities.tests.helpers import make_person
from copcore import services as core_services
from copcore.permissions import CommunityRole
from copcore.testing import give_role, make_community, steady_query_count

pytestmark = pytest.mark.django_db


def home(world, org=None) -> str:
    return reverse("org_home", kwargs={"org_slug": (org or world.org_a).slug})


def overview(world, community=None) -> str:
    community = community or world.community_a
    return reverse(
        "communities:detail",
        kwargs={"org_slug": community.organization.slug, "community_slug": community.slug},
    )


def links(html: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)}


def publish_charter(community, number: int = 1) -> CharterVersion:
    with scope(organization=community.organization):
        return CharterVersion.objects.create(
            organization=community.organization,
            community=community,
            number=number,
            purpose="Cut the time to antibiotics.",
        )


def open_survey(world, community=None, title: str = "Quarterly check"):
    from evaluation import services

    community = community or world.community_a
    actor = world.convener if community.organization == world.org_a else world.outsider
    with scope(organization=community.organization):
        survey = services.survey_create(
            actor=actor, community=community, title=title, purpose="periodic"
        )
        services.question_add(
            actor=actor, survey=survey, kind="single", text="Useful?", options=["Yes", "No"]
        )
        return services.survey_open(actor=actor, survey=survey)


def returned_rows(world):
    """Two values at site A for last month, submitted by the steward and returned."""
    from evaluation.tests.helpers import make_measure
    from measurement import services
    from measurement.models import Observation, SiteEnrolment

    with scope(organization=world.org_a):
        SiteEnrolment.objects.get_or_create(
            organization=world.org_a,
            community=world.community_a,
            site=world.site_a,
            defaults={"enrolled_on": dt.date(2024, 1, 1)},
        )
        period = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        ids = []
        for code in ("screen", "treat"):
            measure = make_measure(world, code=code)
            observation = Observation.objects.create(
                organization=world.org_a,
                measure=measure,
                site=world.site_a,
                period=period,
                numerator=3,
                denominator=4,
                status="submitted",
                entered_by=world.steward,
            )
            ids.append(observation.pk)
        services.observations_return(
            actor=world.convener,
            community=world.community_a,
            comment="Check the denominators",
            observation_ids=ids,
        )
    return period


def test_member_sees_the_charter_and_the_survey_on_both_pages(world, client_for):
    publish_charter(world.community_a)
    survey = open_survey(world)
    client = client_for(world.member)
    charter = reverse(
        "communities:charter",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )
    respond = reverse(
        "evaluation:survey_respond",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "survey_id": survey.pk,
        },
    )
    for url in (home(world), overview(world)):
        html = client.get(url).content.decode()
        assert "Charter to acknowledge" in html
        assert "Read and acknowledge version 1 of the charter" in html
        assert "Surveys to answer" in html and "Answer “Quarterly check”" in html
        assert {charter, respond} <= links(html)
    assert client.get(respond).status_code == 200  # the action is one click away


def test_cards_go_once_the_person_has_acted(world, client_for):
    version = publish_charter(world.community_a)
    survey = open_survey(world)
    from evaluation import services

    with scope(organization=world.org_a):
        community_services.charter_acknowledge(actor=world.member, version=version)
        services.survey_respond(actor=world.member, survey=survey, answers={})
    client = client_for(world.member)
    for url in (home(world), overview(world)):
        html = client.get(url).content.decode()
        assert "Charter to acknowledge" not in html
        assert "Surveys to answer" not in html


def test_a_new_charter_version_asks_again(world, client_for):
    first = publish_charter(world.community_a)
    with scope(organization=world.org_a):
        community_services.charter_acknowledge(actor=world.member, version=first)
    publish_charter(world.community_a, number=2)
    html = client_for(world.member).get(home(world)).content.decode()
    assert "Read and acknowledge version 2 of the charter" in html


def test_sponsor_is_not_asked_to_acknowledge_or_answer(world, client_for):
    publish_charter(world.community_a)
    open_survey(world)
    html = client_for(world.sponsor).get(home(world)).content.decode()
    assert "Charter to acknowledge" not in html and "Surveys to answer" not in html


def test_steward_sees_returned_rows_with_the_grid_one_click_away(world, client_for):
    period = returned_rows(world)
    client = client_for(world.steward)
    grid = reverse(
        "measurement:entry",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "site_id": world.site_a.pk,
        },
    )
    target = f"{grid}?frequency=monthly&period={period.isoformat()}"
    for url in (home(world), overview(world)):
        html = client.get(url).content.decode()
        assert "Data returned for correction" in html
        assert "2 values returned by the reviewer" in html
        assert "Correct 2 values for General Hospital" in html
        assert target in links(html)
    grid_page = client.get(target).content.decode()
    assert "Check the denominators" in grid_page or "Returned" in grid_page
    member = client_for(world.member).get(home(world)).content.decode()
    assert "Data returned for correction" not in member


def test_invited_person_sees_both_kinds_of_invitation(world, client_for):
    invitee = make_person(world, "ivy@a.example", "Ivy Invitee")
    with scope(organization=world.org_a):
        community_services.community_invitation_create(
            actor=world.convener, community=world.community_a, user=invitee
        )
    with scope(organization=world.org_b):
        core_services.invitation_create(
            actor=world.outsider, organization=world.org_b, email="IVY@a.example"
        )
    client = client_for(invitee)
    html = client.get(home(world)).content.decode()
    assert "Invitations to answer" in html
    assert "Answer the invitation to Sepsis CoP" in html
    assert "from Connie Convener" in html
    assert overview(world) in links(html)
    assert "Answer the invitation to join Network B" in html
    accept = next(href for href in links(html) if href.startswith("/invitations/"))
    page = client.get(accept)
    assert page.status_code == 200 and "Network B" in page.content.decode()
    # The CoP overview answers the CoP invitation in its own box, with the buttons.
    detail = client.get(overview(world)).content.decode()
    assert "Accept the invitation" in detail


def test_nothing_of_another_organization_or_an_unseen_cop(world, client_for):
    # Organization B: a charter, a survey and an invitation for its own people.
    publish_charter(world.community_b)
    open_survey(world, world.community_b, title="Network B survey")
    # Organization A: a CoP the member holds no role in, with its own survey.
    other = make_community(world.org_a, world.convener, "Maternity CoP", "maternity")
    publish_charter(other)
    open_survey(world, other, title="Maternity survey")
    member = client_for(world.member).get(home(world)).content.decode()
    assert "Network B survey" not in member and "Maternity survey" not in member
    assert "Postpartum" not in member
    assert "Charter to acknowledge" not in member
    outsider = client_for(world.outsider)
    assert outsider.get(home(world)).status_code == 404
    own = outsider.get(home(world, world.org_b)).content.decode()
    assert "Network B survey" in own  # the outsider holds the convener role in B
    assert "Sepsis" not in own and "Maternity survey" not in own


def test_convener_sees_join_requests_and_curation(world, client_for):
    from knowledge import services as knowledge_services

    asker = make_person(world, "kofi@a.example", "Kofi Asante")
    with scope(organization=world.org_a):
        world.community_a.call_type = "restricted"
        world.community_a.save(update_fields=["call_type"])
        community_services.join_request_create(
            actor=asker, community=world.community_a, job_title="Nurse", motivation="Learn"
        )
        asset = knowledge_services.asset_create(
            actor=world.member,
            organization=world.org_a,
            community=world.community_a,
            kind="checklist",
            title="Triage card",
            body="Screen at triage.",
            visibility="community",
        )
        knowledge_services.asset_submit(
            actor=world.member, asset=asset.__class__.objects.get(pk=asset.pk)
        )
    client = client_for(world.convener)
    queue = reverse("knowledge:curation_queue", kwargs={"org_slug": world.org_a.slug})
    requests = reverse(
        "communities:join_requests",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )
    for url in (home(world), overview(world)):
        html = client.get(url).content.decode()
        assert "1 request to join waits for a decision" in html
        assert "1 item waits for curation" in html
        assert {queue, requests} <= links(html)
    member = client_for(world.member).get(home(world)).content.decode()
    assert "Join requests to decide" not in member and "Knowledge to curate" not in member


def test_org_home_query_count_with_personal_cards_does_not_grow(world, client_for):
    """The member, in one CoP then in six, each with a charter and an open survey."""
    client = client_for(world.member)
    publish_charter(world.community_a)
    open_survey(world)
    baseline = steady_query_count(client, home(world))
    for i in range(5):
        community = make_community(world.org_a, world.convener, f"CoP {i}", f"cop-{i}")
        give_role(community, world.member, CommunityRole.MEMBER)
        publish_charter(community)
        open_survey(world, community, title=f"Survey {i}")
    html = client.get(home(world)).content.decode()
    assert html.count("Read and acknowledge version 1 of the charter") == 6
    assert steady_query_count(client, home(world)) == baseline


def test_an_archived_cop_asks_nothing_of_anyone(world, client_for):
    publish_charter(world.community_a)
    open_survey(world)
    with scope(organization=world.org_a):
        world.community_a.phase = "archived"
        world.community_a.save(update_fields=["phase"])
    html = client_for(world.member).get(home(world)).content.decode()
    assert "Charter to acknowledge" not in html and "Surveys to answer" not in html
