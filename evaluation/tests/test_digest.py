"""The digest section that sends open surveys to the members who have not answered."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope

from evaluation import services
from evaluation.digest import OpenSurveysProvider
from evaluation.tests.helpers import make_survey
from notifications.sections.base import Batch

pytestmark = pytest.mark.django_db


def test_open_surveys_reach_members_until_they_answer(world, django_assert_num_queries):
    with scope(organization=world.org_a):
        survey, question = make_survey(world)
        draft, _q = make_survey(world)  # drafts are not sent
        services.survey_open(actor=world.convener, survey=survey)
        services.survey_respond(actor=world.member, survey=survey, answers={question.pk: "Yes"})
    now = timezone.now()
    people = [world.member, world.steward, world.sponsor]
    batch = Batch(
        users={u.pk: u for u in people},
        now=now,
        since={u.pk: now for u in people},
        roles={
            world.member.pk: {world.community_a.pk: {"member"}},
            world.steward.pk: {world.community_a.pk: {"data_steward"}},
            world.sponsor.pk: {world.community_a.pk: {"sponsor"}},
        },
        communities={world.community_a.pk: world.community_a},
    )
    with django_assert_num_queries(2):
        collected = OpenSurveysProvider().collect(batch)
    # The steward has not answered; the member has; the sponsor may not answer.
    assert set(collected) == {(world.steward.pk, world.community_a.pk)}
    [item] = collected[(world.steward.pk, world.community_a.pk)]
    assert item.title == survey.title and f"/surveys/{survey.pk}/respond/" in item.url
    assert draft.title == survey.title  # same title, but only one item: the open one
