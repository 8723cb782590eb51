"""The survey builder, answering, results with small groups withheld, and anonymity:
no page, export, API answer or database join links an anonymous answer to a person."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.urls import reverse
from django_scopes import scope

from communities.models import ExpectedResult
from copcore.models import AuditEvent
from copcore.testing import steady_query_count
from evaluation import selectors, services
from evaluation.models import Answer, Question, Response, Survey, SurveyRespondent
from evaluation.tests.helpers import enrol, members

pytestmark = pytest.mark.django_db


def build_survey(world, *, anonymous=True, purpose="periodic"):
    with scope(organization=world.org_a):
        enrol(world)
        result = ExpectedResult.objects.create(
            organization=world.org_a,
            community=world.community_a,
            position=1,
            description="Screening within one hour for 90% of patients",
        )
        survey = services.survey_create(
            actor=world.convener,
            community=world.community_a,
            title="Quarterly check",
            purpose=purpose,
            anonymous=anonymous,
        )
        useful = services.question_add(
            actor=world.convener,
            survey=survey,
            kind="single",
            text="Is the CoP useful to you?",
            options=["Yes", "Partly", "No"],
            required=True,
            expected_result=result,
        )
        helped = services.question_add(
            actor=world.convener,
            survey=survey,
            kind="multiple",
            text="What helped?",
            options=["Sessions", "Data", "Peers"],
        )
        scale = services.question_add(
            actor=world.convener,
            survey=survey,
            kind="scale",
            text="How satisfied are you?",
            scale_min=1,
            scale_max=5,
        )
        comment = services.question_add(
            actor=world.convener, survey=survey, kind="text", text="Anything else?"
        )
        services.survey_open(actor=world.convener, survey=survey)
    return survey, (useful, helped, scale, comment)


def answer(world, survey, questions, person, i=0):
    useful, helped, scale, comment = questions
    with scope(organization=world.org_a):
        services.survey_respond(
            actor=person,
            survey=survey,
            site=world.site_a,
            answers={
                useful.pk: ["Yes", "Partly"][i % 2],
                helped.pk: ["Sessions", "Peers"],
                scale.pk: 4 + i % 2,
                comment.pk: f"secret remark {i}",
            },
        )


def test_builder_validates_questions(scope_a):
    world = scope_a
    survey = services.survey_create(
        actor=world.convener, community=world.community_a, title="S", purpose="periodic"
    )
    with pytest.raises(ValidationError) as error:
        services.question_add(
            actor=world.convener, survey=survey, kind="single", text="Q", options=["One"]
        )
    assert "options" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.question_add(
            actor=world.convener, survey=survey, kind="scale", text="Q", scale_min=5, scale_max=1
        )
    with pytest.raises(ValidationError):  # nothing to answer yet
        services.survey_open(actor=world.convener, survey=survey)
    services.question_add(actor=world.convener, survey=survey, kind="text", text="Q")
    services.survey_open(actor=world.convener, survey=survey)
    with pytest.raises(ValidationError):  # frozen once open
        services.question_add(actor=world.convener, survey=survey, kind="text", text="Q2")


def test_answers_are_checked_and_given_once(world):
    survey, (useful, helped, scale, comment) = build_survey(world)
    with scope(organization=world.org_a):
        with pytest.raises(ValidationError) as error:
            services.survey_respond(actor=world.member, survey=survey, answers={scale.pk: 9})
        assert f"q{useful.pk}" in error.value.message_dict  # required
        assert f"q{scale.pk}" in error.value.message_dict  # out of range
        with pytest.raises(ValidationError):
            services.survey_respond(actor=world.member, survey=survey, answers={useful.pk: "Maybe"})
        services.survey_respond(actor=world.member, survey=survey, answers={useful.pk: "Yes"})
        with pytest.raises(ValidationError):
            services.survey_respond(actor=world.member, survey=survey, answers={useful.pk: "No"})
        assert SurveyRespondent.objects.filter(survey=survey).count() == 1
        assert Response.objects.filter(survey=survey).count() == 1


def test_anonymous_answers_cannot_be_linked_to_people(world, client_for):
    survey, questions = build_survey(world, anonymous=True)
    people = members(world, 9)
    for i, person in enumerate(people):
        answer(world, survey, questions, person, i)
    target = people[3]
    with scope(organization=world.org_a):
        # Database: the answer rows carry no person and no time, and nothing joins them
        # to the record of who answered.
        assert not Response.objects.filter(survey=survey, respondent__isnull=False).exists()
        for model in (Response, Answer):
            for f in model._meta.get_fields():
                assert not isinstance(f, models.DateField | models.DateTimeField), f
                if f.is_relation and f.related_model is not None:
                    assert f.related_model is not SurveyRespondent, f
        assert isinstance(Response._meta.pk, models.UUIDField)  # no insertion order
        assert isinstance(Answer._meta.pk, models.UUIDField)
        respondent_fields = {f.name for f in SurveyRespondent._meta.get_fields()}
        assert respondent_fields == {"id", "organization", "survey", "user", "responded_on"}
        assert isinstance(SurveyRespondent._meta.get_field("responded_on"), models.DateField)
        assert not isinstance(
            SurveyRespondent._meta.get_field("responded_on"), models.DateTimeField
        )
        # The audit trail says who answered, never which response is theirs.
        events = AuditEvent.objects.filter(verb="evaluation.survey_answered", actor=target)
        assert events.count() == 1
        assert events[0].data == {} and events[0].target_id == str(survey.pk)
        response_ids = {str(pk) for pk in Response.objects.values_list("pk", flat=True)}
        assert not any(
            rid in str(e.data) or rid == e.target_id
            for e in AuditEvent.objects.all()
            for rid in response_ids
        )
    # Pages, the CSV export and the API show aggregates only, without names.
    client = client_for(world.convener)
    kwargs = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    pages = [
        reverse("evaluation:survey", kwargs={**kwargs, "survey_id": survey.pk}),
        reverse("evaluation:survey_results", kwargs={**kwargs, "survey_id": survey.pk}),
        reverse("evaluation:survey_export", kwargs={**kwargs, "survey_id": survey.pk}),
    ]
    base = f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}/evaluation"
    apis = [
        f"{base}/surveys/{survey.pk}/",
        f"{base}/surveys/{survey.pk}/results/",
        f"{base}/surveys/",
    ]
    for url in pages + apis:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for person in people:
            assert person.email not in body and person.display_name not in body, url
    results = client.get(pages[1]).content.decode()
    assert "secret remark 3" in results  # free text is shown (9 responses), unattributed
    with scope(organization=world.org_a):
        texts = selectors.survey_results(survey=survey).overall.questions[3].texts
    assert texts == sorted(texts)  # alphabetical, never in the order given


def test_named_survey_keeps_the_person(world):
    survey, questions = build_survey(world, anonymous=False)
    answer(world, survey, questions, world.member)
    with scope(organization=world.org_a):
        assert Response.objects.get(survey=survey).respondent == world.member


def test_small_groups_are_withheld(world, client_for):
    survey, questions = build_survey(world)
    for i, person in enumerate(members(world, 3)):
        answer(world, survey, questions, person, i)
    with scope(organization=world.org_a):
        results = selectors.survey_results(survey=survey)
    assert results.overall.suppressed and results.overall.shown_responses == "*"
    assert all(q.suppressed and not q.options and not q.texts for q in results.overall.questions)
    html = (
        client_for(world.convener)
        .get(
            reverse(
                "evaluation:survey_results",
                kwargs={
                    "org_slug": world.org_a.slug,
                    "community_slug": world.community_a.slug,
                    "survey_id": survey.pk,
                },
            )
        )
        .content.decode()
    )
    assert "secret remark" not in html and "Withheld" in html


def test_results_by_expected_result_and_disclosed_counts(world):
    survey, questions = build_survey(world)
    for i, person in enumerate(members(world, 10)):
        answer(world, survey, questions, person, i)
    with scope(organization=world.org_a):
        results = selectors.survey_results(survey=survey)
    overall = results.overall
    assert not overall.suppressed and overall.shown_responses == "10"
    useful = overall.questions[0]
    # 5 "Yes", 5 "Partly", 0 "No": small counts are hidden by the default rule.
    assert dict(useful.options) == {"Yes": "*", "Partly": "*", "No": "0"}
    assert overall.questions[2].mean == 4.5
    [(label, items)] = results.by_expected_result
    assert "Screening within one hour" in label and items[0].question == questions[0]
    [site_group] = results.by_site
    assert site_group.label == world.site_a.name and site_group.shown_responses == "10"


def test_results_query_count_is_fixed(world, client_for, django_assert_num_queries):
    survey, questions = build_survey(world)
    people = members(world, 16)
    for i, person in enumerate(people[:8]):
        answer(world, survey, questions, person, i)
    client = client_for(world.convener)
    url = reverse(
        "evaluation:survey_results",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "survey_id": survey.pk,
        },
    )
    first = steady_query_count(client, url)
    for i, person in enumerate(people[8:]):
        answer(world, survey, questions, person, i)
    with django_assert_num_queries(first):
        assert client.get(url).status_code == 200


def test_respond_page_keeps_input_and_records(world, client_for):
    survey, (useful, helped, scale, comment) = build_survey(world)
    client = client_for(world.member)
    url = reverse(
        "evaluation:survey_respond",
        kwargs={
            "org_slug": world.org_a.slug,
            "community_slug": world.community_a.slug,
            "survey_id": survey.pk,
        },
    )
    page = client.get(url).content.decode()
    assert "cannot be linked to you" in page and "Is the CoP useful to you?" in page
    response = client.post(url, {f"q{comment.pk}": "typed text"})  # required question missing
    assert response.status_code == 200 and "typed text" in response.content.decode()
    response = client.post(
        url, {"site": world.site_a.pk, f"q{useful.pk}": "No", f"q{scale.pk}": "2"}
    )
    assert response.status_code == 302
    with scope(organization=world.org_a):
        assert SurveyRespondent.objects.filter(survey=survey, user=world.member).exists()
        assert Answer.objects.filter(response__survey=survey).count() == 2
    api = client.post(
        f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}/evaluation/surveys/{survey.pk}/responses/",
        {"answers": {str(useful.pk): "Yes"}},
        content_type="application/json",
    )
    assert api.status_code == 400  # already answered


def test_api_answers_and_builder_through_pages(world, client_for):
    client = client_for(world.convener)
    kwargs = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    response = client.post(
        reverse("evaluation:surveys", kwargs=kwargs),
        {"title": "Final survey", "purpose": "final", "anonymous": "on", "asks_site": "on"},
    )
    assert response.status_code == 302
    with scope(organization=world.org_a):
        survey = Survey.objects.get(title="Final survey")
    url = reverse("evaluation:survey", kwargs={**kwargs, "survey_id": survey.pk})
    response = client.post(url, {"kind": "single", "text": "Worth it?", "options": "Yes\nNo"})
    assert response.status_code == 302
    bad = client.post(url, {"kind": "single", "text": "Only one", "options": "Yes"})
    assert bad.status_code == 200 and "at least two options" in bad.content.decode()
    client.post(
        reverse("evaluation:survey_status", kwargs={**kwargs, "survey_id": survey.pk}),
        {"action": "open", "confirmed": "1"},
    )
    with scope(organization=world.org_a):
        question = Question.objects.get(survey=survey)
        survey.refresh_from_db()
    assert survey.status == "open"
    member = client_for(world.member)
    api = member.post(
        f"/api/v1/o/{world.org_a.slug}/communities/{world.community_a.slug}/evaluation/surveys/{survey.pk}/responses/",
        {"answers": {str(question.pk): "Yes"}},
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json() == {"status": "recorded"}


def test_answers_stop_after_the_closing_date(scope_a):
    import datetime as dt

    import time_machine

    world = scope_a
    opened = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(opened, tick=False):
        survey = services.survey_create(
            actor=world.convener,
            community=world.community_a,
            title="Late",
            purpose="periodic",
            closes_on=dt.date(2026, 4, 7),
        )
        question = services.question_add(actor=world.convener, survey=survey, kind="text", text="?")
        services.survey_open(actor=world.convener, survey=survey)
    with (
        time_machine.travel(opened + dt.timedelta(days=7), tick=False),
        pytest.raises(ValidationError, match="closed on"),
    ):
        services.survey_respond(actor=world.member, survey=survey, answers={question.pk: "x"})


@pytest.mark.django_db(transaction=True)
def test_row_stamps_do_not_single_out_an_anonymous_answer(world):
    """A database join on PostgreSQL's ``xmin`` (the writing transaction) finds, for
    each person who answered, either every response of the survey or none."""
    survey, questions = build_survey(world, anonymous=True)
    for i, person in enumerate(members(world, 4, prefix="x")):
        answer(world, survey, questions, person, i)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text FROM evaluation_surveyrespondent WHERE survey_id = %s",
            [survey.pk],
        )
        respondent_stamps = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT xmin::text FROM evaluation_response WHERE survey_id = %s", [survey.pk]
        )
        response_stamps = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT DISTINCT a.xmin::text FROM evaluation_answer a "
            "JOIN evaluation_response r ON r.id = a.response_id WHERE r.survey_id = %s",
            [survey.pk],
        )
        answer_stamps = {row[0] for row in cursor.fetchall()}
    assert len(respondent_stamps) == len(response_stamps) == 4
    assert len(set(response_stamps)) == 1 and len(answer_stamps) == 1
    for stamp in respondent_stamps:
        matching = sum(1 for s in response_stamps if s == stamp)
        assert matching in (0, len(response_stamps))
