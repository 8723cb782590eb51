"""Pages of their own for starting a CFIR round and creating a survey or NoMAD round,
so the lists they used to sit under stay for reading. The lists' old POST addresses
still create (``views.cfir.cfir_rounds`` and ``views.surveys.surveys`` hand their POSTs here)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from evaluation import services
from evaluation.access import Access
from evaluation.forms import CfirRoundForm, NomadRoundForm, SurveyForm
from evaluation.permissions import EvaluationPermission as E
from evaluation.views.common import _ctx, _load, _to


def cfir_round_create(request: OrganizationRequest, access: Access) -> HttpResponse:
    """The round form; on a valid POST, the new round's page."""
    form = CfirRoundForm(request.POST or None)
    if request.method == "POST":
        access.require(E.ASSESS)
        if form.is_valid():
            try:
                cfir_round = services.cfir_round_create(
                    actor=request.user, community=access.community, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The assessment round has been created."))
                return _to("cfir_round", request.organization.slug, access, round_id=cfir_round.pk)
    return render(request, "evaluation/cfir_round_new.html", _ctx(access, form=form))


def survey_create(request: OrganizationRequest, access: Access) -> HttpResponse:
    """The survey form and the NoMAD round form; on a valid POST, the survey builder."""
    form = SurveyForm(request.POST or None)
    if request.method == "POST":
        access.require(E.MANAGE_SURVEYS)
        if form.is_valid():
            try:
                survey = services.survey_create(
                    actor=request.user, community=access.community, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The survey has been created: add its questions."))
                return _to("survey", request.organization.slug, access, survey_id=survey.pk)
    return render(
        request, "evaluation/survey_new.html", _ctx(access, form=form, nomad_form=NomadRoundForm())
    )


@require_http_methods(["GET", "POST"])
def cfir_round_new(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    return cfir_round_create(request, _load(request, community_slug, E.ASSESS))


@require_http_methods(["GET", "POST"])
def survey_new(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    return survey_create(request, _load(request, community_slug, E.MANAGE_SURVEYS))
