"""Evaluation pages (mounted at /o/<org_slug>/): CFIR rounds and the heat map, barriers
and strategies, the follow-through view, surveys (builder, answering, results, NoMAD),
and the conclusion phase (statuses, review, results record, communications)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from copcore.forms import add_service_errors
from evaluation import selectors, services, views_forms
from evaluation.access import Access, load
from evaluation.forms import (
    RATING_CHOICES,
    CommunicationForm,
    ConclusionForm,
    ExpectedResultReviewForm,
    NomadRoundForm,
    QuestionForm,
    StrategyChooseForm,
    StrategyLinkForm,
    response_form_class,
)
from evaluation.models import CommunicationOutput, ResultsRecord, Survey
from evaluation.permissions import EvaluationPermission as E


def _load(request: HttpRequest, community_slug: str, need: str | None = None) -> Access:
    return load(
        organization=request.organization,
        user=request.user,
        community_slug=community_slug,
        need=need,
    )


def _ctx(access: Access, **extra) -> dict:
    return {"community": access.community, "access": access, **extra}


def _to(name: str, org_slug: str, access: Access, **kwargs):
    return redirect(
        f"evaluation:{name}", org_slug=org_slug, community_slug=access.community.slug, **kwargs
    )


# --------------------------------------------------------------------------- overview


def home(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug)
    community = access.community
    return render(
        request,
        "evaluation/home.html",
        _ctx(
            access,
            rounds=list(selectors.cfir_rounds(community=community)[:5]),
            surveys=list(selectors.surveys(community=community)[:10]),
            blockers=selectors.archive_blockers(community=community),
        ),
    )


def reference(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The CFIR 2.0 constructs and the ERIC strategies, for every member."""
    return render(
        request,
        "evaluation/reference.html",
        {"domains": selectors.cfir_domains(), "clusters": selectors.eric_clusters()},
    )


# --------------------------------------------------------------------------- CFIR


@require_http_methods(["GET", "POST"])
def cfir_rounds(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug)
    if request.method == "POST":  # the round form's old address
        return views_forms.cfir_round_create(request, access)
    return render(
        request,
        "evaluation/cfir_rounds.html",
        _ctx(access, rounds=selectors.cfir_rounds(community=access.community)),
    )


def cfir_round(
    request: HttpRequest, org_slug: str, community_slug: str, round_id: int
) -> HttpResponse:
    access = _load(request, community_slug)
    found = selectors.cfir_round_get(community=access.community, round_id=round_id)
    return render(
        request,
        "evaluation/cfir_round.html",
        _ctx(access, heat=selectors.heat_map(cfir_round=found), cfir_round=found),
    )


@require_http_methods(["GET", "POST"])
def cfir_rate(
    request: HttpRequest, org_slug: str, community_slug: str, round_id: int, site_id: int
) -> HttpResponse:
    """Rate every construct for one site: a rating and evidence per construct."""
    access = _load(request, community_slug, need=E.ASSESS)
    found = selectors.cfir_round_get(community=access.community, round_id=round_id)
    site = selectors.site_for_community(community=access.community, site_id=site_id)
    constructs = selectors.cfir_constructs()
    current = selectors.site_ratings(cfir_round=found, site=site)
    rows, errors, entries = [], {}, []
    for construct in constructs:
        existing = current.get(construct.pk)
        if request.method == "POST":
            raw = request.POST.get(f"r{construct.pk}", "")
            evidence = request.POST.get(f"e{construct.pk}", "")
            rating = None
            if raw != "":
                try:
                    rating = int(raw)
                except ValueError:
                    errors[construct.code] = _("Choose a rating from the list.")
            entries.append((construct, rating, evidence))
        else:
            raw = "" if existing is None or existing.rating is None else str(existing.rating)
            evidence = existing.evidence if existing else ""
        rows.append({"construct": construct, "raw": raw, "evidence": evidence})
    if request.method == "POST" and not errors:
        try:
            services.cfir_ratings_save(
                actor=request.user, cfir_round=found, site=site, entries=entries
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            messages.success(
                request, _("The ratings for %(site)s have been saved.") % {"site": site.name}
            )
            return _to("cfir_round", org_slug, access, round_id=found.pk)
    for row in rows:
        row["error"] = errors.get(row["construct"].code)
    return render(
        request,
        "evaluation/cfir_rate.html",
        _ctx(
            access,
            cfir_round=found,
            site=site,
            rows=rows,
            choices=RATING_CHOICES,
            errors=errors,
        ),
    )


@require_http_methods(["GET", "POST"])
def barrier(
    request: HttpRequest, org_slug: str, community_slug: str, barrier_id: int
) -> HttpResponse:
    access = _load(request, community_slug)
    found = selectors.barrier_get(community=access.community, barrier_id=barrier_id)
    clusters = selectors.eric_clusters()
    form = StrategyChooseForm(request.POST or None, clusters=clusters)
    if request.method == "POST":
        access.require(E.ASSESS)
        if form.is_valid():
            try:
                choice = services.strategy_choose(
                    actor=request.user,
                    barrier=found,
                    strategy=form.cleaned_data["strategy"],
                    rationale=form.cleaned_data["rationale"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Strategy chosen: now link the tests and measures."))
                return _to("strategy", org_slug, access, choice_id=choice.pk)
    choices = list(selectors.barrier_strategies(barrier=found))
    return render(
        request,
        "evaluation/barrier.html",
        _ctx(access, barrier=found, form=form, choices=choices),
    )


@require_http_methods(["GET", "POST"])
def strategy(
    request: HttpRequest, org_slug: str, community_slug: str, choice_id: int
) -> HttpResponse:
    access = _load(request, community_slug)
    choice = selectors.strategy_choice_get(community=access.community, choice_id=choice_id)
    initial = {
        "tests": list(choice.tests.all()),
        "measures": list(choice.measures.all()),
        "rationale": choice.rationale,
    }
    form = StrategyLinkForm(request.POST or None, initial=initial, community=access.community)
    if request.method == "POST":
        access.require(E.ASSESS)
        if form.is_valid():
            try:
                services.strategy_link(
                    actor=request.user,
                    choice=choice,
                    tests=list(form.cleaned_data["tests"]),
                    measures=list(form.cleaned_data["measures"]),
                    rationale=form.cleaned_data["rationale"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The strategy's tests and measures have been saved."))
                return _to("follow_through", org_slug, access)
    return render(request, "evaluation/strategy.html", _ctx(access, choice=choice, form=form))


@require_POST
def strategy_remove(
    request: HttpRequest, org_slug: str, community_slug: str, choice_id: int
) -> HttpResponse:
    access = _load(request, community_slug, need=E.ASSESS)
    choice = selectors.strategy_choice_get(community=access.community, choice_id=choice_id)
    barrier_id = choice.barrier_id
    try:
        services.strategy_remove(actor=request.user, choice=choice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The strategy has been removed."))
    return _to("barrier", org_slug, access, barrier_id=barrier_id)


def follow_through(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug)
    rounds = list(selectors.cfir_rounds(community=access.community))
    chosen = rounds[0] if rounds else None
    wanted = request.GET.get("round")
    if wanted and wanted.isdigit():
        chosen = next((r for r in rounds if r.pk == int(wanted)), chosen)
    rows = []
    if chosen is not None:
        from measurement.dashboards import audience_for

        audience = audience_for(user=request.user, community=access.community)
        rows = selectors.follow_through(
            community=access.community, audience=audience, cfir_round=chosen
        )
    return render(
        request,
        "evaluation/follow_through.html",
        _ctx(access, rows=rows, rounds=rounds, chosen=chosen),
    )


# --------------------------------------------------------------------------- surveys


@require_http_methods(["GET", "POST"])
def surveys(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug)
    if request.method == "POST":  # the survey form's old address
        return views_forms.survey_create(request, access)
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
def nomad_round_create(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
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
    request: HttpRequest, org_slug: str, community_slug: str, survey_id: int
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
        ),
    )


@require_POST
def question_delete(
    request: HttpRequest, org_slug: str, community_slug: str, survey_id: int, question_id: int
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
def survey_status(
    request: HttpRequest, org_slug: str, community_slug: str, survey_id: int
) -> HttpResponse:
    access = _load(request, community_slug, need=E.MANAGE_SURVEYS)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    action = request.POST.get("action")
    try:
        if action == "open":
            services.survey_open(actor=request.user, survey=found)
            messages.success(request, _("The survey is open for answers."))
        elif action == "close":
            services.survey_close(actor=request.user, survey=found)
            messages.success(request, _("The survey is closed."))
        else:
            messages.error(request, _("Choose to open or to close the survey."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _to("survey", org_slug, access, survey_id=found.pk)


@require_http_methods(["GET", "POST"])
def survey_respond(
    request: HttpRequest, org_slug: str, community_slug: str, survey_id: int
) -> HttpResponse:
    access = _load(request, community_slug, need=E.RESPOND)
    found = selectors.survey_get(community=access.community, survey_id=survey_id)
    if not found.is_open:
        messages.error(request, _("This survey is not open for answers."))
        return _to("surveys", org_slug, access)
    if selectors.has_responded(survey=found, user=request.user):
        messages.info(request, _("You have already answered this survey. Thank you."))
        return _to("surveys", org_slug, access)
    questions = list(found.questions.all())
    sites = selectors.community_sites(community=access.community) if found.asks_site else []
    form = response_form_class(found, questions, sites)(request.POST or None)
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


def survey_results(
    request: HttpRequest, org_slug: str, community_slug: str, survey_id: int
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
    request: HttpRequest, org_slug: str, community_slug: str, survey_id: int
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


# --------------------------------------------------------------------------- conclusion


@require_http_methods(["GET", "POST"])
def conclusion(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug)
    community = access.community
    expected = selectors.expected_results_with_reviews(community=community)
    current = selectors.conclusion_of(community=community)
    review_forms = []
    for result in expected:
        initial = {}
        if result.current_review:
            initial = {
                "status": result.current_review.status,
                "evidence": result.current_review.evidence,
            }
        bound = request.POST if request.POST.get("expected_result") == str(result.pk) else None
        review_forms.append(
            (result, ExpectedResultReviewForm(bound, initial=initial, prefix=f"er{result.pk}"))
        )
    conclusion_form = ConclusionForm(
        request.POST if request.POST.get("part") == "conclusion" else None,
        initial={
            "lessons_learned": current.lessons_learned if current else "",
            "post_action_review": current.post_action_review if current else "",
            "recommendations": current.recommendations if current else "",
        },
    )
    if request.method == "POST":
        access.require(E.CONCLUDE)
        try:
            if request.POST.get("part") == "conclusion":
                if conclusion_form.is_valid():
                    services.conclusion_save(
                        actor=request.user, community=community, **conclusion_form.cleaned_data
                    )
                    messages.success(request, _("The conclusion has been saved."))
                    return _to("conclusion", org_slug, access)
            else:
                for result, form in review_forms:
                    if form.is_bound and form.is_valid():
                        services.expected_result_review_save(
                            actor=request.user, expected_result=result, **form.cleaned_data
                        )
                        messages.success(request, _("The status has been recorded."))
                        return _to("conclusion", org_slug, access)
        except ValidationError as error:
            target = (
                conclusion_form
                if request.POST.get("part") == "conclusion"
                else next((f for _r, f in review_forms if f.is_bound), conclusion_form)
            )
            add_service_errors(target, error)
    return render(
        request,
        "evaluation/conclusion.html",
        _ctx(
            access,
            review_forms=review_forms,
            conclusion_form=conclusion_form,
            records=list(selectors.results_records(community=community)[:10]),
            blockers=selectors.archive_blockers(community=community),
            final_surveys=[
                s
                for s in selectors.surveys(community=community)
                if s.purpose == Survey.Purpose.FINAL
            ],
        ),
    )


@require_POST
def record_request(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug, need=E.CONCLUDE)
    try:
        services.results_record_request(actor=request.user, community=access.community)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The results record is being built; refresh in a moment."))
    return _to("conclusion", org_slug, access)


def record_download(
    request: HttpRequest, org_slug: str, community_slug: str, record_id: int
) -> HttpResponse:
    access = _load(request, community_slug)
    record = selectors.results_record_get(community=access.community, record_id=record_id)
    if record.status != ResultsRecord.Status.READY or not record.file:
        raise Http404
    return FileResponse(
        record.file.open("rb"),
        as_attachment=True,
        filename=f"results-record-{access.community.slug}-{record.pk}.zip",
        content_type="application/zip",
    )


@require_http_methods(["GET", "POST"])
def communications(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug)
    record = selectors.latest_ready_record(community=access.community)
    if request.method == "POST":
        access.require(E.CONCLUDE)
        try:
            if record is None:
                raise ValidationError(_("Produce the results record first."))
            services.communications_draft(
                actor=request.user,
                community=access.community,
                record=record,
                overwrite=request.POST.get("overwrite") == "1",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The communication outputs have been drafted."))
        return _to("communications", org_slug, access)
    return render(
        request,
        "evaluation/communications.html",
        _ctx(access, outputs=selectors.communications(community=access.community), record=record),
    )


@require_http_methods(["GET", "POST"])
def communication_edit(
    request: HttpRequest, org_slug: str, community_slug: str, kind: str
) -> HttpResponse:
    access = _load(request, community_slug)
    if kind not in CommunicationOutput.Kind.values:
        raise Http404
    output = selectors.communication_get(community=access.community, kind=kind)
    form = CommunicationForm(
        request.POST or None, initial={"title": output.title, "body": output.body}
    )
    if request.method == "POST":
        access.require(E.CONCLUDE)
        if form.is_valid():
            try:
                services.communication_update(
                    actor=request.user, output=output, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return _to("communications", org_slug, access)
    return render(
        request, "evaluation/communication_edit.html", _ctx(access, output=output, form=form)
    )
