"""Community pages: the list, the overview, the design wizard and checklist, phases and
their timeline, and the tagging norms (the roles pages are in ``views/roles.py``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from communities import design, overview, selectors, services
from communities.forms import (
    STEP_FORMS,
    DesignCreateForm,
    DesignResultsForm,
    PhaseChangeForm,
    RoleAssignForm,
    TagsForm,
)
from communities.models import Phase, PhaseTransition
from communities.permissions import CommunityPermission as P
from communities.views.common import Loaded, load
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.permissions import OrgPermission, org_role_has_perm
from copcore.views import require_org_perm


def _detail(org_slug: str, slug: str):
    return redirect("communities:detail", org_slug=org_slug, community_slug=slug)


def community_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    """The organization home: the CoPs, and what needs the person across them."""
    communities = list(selectors.communities_visible(organization=request.organization))
    can_create = org_role_has_perm(request.membership.role, OrgPermission.CREATE_COMMUNITY)
    return render(
        request,
        "communities/community_list.html",
        {
            "communities": communities,
            "can_create": can_create,
            "needs": overview.needs_across(
                communities=communities, user=request.user, organization=request.organization
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def community_create(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    """Step one of the design wizard: the name. The creator becomes the convener."""
    require_org_perm(request, OrgPermission.CREATE_COMMUNITY)
    form = DesignCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(
                actor=request.user,
                organization=request.organization,
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
            )
            services.design_step_mark_saved(actor=request.user, community=community, step="name")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The community has been created. Continue its design."))
            return redirect(
                "communities:design_step",
                org_slug=org_slug,
                community_slug=community.slug,
                step=design.STEP_KEYS[1],
            )
    return render(
        request,
        "communities/community_create.html",
        {"form": form, "steps": design.STEPS, "current_step": "name"},
    )


# --- Design wizard -------------------------------------------------------------------


@require_GET
def design_checklist(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """At a glance: which design stages are complete, and what the gate still needs."""
    loaded = load(request, community_slug, need=P.VIEW)
    facts = selectors.design_facts(community=loaded.community)
    items = design.checklist(loaded.community, facts)
    resume = next((i.key for i in items if not i.complete and i.key != "charter"), None)
    return render(
        request,
        "communities/design_checklist.html",
        loaded.context(
            items=items,
            missing=design.implementation_gate_missing(loaded.community, facts),
            resume_step=resume,
            complete_count=sum(1 for i in items if i.complete),
        ),
    )


def _initial_for(step: str, community) -> dict:
    if step == "results":
        return DesignResultsForm.initial_from(selectors.expected_results(community=community))
    return {name: getattr(community, name) for name in design.STEP_FIELDS.get(step, [])}


@require_http_methods(["GET", "POST"])
def design_step(
    request: OrganizationRequest, org_slug: str, community_slug: str, step: str
) -> HttpResponse:
    """One step of the wizard. "Save and continue" goes to the next step, "Save draft"
    stays; everything saved is kept, so the wizard can be left and resumed."""
    loaded = load(request, community_slug)
    if step not in design.STEP_KEYS:
        raise Http404
    loaded.require(P.EDIT_DESIGN)
    community = loaded.community
    index = design.STEP_KEYS.index(step)
    next_step = design.STEP_KEYS[index + 1] if index + 1 < len(design.STEP_KEYS) else None
    previous_step = design.STEP_KEYS[index - 1] if index > 0 else None
    people = selectors.people_of_organization(organization=request.organization)
    form: forms.Form
    if step == "roles":
        form = RoleAssignForm(
            request.POST if "assign" in request.POST else None,
            people=people,
            initial={"starts_on": timezone.localdate()},
        )
    else:
        form = STEP_FORMS[step](request.POST or None, initial=_initial_for(step, community))
    if request.method == "POST":
        try:
            if step == "roles":
                if "assign" in request.POST:
                    if form.is_valid():
                        services.role_assign(
                            actor=request.user, community=community, **form.cleaned_data
                        )
                        messages.success(request, _("The role has been assigned."))
                        return redirect(request.path)
                    raise _FormInvalid
                services.design_step_mark_saved(actor=request.user, community=community, step=step)
            elif not form.is_valid():
                raise _FormInvalid
            elif step == "results":
                assert isinstance(form, DesignResultsForm)
                services.expected_results_set(
                    actor=request.user, community=community, results=form.results()
                )
            else:
                services.community_design_save(
                    actor=request.user, community=community, step=step, values=form.cleaned_data
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except _FormInvalid:
            pass
        else:
            messages.success(request, _("Saved."))
            if "continue" in request.POST and next_step:
                return redirect(
                    "communities:design_step",
                    org_slug=org_slug,
                    community_slug=community.slug,
                    step=next_step,
                )
            if "continue" in request.POST:
                return redirect(
                    "communities:design_checklist",
                    org_slug=org_slug,
                    community_slug=community.slug,
                )
            return redirect(request.path)
    context = loaded.context(
        form=form,
        step=step,
        step_title=dict(design.STEPS)[step],
        step_number=index + 1,
        steps=design.STEPS,
        current_step=step,
        next_step=next_step,
        previous_step=previous_step,
    )
    if step == "roles":
        context["active_roles"] = list(selectors.active_role_assignments(community=community))
    return render(request, "communities/design_step.html", context)


class _FormInvalid(Exception):
    """The form has errors to show; nothing was saved."""


# --- Phases --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def phase(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """The phase timeline; for conveners, the form that moves the CoP on. A refused move
    shows exactly what is missing. Concluding and archiving ask first: a valid POST
    without ``confirmed=1`` shows what will happen (and asks for the reason members will
    read) instead of acting."""
    loaded = load(request, community_slug, need=P.VIEW)
    community = loaded.community
    allowed = sorted(services.ALLOWED_TRANSITIONS[community.phase])
    form = PhaseChangeForm(request.POST or None, allowed=allowed)
    missing: list[str] = []
    if request.method == "POST":
        loaded.require(P.CHANGE_PHASE)
        if form.is_valid():
            to_phase = form.cleaned_data["to_phase"]
            if to_phase == Phase.CONCLUSION and not form.cleaned_data["reason"]:
                form.add_error("reason", _("Say why the community is concluding."))
            elif to_phase == Phase.ARCHIVED:
                from evaluation.selectors import archive_blockers  # evaluation imports us

                missing = archive_blockers(community=community)
                if missing:
                    form.add_error(None, _("The community cannot move on yet."))
        closing = form.is_valid() and form.cleaned_data["to_phase"] in CLOSING_PHASES
        if closing and request.POST.get("confirmed") != "1":
            return _phase_confirmation(request, loaded, form)
        if form.is_valid():
            try:
                services.community_phase_change(
                    actor=request.user, community=community, **form.cleaned_data
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "gate":
                    assert error.params is not None
                    missing = error.params["missing"]
                    form.add_error(None, _("The community cannot move on yet."))
                else:
                    add_service_errors(form, error)
                    if closing:
                        return _phase_confirmation(request, loaded, form)
            else:
                messages.success(request, _("The phase has been changed."))
                return redirect(
                    "communities:phase", org_slug=org_slug, community_slug=community.slug
                )
    return render(
        request,
        "communities/phase.html",
        loaded.context(
            form=form,
            missing=missing,
            timeline=list(selectors.transitions(community=community)),
        ),
    )


# Concluding ends the CoP's active work and archiving makes it read-only for everyone:
# both are confirmed on a page of their own first.
CLOSING_PHASES = (Phase.CONCLUSION, Phase.ARCHIVED)


def _phase_confirmation(
    request: OrganizationRequest, loaded: Loaded, form: PhaseChangeForm
) -> HttpResponse:
    to_phase = form.cleaned_data["to_phase"]
    note = form["note"]  # the bound field: the label and help the page shows
    if to_phase == Phase.ARCHIVED:
        note.label = _("Reason (shown to members on the timeline)")
        note.help_text = _("Required: say why the community is archived.")
        note.field.required = True
    else:
        note.label = _("Note (shown to members on the timeline)")
        note.help_text = _("Optional: what members should know about the conclusion.")
    reasons = dict(PhaseTransition.Reason.choices)
    return render(
        request,
        "communities/phase_confirm.html",
        loaded.context(
            form=form,
            to_phase=to_phase,
            to_phase_label=dict(Phase.choices)[to_phase],
            reason=form.cleaned_data["reason"],
            reason_label=reasons.get(form.cleaned_data["reason"], ""),
        ),
        status=200 if not form.errors else 400,
    )


# --- Tags ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def tags(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """The tagging norms: moderators choose the tags members may use here."""
    loaded = load(request, community_slug, need=P.VIEW_DISCUSSIONS)
    community = loaded.community
    vocabulary = selectors.tags_of_organization(organization=request.organization)
    form = TagsForm(
        request.POST or None,
        vocabulary=vocabulary,
        initial={"tags": list(community.allowed_tags.all())},
    )
    if request.method == "POST":
        loaded.require(P.MODERATE)
        if form.is_valid():
            try:
                services.community_tags_set(
                    actor=request.user,
                    community=community,
                    tags=list(form.cleaned_data["tags"]),
                    new_names=form.cleaned_data["new_tags"].split(","),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The tagging norms have been saved."))
                return redirect(
                    "communities:tags", org_slug=org_slug, community_slug=community.slug
                )
    return render(
        request,
        "communities/tags.html",
        loaded.context(form=form, allowed=selectors.tags_allowed(community=community)),
    )
