"""Surveys and NoMAD rounds: the list, editing, opening and closing, answering, results and
export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from evaluation import selectors, services
from evaluation.access import Access
from evaluation.forms import (
    NomadRoundForm,
    QuestionForm,
    SurveyDatesForm,
    response_form_class,
)
from evaluation.models import Survey
from evaluation.permissions import EvaluationPermission as E
from evaluation.views import new
from evaluation.views.common import _ctx, _load, _to

# --------------------------------------------------------------------------- surveys


@require_http_methods(["GET", "POST"])
def surveys(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug)
    if request.method == "POST":  # the survey form's old address
        return new.survey_create(request, access)
    listed = selectors.surveys(community=access.community)
    answered = (
        selectors.answered_survey_ids(community=access.community, user=request.user)
        if access.can_respond
        else set()
    )
    return render(
        request,
        "evaluation/surveys.html",
        _ctx(access, surveys=listed, answered=answered),
    )


@require_POST
def nomad_round_create(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    access = _load(request, community_slug, need=E.MANAGE_SURVEYS)
    form = NomadRoundForm(request.POST)
    if form.is_valid():
        try:
            survey = services.nomad_round_create(
                actor=request.user, community=access.community, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The NoMAD round has been created as a draft."))
            return _to("survey", org_slug, access, survey_id=survey.pk)
    return _to("survey_new", org_slug, access)


@require_http_methods(["GET", "POST"])
def survey(
    request: OrganizationRequest, org_slug: str, community_slug: str, survey_id: int
) -> HttpResponse:
    """The builder: a survey's questions, adding questions, opening and closing."""
    access = _load(request, community_slug)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    form = QuestionForm(request.POST or None, community=access.community)
    if request.method == "POST":
        access.require(E.MANAGE_SURVEYS)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["options"] = data["options"].splitlines()
            data["scale_min"] = data["scale_min"] if data["scale_min"] is not None else 1
            data["scale_max"] = data["scale_max"] if data["scale_max"] is not None else 5
            try:
                services.question_add(actor=request.user, survey=found, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The question has been added."))
                return _to("survey", org_slug, access, survey_id=found.pk)
    respondent_count = selectors.respondent_count(survey=found)
    return render(
        request,
        "evaluation/survey.html",
        _ctx(
            access,
            survey=found,
            questions=list(found.questions.select_related("expected_result")),
            form=form,
            respondent_count=respondent_count,
            has_responded=selectors.has_responded(survey=found, user=request.user),
            dates_form=SurveyDatesForm(initial={"closes_on": found.closes_on}),
        ),
    )


@require_POST
def question_delete(
    request: OrganizationRequest,
    org_slug: str,
    community_slug: str,
    survey_id: int,
    question_id: int,
) -> HttpResponse:
    access = _load(request, community_slug, need=E.MANAGE_SURVEYS)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    question = selectors.question_get(survey=found, question_id=question_id)
    try:
        services.question_delete(actor=request.user, question=question)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The question has been removed."))
    return _to("survey", org_slug, access, survey_id=found.pk)


@require_POST
def survey_dates(
    request: OrganizationRequest, org_slug: str, community_slug: str, survey_id: int
) -> HttpResponse:
    """Change the closing date of a draft or open survey."""
    access = _load(request, community_slug, need=E.MANAGE_SURVEYS)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    form = SurveyDatesForm(request.POST)
    if form.is_valid():
        try:
            services.survey_dates_update(
                actor=request.user, survey=found, closes_on=form.cleaned_data["closes_on"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The closing date has been saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return _to("survey", org_slug, access, survey_id=found.pk)


def _open_step(request: OrganizationRequest, access: Access, found: Survey) -> HttpResponse:
    """Opening cannot be undone (the questions are frozen once anyone may answer), so it
    asks first: the page says what will happen, and only a POST carrying
    ``confirmed=1`` opens the survey. A refusal (closing date passed) is shown on the
    same page with the way to fix it."""
    if found.status != Survey.Status.DRAFT:
        messages.info(request, _("Only a draft survey can be opened."))
        return _to("survey", request.organization.slug, access, survey_id=found.pk)
    problems: list[str] = []
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            services.survey_open(actor=request.user, survey=found)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("The survey is open for answers."))
            return _to("survey", request.organization.slug, access, survey_id=found.pk)
    return render(
        request,
        "evaluation/survey_open.html",
        _ctx(
            access,
            survey=found,
            problems=problems,
            question_count=found.questions.count(),
        ),
    )


@require_http_methods(["GET", "POST"])
def survey_open(
    request: OrganizationRequest, org_slug: str, community_slug: str, survey_id: int
) -> HttpResponse:
    access = _load(request, community_slug, need=E.MANAGE_SURVEYS)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    return _open_step(request, access, found)


@require_POST
def survey_status(
    request: OrganizationRequest, org_slug: str, community_slug: str, survey_id: int
) -> HttpResponse:
    access = _load(request, community_slug, need=E.MANAGE_SURVEYS)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    action = request.POST.get("action")
    if action == "open":
        return _open_step(request, access, found)
    try:
        if action == "close":
            services.survey_close(actor=request.user, survey=found)
            messages.success(request, _("The survey is closed."))
        else:
            messages.error(request, _("Choose to open or to close the survey."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _to("survey", org_slug, access, survey_id=found.pk)


@require_http_methods(["GET", "POST"])
def survey_respond(
    request: OrganizationRequest, org_slug: str, community_slug: str, survey_id: int
) -> HttpResponse:
    """Answering. A member learns that a survey has closed before filling it in (the
    page says so and shows no form); answers sent after it closed stay in the form
    with the message, so nothing typed is lost."""
    access = _load(request, community_slug, need=E.RESPOND)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    if found.status == Survey.Status.DRAFT:
        messages.error(request, _("This survey is not open for answers."))
        return _to("surveys", org_slug, access)
    if selectors.has_responded(survey=found, user=request.user):
        messages.info(request, _("You have already answered this survey. Thank you."))
        return _to("surveys", org_slug, access)
    if not found.accepts_answers and request.method != "POST":
        return render(
            request, "evaluation/survey_respond.html", _ctx(access, survey=found, form=None)
        )
    questions = list(found.questions.all())
    sites = selectors.community_sites(community=access.community) if found.asks_site else []
    form = response_form_class(found, questions, sites)(request.POST or None)
    if request.method == "POST" and not found.accepts_answers:
        form.is_valid()  # the answers are shown again as they were typed
        form.add_error(None, _closed_message(found))
        return render(
            request,
            "evaluation/survey_respond.html",
            _ctx(access, survey=found, form=form, closed_while_answering=True),
        )
    if request.method == "POST" and form.is_valid():
        answers = {q.pk: form.cleaned_data.get(f"q{q.pk}") for q in questions}
        site = None
        site_id = form.cleaned_data.get("site")
        if site_id:
            site = selectors.site_for_community(community=access.community, site_id=int(site_id))
        try:
            services.survey_respond(actor=request.user, survey=found, answers=answers, site=site)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your answers have been recorded."))
            return _to("surveys", org_slug, access)
    return render(request, "evaluation/survey_respond.html", _ctx(access, survey=found, form=form))


def _closed_message(found: Survey) -> str:
    if found.closing_date_passed and found.closes_on is not None:
        return _(
            "This survey closed on %(day)s, so your answers were not recorded. "
            "They are still shown below if you want to keep a copy."
        ) % {"day": found.closes_on.isoformat()}
    return _(
        "This survey was closed while you were answering, so your answers were not "
        "recorded. They are still shown below if you want to keep a copy."
    )


def survey_results(
    request: OrganizationRequest, org_slug: str, community_slug: str, survey_id: int
) -> HttpResponse:
    access = _load(request, community_slug)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    if found.purpose == Survey.Purpose.NOMAD:
        return render(
            request,
            "evaluation/nomad_results.html",
            _ctx(access, survey=found, results=selectors.nomad_results(survey=found)),
        )
    return render(
        request,
        "evaluation/survey_results.html",
        _ctx(access, survey=found, results=selectors.survey_results(survey=found)),
    )


def survey_export(
    request: OrganizationRequest, org_slug: str, community_slug: str, survey_id: int
) -> HttpResponse:
    """Aggregated results as CSV (never individual responses), small groups withheld."""
    access = _load(request, community_slug, need=E.MANAGE_SURVEYS)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    from evaluation.record import nomad_csv, survey_csv

    if found.purpose == Survey.Purpose.NOMAD:
        body = nomad_csv([selectors.nomad_results(survey=found)])
    else:
        body = survey_csv([(found, selectors.survey_results(survey=found))])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{found.pk}-results.csv"'
    return response
