"""Digest composition: sections per CoP, per person, in their language and time zone,
titles-only, opt-outs, nothing new = no email, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from communities.models import CommunityRoleAssignment
from copcore.permissions import CommunityRole
from copcore.testing import UserFactory, give_role
from notifications.digest import compose_digests
from notifications.models import CommunityOptOut, NotificationPreference
from notifications.tests.helpers import make_content

pytestmark = pytest.mark.django_db


def by_user(composed):
    return {c.user_id: c for c in composed}


def test_member_digest_has_every_section_with_content(world):
    content = make_content(world)
    digests = by_user(compose_digests([world.member.pk]))
    digest = digests[world.member.pk]
    assert digest.kind == "digest"
    assert set(digest.sections) >= {"knowledge", "tests_of_change", "sessions", "action_items"}
    assert "data_due" not in digest.sections  # only for data stewards
    assert "Sepsis CoP" in digest.text and "Sepsis CoP" in digest.html
    assert content["asset"].title in digest.html
    assert "Lactate at triage" in digest.text
    assert "Did not work as predicted" in digest.text  # failures reported too
    assert "Monthly learning session" in digest.text
    assert "Share the screening audit" in digest.text and "Overdue" in digest.text
    assert "threads" in digest.sections
    assert "Who screens at night?" in digest.text
    assert "We chose qSOFA" in digest.text  # closed with its summary
    assert "join_requests" not in digest.sections  # conveners only
    # links into the platform
    assert f"http://testserver/o/network-a/knowledge/assets/{content['asset'].pk}/" in (
        digest.text.replace("http://127.0.0.1:8000", "http://testserver")
    )


def test_steward_sees_data_due_and_convener_sees_role_terms(world):
    make_content(world)
    today = timezone.localdate()
    with scope(organization=world.org_a):
        CommunityRoleAssignment.objects.filter(user=world.member).update(
            ends_on=today + dt.timedelta(days=10)
        )
    digests = by_user(compose_digests([world.steward.pk, world.convener.pk, world.sponsor.pk]))
    assert "data_due" in digests[world.steward.pk].sections
    assert "General Hospital" in digests[world.steward.pk].text
    assert "role_terms" in digests[world.convener.pk].sections
    assert "Manu Member" in digests[world.convener.pk].text
    assert "role_terms" not in digests[world.steward.pk].sections
    assert "join_requests" in digests[world.convener.pk].sections
    assert "Ana Applicant" in digests[world.convener.pk].text
    assert "threads" not in digests[world.sponsor.pk].sections  # no access to discussions


def test_convener_sees_the_curation_queue(world):
    from knowledge.models import FieldNote, NoteStatus

    make_content(world)
    with scope(organization=world.org_a):
        FieldNote.objects.create(
            organization=world.org_a,
            community=world.community_a,
            author=world.member,
            title="Waiting note",
            body="For curation",
            status=NoteStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
    digests = by_user(compose_digests([world.convener.pk, world.member.pk]))
    assert "curation_queue" in digests[world.convener.pk].sections
    assert "Field notes: 1" in digests[world.convener.pk].text
    assert "curation_queue" not in digests[world.member.pk].sections


def test_nothing_new_means_no_email(world):
    assert compose_digests([world.member.pk, world.outsider.pk]) == []


def test_titles_only_leaves_content_out(world):
    make_content(world)
    NotificationPreference.objects.create(user=world.member, include_content=False)
    digest = by_user(compose_digests([world.member.pk]))[world.member.pk]
    assert "Sepsis screening checklist" in digest.text
    assert "triage nurses" not in digest.text and "triage nurses" not in digest.html
    assert "lab could not keep up" not in digest.text


def test_opted_out_community_is_left_out(world):
    make_content(world)
    with scope(organization=world.org_a):
        CommunityOptOut.objects.create(
            organization=world.org_a, community=world.community_a, user=world.member
        )
    assert compose_digests([world.member.pk]) == []


def test_one_email_across_communities_and_organizations(world):
    make_content(world)
    from copcore.testing import add_member

    add_member(world.org_b, world.member)  # a second organization
    give_role(world.community_b, world.member, CommunityRole.MEMBER)
    with scope(organization=world.org_b):
        from knowledge.models import Asset, AssetStatus

        Asset.objects.create(
            organization=world.org_b,
            community=world.community_b,
            kind=Asset.Kind.TOOLKIT,
            title="Postpartum haemorrhage toolkit",
            owner=world.outsider,
            status=AssetStatus.PUBLISHED,
            published_at=timezone.now(),
        )
    digests = compose_digests([world.member.pk])
    assert len(digests) == 1
    assert "Sepsis CoP" in digests[0].text and "Postpartum CoP" in digests[0].text
    # the outsider (org B only) never sees org A's content
    outsider = by_user(compose_digests([world.outsider.pk])).get(world.outsider.pk)
    assert outsider is None or "Sepsis" not in outsider.text


def test_language_and_time_zone_of_the_reader(world):
    content = make_content(world)
    world.member.language = "es"
    world.member.time_zone = "America/Lima"
    world.member.save()
    digest = by_user(compose_digests([world.member.pk]))[world.member.pk]
    assert 'lang="es"' in digest.html
    lima = content["session"].starts_at.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert lima.strftime("%H:%M") in digest.text


def _people(world, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        person = UserFactory()
        from copcore.testing import add_member

        add_member(world.org_a, person)
        give_role(world.community_a, person, CommunityRole.MEMBER)
        ids.append(person.pk)
    return ids


def test_fixed_number_of_queries_whatever_the_batch_size(world):
    make_content(world)
    give_role(world.community_a, world.convener, CommunityRole.DATA_STEWARD)
    base = [world.member.pk, world.steward.pk, world.convener.pk, world.sponsor.pk]
    small = base + _people(world, 1)
    large = base + _people(world, 46)
    with CaptureQueriesContext(connection) as five:
        composed_small = compose_digests(small)
    with CaptureQueriesContext(connection) as fifty:
        composed_large = compose_digests(large)
    assert len(small) == 5 and len(large) == 50
    assert len(composed_small) == 5 and len(composed_large) == 50
    assert len(five.captured_queries) == len(fifty.captured_queries)
    # One query per section for the whole batch (the progress ratings due added one).
    assert len(five.captured_queries) <= 21


def test_open_surveys_wait_for_members_who_have_not_answered(world):
    from evaluation import services as evaluation

    with scope(organization=world.org_a):
        survey = evaluation.survey_create(
            actor=world.convener,
            community=world.community_a,
            title="Quarterly pulse",
            purpose="periodic",
        )
        evaluation.question_add(actor=world.convener, survey=survey, kind="text", text="Ideas?")
        evaluation.survey_open(actor=world.convener, survey=survey)
    digests = by_user(compose_digests([world.member.pk, world.sponsor.pk]))
    member = digests[world.member.pk]
    assert "evaluation" in member.sections and "Quarterly pulse" in member.text
    sponsor = digests.get(world.sponsor.pk)
    assert sponsor is None or "evaluation" not in sponsor.sections  # sponsors do not answer


HOSTILE_TITLE = "Note <img src=x onerror=alert(1)>"


def test_the_digest_says_since_when_in_the_readers_language(world):
    """The opening sentence carries the start of the period, formatted in the reader's
    language and time zone (it read "…since ." with the date missing)."""
    from django.utils import translation
    from django.utils.formats import date_format

    from notifications.schedule import period_for

    # The test clock's now (the personas' roles start by it, so a fixed date in 2026
    # would fall before them when the whole run is moved a year ahead).
    now = timezone.now()
    make_content(world, now=now)
    world.member.language = "es"
    world.member.time_zone = "America/Lima"
    world.member.save()
    digest = by_user(compose_digests([world.member.pk], now=now))[world.member.pk]
    since = period_for(world.member, None, now).since  # the Monday before, 07:00 in Lima
    with translation.override("es"):
        expected = date_format(since.date(), "DATE_FORMAT")
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"]  # fmt: skip
    local = since.date()
    assert expected == f"{local.day} de {months[local.month - 1]} de {local.year}"
    assert f"{expected}." in digest.text and f"{expected}." in digest.html


def test_digest_text_is_plain_and_the_preview_escapes_it(world, client_for):
    content = make_content(world)
    with scope(organization=world.org_a):
        content["note"].title = HOSTILE_TITLE
        content["note"].body = "**Read** <script>alert(1)</script> the [link](javascript:x)"
        content["note"].save()
    digest = by_user(compose_digests([world.member.pk]))[world.member.pk]
    from django.utils.safestring import SafeData

    assert not isinstance(digest.text, SafeData)
    assert HOSTILE_TITLE in digest.text  # the title, as the plain text it is
    assert "Read" in digest.text and "**" not in digest.text and "<script" not in digest.text
    assert "<img src=x" not in digest.html and "&lt;img src=x onerror=alert(1)&gt;" in digest.html
    page = client_for(world.member).get(f"/o/{world.org_a.slug}/notifications/digest/")
    html = page.content.decode()
    assert "<img src=x" not in html
    assert "Note &lt;img src=x onerror=alert(1)&gt;" in html
