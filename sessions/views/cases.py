"""ECHO case presentations: the de-identified case form and its pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from measurement.selectors import sites_of_organization
from sessions import access, selectors, services
from sessions.deidentify import find_in_fields
from sessions.forms import (
    CaseForm,
)
from sessions.models import CasePresentation
from sessions.permissions import SessionPermission as SP
from sessions.views.common import _participants, _session, _session_url

# --- ECHO cases ---------------------------------------------------------------------


def _case_form(request, community, *, case: CasePresentation | None = None):
    manage = access.can(request.user, SP.MANAGE_SESSIONS, community)
    data = request.POST if request.method == "POST" else None
    show_confirmation = bool(data and data.get("confirm_shown"))
    initial = {"presenter": request.user.pk}
    if case is not None:
        initial = {
            "presenter": case.presenter_id,
            "site": case.site_id,
            **{name: getattr(case, name) for name in services.CASE_TEXT_FIELDS},
        }
    return CaseForm(
        data,
        initial=initial,
        people=_participants(community),
        sites=sites_of_organization(organization=request.organization),
        presenter_fixed=None if manage else (case.presenter if case else request.user),
        show_confirmation=show_confirmation,
    )


def _case_save(request, community, session, form, case=None):
    """Save, or come back with the identifying-text warning and the confirmation box."""
    data = form.cleaned_data
    texts = {name: data[name] for name in services.CASE_TEXT_FIELDS}
    confirmed = bool(data.get("confirm_deidentified"))
    try:
        if case is None:
            return services.case_create(
                actor=request.user,
                session=session,
                presenter=data["presenter"],
                site=data["site"],
                confirmed_deidentified=confirmed,
                **texts,
            ), None
        return services.case_update(
            actor=request.user,
            case=case,
            site=data["site"],
            confirmed_deidentified=confirmed,
            **texts,
        ), None
    except ValidationError as error:
        if services.is_identifying_text_error(error):
            return None, find_in_fields(texts)
        add_service_errors(form, error)
        return None, None


@require_http_methods(["GET", "POST"])
def case_create(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    access.require(request.user, SP.ATTEND, community)
    return _casepage_of(request, community, session, None)


@require_http_methods(["GET", "POST"])
def case_edit(
    request: OrganizationRequest, org_slug: str, community_slug: str, session_id: int, case_id: int
) -> HttpResponse:
    community, session = _session(request, community_slug, session_id)
    case = selectors.case_get(session=session, case_id=case_id)
    if not access.can_edit_case(request.user, case, access.rights(request.user, community)):
        raise PermissionDenied
    return _casepage_of(request, community, session, case)


def _casepage_of(request, community, session, case):
    form = _case_form(request, community, case=case)
    findings = None
    if request.method == "POST":
        texts = {name: request.POST.get(name, "") for name in services.CASE_TEXT_FIELDS}
        findings = find_in_fields(texts) or None
        if findings and "confirm_deidentified" not in form.fields:
            # From now on the form carries the explicit confirmation box.
            data = request.POST.copy()
            data["confirm_shown"] = "1"
            request.POST = data
            form = _case_form(request, community, case=case)
        if form.is_valid():
            saved, refused = _case_save(request, community, session, form, case)
            if saved is not None:
                messages.success(request, _("The case presentation has been saved."))
                return redirect(_session_url(session, "cases"))
            findings = refused or findings
    return render(
        request,
        "sessions/case_form.html",
        {
            "community": community,
            "session": session,
            "case": case,
            "form": form,
            "findings": findings,
        },
    )
