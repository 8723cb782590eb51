"""The conclusion page, the results record package and the communications drafted from it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from evaluation import selectors, services
from evaluation.forms import (
    CommunicationForm,
    ConclusionForm,
    ExpectedResultReviewForm,
)
from evaluation.models import CommunicationOutput, ResultsRecord, Survey
from evaluation.permissions import EvaluationPermission as E
from evaluation.views.common import _ctx, _load, _to

# --------------------------------------------------------------------------- conclusion


@require_http_methods(["GET", "POST"])
def conclusion(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
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
def record_request(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    access = _load(request, community_slug, need=E.CONCLUDE)
    try:
        services.results_record_request(actor=request.user, community=access.community)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The results record is being built; refresh in a moment."))
    return _to("conclusion", org_slug, access)


def record_download(
    request: OrganizationRequest, org_slug: str, community_slug: str, record_id: int
) -> HttpResponseBase:
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
def communications(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
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
    request: OrganizationRequest, org_slug: str, community_slug: str, kind: str
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
