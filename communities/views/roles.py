"""The roles pages: a table of people and their terms, one Change page per term, and
the confirmation step that every change on it goes through.

Changing a role, moving a term's dates and ending a term take two posts: the first
checks the form and the convener rule and shows what will happen; the second carries
the same values, the reason (kept in the audit event) and ``confirm``. Both are plain
forms, so the pages work without JavaScript."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities import selectors, services
from communities.forms import RoleChangeForm, RoleEndForm, RoleReasonForm, RoleTermForm
from communities.models import CommunityRoleAssignment
from communities.permissions import CommunityPermission as P
from communities.views.common import Loaded, load
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.permissions import CommunityRole

CONVENER = CommunityRole.CONVENER


@require_GET
def roles(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """Current and coming terms by person, each with its Change page; then the ended
    terms as history."""
    loaded = load(request, community_slug, need=P.VIEW)
    today = timezone.localdate()
    history = list(selectors.role_assignments(community=loaded.community))
    current = sorted(
        (a for a in history if a.ends_on is None or a.ends_on > today),
        key=lambda a: (a.user.display_name.casefold(), a.starts_on, a.role),
    )
    return render(
        request,
        "communities/roles.html",
        loaded.context(
            current=current,
            past=[a for a in history if a.ends_on is not None and a.ends_on <= today],
            today=today,
            warnings=selectors.role_warnings(
                community=loaded.community, assignments=history, today=today
            ),
        ),
    )


def _when(day: dt.date | None) -> str:
    return date_format(day, "DATE_FORMAT") if day else _("no end date")


@dataclass
class _Plan:
    """One change, checked and ready: what the confirmation page says and the service
    call that makes it once the reason is given."""

    title: str
    summary: str
    rows: list[tuple[str, str, str]]  # (what, now, after)
    hidden: dict[str, str]  # the form's cleaned values, carried to the second post
    run: Callable[[str], object]
    grants_convening: bool = False
    removes_convening: bool = False
    action: str = ""


def _role_plan(
    request: OrganizationRequest, assignment: CommunityRoleAssignment, form: RoleChangeForm
) -> _Plan:
    role, on = form.cleaned_data["role"], form.cleaned_data["on"]
    labels = dict(CommunityRole.choices)
    person = assignment.user.display_name
    services.ensure_writable(assignment.community)
    services.ensure_convener_continuity(assignment=assignment, ends_on=on)
    return _Plan(
        title=_("Confirm the role change"),
        summary=_(
            "The term of %(person)s as %(old_role)s ends on %(date)s, and a new term as "
            "%(new_role)s starts the same day. Both stay in the role history."
        )
        % {
            "person": person,
            "old_role": labels[assignment.role],
            "new_role": labels[role],
            "date": _when(on),
        },
        rows=[(_("Role"), str(labels[assignment.role]), str(labels[role]))],
        hidden={"role": role, "on": on.isoformat()},
        action="role",
        run=lambda reason: services.role_change(
            actor=request.user, assignment=assignment, role=role, on=on, reason=reason
        ),
        grants_convening=role == CONVENER,
        removes_convening=assignment.role == CONVENER,
    )


def _term_plan(
    request: OrganizationRequest, assignment: CommunityRoleAssignment, form: RoleTermForm
) -> _Plan:
    starts_on, ends_on = form.cleaned_data["starts_on"], form.cleaned_data["ends_on"]
    if starts_on == assignment.starts_on and ends_on == assignment.ends_on:
        raise ValidationError(_("The term already has these dates."))
    services.ensure_writable(assignment.community)
    services.ensure_convener_continuity(assignment=assignment, starts_on=starts_on, ends_on=ends_on)
    shortened = ends_on is not None and (assignment.ends_on is None or ends_on < assignment.ends_on)
    return _Plan(
        title=_("Confirm the new term dates"),
        summary=_("The term of %(person)s as %(role)s gets the dates below.")
        % {"person": assignment.user.display_name, "role": assignment.get_role_display()},
        rows=[
            (_("From"), _when(assignment.starts_on), _when(starts_on)),
            (_("Until"), _when(assignment.ends_on), _when(ends_on)),
        ],
        hidden={
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else "",
        },
        action="term",
        run=lambda reason: services.role_term_change(
            actor=request.user,
            assignment=assignment,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
        ),
        removes_convening=assignment.role == CONVENER and shortened,
    )


def _end_plan(
    request: OrganizationRequest, assignment: CommunityRoleAssignment, form: RoleEndForm
) -> _Plan:
    ends_on = form.cleaned_data["ends_on"]
    services.ensure_writable(assignment.community)
    services.ensure_convener_continuity(assignment=assignment, ends_on=ends_on)
    return _Plan(
        title=_("Confirm the end of the term"),
        summary=_(
            "The term of %(person)s as %(role)s ends on %(date)s. From that day they no "
            "longer have the permissions of this role; the term stays in the role history."
        )
        % {
            "person": assignment.user.display_name,
            "role": assignment.get_role_display(),
            "date": _when(ends_on),
        },
        rows=[(_("Until"), _when(assignment.ends_on), _when(ends_on))],
        hidden={"ends_on": ends_on.isoformat()},
        run=lambda reason: services.role_end(
            actor=request.user, assignment=assignment, ends_on=ends_on, reason=reason
        ),
        removes_convening=assignment.role == CONVENER,
    )


def _change_page(
    request: OrganizationRequest,
    loaded: Loaded,
    assignment: CommunityRoleAssignment,
    *,
    role_form: RoleChangeForm | None = None,
    term_form: RoleTermForm | None = None,
    end_form: RoleEndForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    ended = _has_ended(assignment, today)
    failed = next((f for f in (role_form, term_form, end_form) if f is not None), None)
    return render(
        request,
        "communities/role_change.html",
        loaded.context(
            assignment=assignment,
            today=today,
            ended=ended,
            role_form=role_form or _role_form(assignment),
            term_form=term_form or _term_form(assignment),
            end_form=end_form or RoleEndForm(starts_on=assignment.starts_on, prefix="end"),
            failed_form=failed,
        ),
    )


def _role_form(assignment: CommunityRoleAssignment, data=None) -> RoleChangeForm:
    return RoleChangeForm(
        data,
        current_role=assignment.role,
        starts_on=assignment.starts_on,
        prefix="role",
    )


def _term_form(assignment: CommunityRoleAssignment, data=None) -> RoleTermForm:
    return RoleTermForm(
        data,
        started=assignment.starts_on <= timezone.localdate(),
        initial={"starts_on": assignment.starts_on, "ends_on": assignment.ends_on},
        prefix="term",
    )


def _has_ended(assignment: CommunityRoleAssignment, today: dt.date) -> bool:
    return assignment.ends_on is not None and assignment.ends_on <= today


def _load_term(
    request: OrganizationRequest, community_slug: str, assignment_id: int
) -> tuple[Loaded, CommunityRoleAssignment]:
    loaded = load(request, community_slug)
    assignment = selectors.role_assignment_get(community=loaded.community, pk=assignment_id)
    loaded.require(P.MANAGE_ROLES)
    return loaded, assignment


def _confirm_or_run(
    request: OrganizationRequest,
    loaded: Loaded,
    assignment: CommunityRoleAssignment,
    form: forms.Form,
    make_plan: Callable[[], _Plan],
    action_url: str,
    **page_forms,
) -> HttpResponse:
    """The shared second half: a refused change goes back to the Change page with the
    reason on the form; an accepted one shows the confirmation step until it carries a
    reason and ``confirm``, then runs."""
    try:
        plan = make_plan()
    except ValidationError as error:
        add_service_errors(form, error)
        return _change_page(request, loaded, assignment, **page_forms)
    confirming = "confirm" in request.POST
    reason_form = RoleReasonForm(request.POST if confirming else None)
    if confirming and reason_form.is_valid():
        try:
            plan.run(reason_form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            return _change_page(request, loaded, assignment, **page_forms)
        messages.success(request, _("The change has been saved."))
        return redirect(
            "communities:roles",
            org_slug=request.organization.slug,
            community_slug=loaded.community.slug,
        )
    hidden = {form.add_prefix(name): value for name, value in plan.hidden.items()}
    if plan.action:
        hidden["action"] = plan.action
    return _confirm_page(
        request,
        loaded,
        plan=plan,
        person=assignment.user.display_name,
        hidden=hidden,
        reason_form=reason_form,
        action_url=action_url,
        cancel_url=reverse(
            "communities:role_change",
            kwargs={
                "org_slug": request.organization.slug,
                "community_slug": loaded.community.slug,
                "assignment_id": assignment.pk,
            },
        ),
    )


def _confirm_page(
    request: OrganizationRequest,
    loaded: Loaded,
    *,
    plan: _Plan,
    person: str,
    hidden: dict[str, str],
    reason_form: RoleReasonForm,
    action_url: str,
    cancel_url: str,
) -> HttpResponse:
    return render(
        request,
        "communities/role_confirm.html",
        loaded.context(
            plan=plan,
            person=person,
            hidden=sorted(hidden.items()),
            reason_form=reason_form,
            action_url=action_url,
            cancel_url=cancel_url,
        ),
    )


def convener_assignment_confirmation(
    request: OrganizationRequest, loaded: Loaded, form: forms.Form
) -> tuple[HttpResponse | None, str]:
    """For the Assign page: naming a convener grants convening rights, so it goes
    through the same confirmation step (with a reason) as a change. Returns the
    confirmation page to show, or None and the reason once confirmed."""
    data = form.cleaned_data
    if data["role"] != CONVENER:
        return None, ""
    confirming = "confirm" in request.POST
    reason_form = RoleReasonForm(request.POST if confirming else None)
    if confirming and reason_form.is_valid():
        return None, reason_form.cleaned_data["reason"]
    person = data["user"].display_name
    ends_on = data.get("ends_on")
    plan = _Plan(
        title=_("Confirm the new convener"),
        summary=_("%(person)s becomes a convener of this community from %(date)s.")
        % {"person": person, "date": _when(data["starts_on"])},
        rows=[
            (_("Role"), "—", str(CommunityRole.CONVENER.label)),
            (_("From"), "—", _when(data["starts_on"])),
            (_("Until"), "—", _when(ends_on)),
        ],
        hidden={},
        run=lambda reason: None,
        grants_convening=True,
    )
    hidden = {
        "user": str(data["user"].pk),
        "role": CONVENER,
        "starts_on": data["starts_on"].isoformat(),
        "ends_on": ends_on.isoformat() if ends_on else "",
    }
    page = _confirm_page(
        request,
        loaded,
        plan=plan,
        person=person,
        hidden=hidden,
        reason_form=reason_form,
        action_url=request.path,
        cancel_url=reverse(
            "communities:role_assign",
            kwargs={"org_slug": request.organization.slug, "community_slug": loaded.community.slug},
        ),
    )
    return page, ""


@require_http_methods(["GET", "POST"])
def role_change(
    request: OrganizationRequest, org_slug: str, community_slug: str, assignment_id: int
) -> HttpResponse:
    """The Change page of one term: change the role, move the term's dates, or end it.
    Every change goes through the confirmation step."""
    loaded, assignment = _load_term(request, community_slug, assignment_id)
    if request.method == "GET" or _has_ended(assignment, timezone.localdate()):
        return _change_page(request, loaded, assignment)  # an ended term is history
    if request.POST.get("action") == "term":
        term_form = _term_form(assignment, request.POST)
        if not term_form.is_valid():
            return _change_page(request, loaded, assignment, term_form=term_form)
        return _confirm_or_run(
            request,
            loaded,
            assignment,
            term_form,
            lambda: _term_plan(request, assignment, term_form),
            request.path,
            term_form=term_form,
        )
    role_form = _role_form(assignment, request.POST)
    if not role_form.is_valid():
        return _change_page(request, loaded, assignment, role_form=role_form)
    return _confirm_or_run(
        request,
        loaded,
        assignment,
        role_form,
        lambda: _role_plan(request, assignment, role_form),
        request.path,
        role_form=role_form,
    )


@require_POST
def role_end(
    request: OrganizationRequest, org_slug: str, community_slug: str, assignment_id: int
) -> HttpResponse:
    """End a term from its Change page, after the confirmation step."""
    loaded, assignment = _load_term(request, community_slug, assignment_id)
    if _has_ended(assignment, timezone.localdate()):
        return _change_page(request, loaded, assignment)  # an ended term is history
    end_form = RoleEndForm(request.POST, starts_on=assignment.starts_on, prefix="end")
    if not end_form.is_valid():
        return _change_page(request, loaded, assignment, end_form=end_form)
    return _confirm_or_run(
        request,
        loaded,
        assignment,
        end_form,
        lambda: _end_plan(request, assignment, end_form),
        request.path,
        end_form=end_form,
    )
