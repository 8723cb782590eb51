"""PDSA tests of change: lists, the learning view, create, edit, the next cycle, and templates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from communities.selectors import tags_allowed, tags_of_organization
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.pagination import page_of
from knowledge import selectors, services
from knowledge.forms import (
    STAGE_FORMS,
    TestFilterForm,
    TestPlanForm,
    TestTemplateForm,
)
from knowledge.models import (
    TEMPLATE_FIELDS,
    PdsaStage,
    TestOfChange,
)
from knowledge.selectors import Viewer
from knowledge.views.common import PAGE_SIZE, _deny_unless, viewer

# ---------------------------------------------------------------- tests of change


def _test_filter_form(request: OrganizationRequest, v: Viewer) -> TestFilterForm:
    return TestFilterForm(
        request.GET or None,
        communities=selectors.communities_where(viewer=v, permission="view"),
        tags=tags_of_organization(organization=request.organization),
    )


def _test_list_page(request: OrganizationRequest, *, learning: bool) -> HttpResponse:
    v = viewer(request)
    form = _test_filter_form(request, v)
    select = selectors.tests_learning_from_failure if learning else selectors.tests_visible
    page, pager_query = page_of(request, select(viewer=v, **form.filters()), PAGE_SIZE)
    return render(
        request,
        "knowledge/test_list.html",
        {
            "form": form,
            "page": page,
            "query": pager_query,
            "can_create": bool(v.ids("add_test")),
            "learning": learning,
        },
    )


@require_GET
def test_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    return _test_list_page(request, learning=False)


@require_GET
def test_learning(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    """Learning from what failed: abandoned tests and contradicted predictions."""
    return _test_list_page(request, learning=True)


def _plan_form(
    request, v, *, data=None, instance=None, initial=None, editing=False, community=None
) -> TestPlanForm:
    org = request.organization
    communities = selectors.communities_where(viewer=v, permission="add_test")
    measure_communities = [community.pk] if community else list(v.ids("add_test"))
    return TestPlanForm(
        data,
        instance=instance,
        initial=initial,
        communities=communities,
        sites=selectors.active_sites(organization=org),
        tags=(
            tags_allowed(community=community)
            if community
            else tags_of_organization(organization=org)
        ),
        measures=selectors.measures_of_communities(
            organization=org, community_ids=measure_communities
        ),
        editing=editing,
    )


def _form_page(request, form, **context) -> HttpResponse:
    """The page of one stage: the step list, the stage's fieldsets and its context."""
    test = context.get("test")
    return render(
        request,
        "knowledge/test_form.html",
        {
            "form": form,
            "stage": PdsaStage.PLAN,
            "stages": selectors.test_stages(test=test),
            **context,
        },
    )


def _save_new_test(request, form, previous=None):
    data = form.cleaned_data
    fields = form.service_fields()
    return services.test_of_change_create(
        actor=request.user,
        community=data["community"] if previous is None else previous.community,
        previous_cycle=previous,
        **fields,
    )


@require_http_methods(["GET", "POST"])
def test_create(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    _deny_unless(bool(v.ids("add_test")))
    initial: dict[str, object] = {"community": request.GET.get("community")}
    template = None
    template_id = request.GET.get("template", "")
    if template_id.isdigit():
        template = selectors.test_template_get(viewer=v, template_id=int(template_id))
        initial |= {name: getattr(template, name) for name in TEMPLATE_FIELDS}
        initial["title"] = template.name
        if template.community_id:
            initial["community"] = template.community_id
    form = _plan_form(request, v, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        _deny_unless(v.can("add_test", form.cleaned_data["community"].pk))
        try:
            test = _save_new_test(request, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your test of change has been posted."))
            return redirect("knowledge:test_detail", org_slug=org_slug, test_id=test.pk)
    return _form_page(
        request,
        form,
        templates=selectors.test_templates(viewer=v),
        template=template,
        creating=True,
    )


@require_GET
def test_detail(request: OrganizationRequest, org_slug: str, test_id: int) -> HttpResponse:
    v = viewer(request)
    test = selectors.test_get(viewer=v, test_id=test_id)
    return render(
        request,
        "knowledge/test_detail.html",
        {
            "test": test,
            "chain": selectors.test_chain(test=test),
            "measures": list(test.measures.all()),
            "can_edit": _can_edit_test(v, request, test),
            "can_continue": v.can("add_test", test.community_id),
            "stages": selectors.test_stages(test=test),
        },
    )


def _can_edit_test(v: Viewer, request: OrganizationRequest, test: TestOfChange) -> bool:
    return test.author_id == request.user.pk or v.can_curate(test.community_id)


_STAGE_SAVED = {
    PdsaStage.PLAN: gettext_lazy("The plan has been saved."),
    PdsaStage.DO: gettext_lazy("What happened has been recorded."),
    PdsaStage.STUDY: gettext_lazy("The study has been saved."),
    PdsaStage.ACT: gettext_lazy("The decision has been recorded."),
}


@require_http_methods(["GET", "POST"])
def test_stage(
    request: OrganizationRequest, org_slug: str, test_id: int, stage: str
) -> HttpResponse:
    """One stage of a cycle on its own page (Plan, Do, Study or Act), saved on its own
    so a test is written as it runs; the service enforces the order."""
    v = viewer(request)
    test = selectors.test_get(viewer=v, test_id=test_id)
    _deny_unless(_can_edit_test(v, request, test))
    data = request.POST or None
    form = (
        _plan_form(request, v, data=data, instance=test, editing=True, community=test.community)
        if stage == PdsaStage.PLAN
        else STAGE_FORMS[stage](data, instance=test)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.test_of_change_save_stage(
                actor=request.user, test=test, stage=stage, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, str(_STAGE_SAVED[PdsaStage(stage)]))
            return redirect("knowledge:test_detail", org_slug=org_slug, test_id=test.pk)
    if request.method == "POST":
        test.refresh_from_db()  # the form wrote the posted values on the instance
    return _form_page(request, form, test=test, stage=stage)


@require_http_methods(["GET", "POST"])
def test_next_cycle(request: OrganizationRequest, org_slug: str, test_id: int) -> HttpResponse:
    """Start the next cycle of a ramp from this one (prefilled from it)."""
    v = viewer(request)
    previous = selectors.test_get(viewer=v, test_id=test_id)
    _deny_unless(v.can("add_test", previous.community_id))
    initial = services.test_next_cycle_initial(test=previous) | {
        "community": previous.community,
    }
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["community"] = str(previous.community_id)
    form = _plan_form(request, v, data=data, initial=initial, community=previous.community)
    if request.method == "POST" and form.is_valid():
        try:
            test = _save_new_test(request, form, previous=previous)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The next cycle has been started."))
            return redirect("knowledge:test_detail", org_slug=org_slug, test_id=test.pk)
    return _form_page(request, form, previous=previous, creating=True)


@require_http_methods(["GET", "POST"])
def template_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    can_create = bool(v.ids("add_test")) or v.is_org_admin
    form = TestTemplateForm(
        request.POST or None,
        communities=selectors.communities_where(viewer=v, permission="add_test"),
        allow_org_wide=v.is_org_admin,
    )
    if request.method == "POST":
        _deny_unless(can_create)
        if form.is_valid():
            data = dict(form.cleaned_data)
            community = data.pop("community")
            _deny_unless(v.can("add_test", community.pk) if community else v.is_org_admin)
            try:
                services.test_template_create(
                    actor=request.user,
                    organization=request.organization,
                    community=community,
                    **data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The template has been saved."))
                return redirect("knowledge:template_list", org_slug=org_slug)
    return render(
        request,
        "knowledge/template_list.html",
        {
            "templates": selectors.test_templates(viewer=v),
            "form": form,
            "can_create": can_create,
        },
    )
