"""Measurement pages: sites and stratifiers (organization), and per CoP: measures,
enrolments, data policy, the data-entry grid, due/missing data, imports, review and
the observations table. Thin: services write, selectors read."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.forms import BaseForm
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from copcore.pagination import page_of
from copcore.permissions import org_role_has_perm
from copcore.views import require_org_perm
from measurement import (
    access,
    issues,
    numbers,
    period_forms,
    selectors,
    services,
    views_review,
)
from measurement.disclosers import ObservationDiscloser
from measurement.forms import (
    DataPolicyForm,
    EnrolmentForm,
    MeasureForm,
    ObservationFilterForm,
    PhaseBreakForm,
    SiteForm,
    StratifierForm,
)
from measurement.models import Measure, StratifierCategory
from measurement.periods import (
    last_complete_period,
    next_period,
    period_label,
    previous_period,
)


def _community(request: OrganizationRequest, community_slug: str):
    return selectors.community_get(organization=request.organization, slug=community_slug)


def _rights(request: OrganizationRequest, community) -> dict[str, bool]:
    user = request.user
    return {
        "can_view": access.can_view(user, community),
        "can_submit": access.can_submit(user, community),
        "can_approve": access.can_approve(user, community),
        "can_manage": access.can_manage_measures(user, community),
    }


def _save_or_errors(form: BaseForm, action: Callable[[], object]) -> object | None:
    try:
        return action()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


# Organization: sites and stratifiers --------------------------------------------------


def data_home(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    communities = [
        (c, _rights(request, c)) for c in selectors.communities(organization=request.organization)
    ]
    can_manage_sites = org_role_has_perm(request.membership.role, access.MANAGE_SITES)
    return render(
        request,
        "measurement/home.html",
        {"communities": communities, "can_manage_sites": can_manage_sites},
    )


@require_http_methods(["GET", "POST"])
def site_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    can_manage = org_role_has_perm(request.membership.role, access.MANAGE_SITES)
    form = SiteForm(request.POST or None, organization=request.organization)
    if request.method == "POST":
        require_org_perm(request, access.MANAGE_SITES)
        if form.is_valid() and _save_or_errors(
            form,
            lambda: services.site_save(
                actor=request.user, organization=request.organization, **form.cleaned_data
            ),
        ):
            messages.success(request, _("The site has been added."))
            return redirect("measurement:site_list", org_slug=org_slug)
    sites = selectors.sites_of_organization(organization=request.organization)
    return render(
        request,
        "measurement/site_list.html",
        {"sites": sites, "form": form, "can_manage": can_manage},
    )


@require_http_methods(["GET", "POST"])
def site_edit(request: OrganizationRequest, org_slug: str, site_id: int) -> HttpResponse:
    site = selectors.site_get(organization=request.organization, site_id=site_id)
    require_org_perm(request, access.MANAGE_SITES)
    form = SiteForm(request.POST or None, instance=site, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        site.refresh_from_db()
        if _save_or_errors(
            form,
            lambda: services.site_save(
                actor=request.user, organization=request.organization, site=site, **fields
            ),
        ):
            messages.success(request, _("The site has been saved."))
            return redirect("measurement:site_list", org_slug=org_slug)
    return render(request, "measurement/site_edit.html", {"site": site, "form": form})


@require_http_methods(["GET", "POST"])
def stratifier_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    can_manage = org_role_has_perm(request.membership.role, access.MANAGE_SITES)
    form = StratifierForm(request.POST or None)
    if request.method == "POST":
        require_org_perm(request, access.MANAGE_SITES)
        if form.is_valid() and _save_or_errors(
            form,
            lambda: services.stratifier_create(
                actor=request.user, organization=request.organization, **form.cleaned_data
            ),
        ):
            messages.success(request, _("The stratifier has been added."))
            return redirect("measurement:stratifiers", org_slug=org_slug)
    return render(
        request,
        "measurement/stratifiers.html",
        {
            "stratifiers": selectors.stratifiers(organization=request.organization),
            "form": form,
            "can_manage": can_manage,
        },
    )


# A CoP's data set-up ---------------------------------------------------------------


def community_data(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    community = _community(request, community_slug)
    rights = _rights(request, community)
    access.require(rights["can_view"] or rights["can_manage"])
    return render(
        request,
        "measurement/community.html",
        {
            "community": community,
            "measures": selectors.measures(community=community),
            "enrolments": selectors.enrolments(community=community),
            "policy": access.data_policy(community),
            **rights,
        },
    )


@require_http_methods(["GET", "POST"])
def measure_create(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    community = _community(request, community_slug)
    access.require(access.can_manage_measures(request.user, community))
    form = MeasureForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        stratifiers = fields.pop("stratifiers")
        measure = _save_or_errors(
            form,
            lambda: services.measure_save(
                actor=request.user, community=community, stratifiers=stratifiers, **fields
            ),
        )
        if isinstance(measure, Measure):
            messages.success(request, _("The measure has been created."))
            return redirect(
                "measurement:measure_detail",
                org_slug=org_slug,
                community_slug=community.slug,
                measure_id=measure.pk,
            )
    return render(request, "measurement/measure_form.html", {"community": community, "form": form})


@require_http_methods(["GET", "POST"])
def measure_edit(
    request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int
) -> HttpResponse:
    community = _community(request, community_slug)
    measure = selectors.measure_get(community=community, measure_id=measure_id)
    access.require(access.can_manage_measures(request.user, community))
    form = MeasureForm(request.POST or None, instance=measure, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        stratifiers = fields.pop("stratifiers")
        measure.refresh_from_db()
        if _save_or_errors(
            form,
            lambda: services.measure_save(
                actor=request.user,
                community=community,
                measure=measure,
                stratifiers=stratifiers,
                **fields,
            ),
        ):
            messages.success(request, _("The measure has been saved."))
            return redirect(
                "measurement:measure_detail",
                org_slug=org_slug,
                community_slug=community.slug,
                measure_id=measure.pk,
            )
    return render(
        request,
        "measurement/measure_form.html",
        {"community": community, "form": form, "measure": measure},
    )


@require_http_methods(["GET", "POST"])
def measure_detail(
    request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int
) -> HttpResponse:
    community = _community(request, community_slug)
    measure = selectors.measure_get(community=community, measure_id=measure_id)
    rights = _rights(request, community)
    access.require(rights["can_view"] or rights["can_manage"])
    form = PhaseBreakForm(request.POST or None)
    if request.method == "POST":
        access.require(rights["can_manage"])
        if form.is_valid() and _save_or_errors(
            form,
            lambda: services.phase_break_add(
                actor=request.user, measure=measure, **form.cleaned_data
            ),
        ):
            messages.success(request, _("The new phase has been recorded."))
            return redirect(request.path)
    return render(
        request,
        "measurement/measure_detail.html",
        {
            "community": community,
            "measure": measure,
            "phase_breaks": selectors.phase_breaks(measure=measure),
            "form": form,
            **rights,
        },
    )


@require_http_methods(["GET", "POST"])
def enrolments(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community = _community(request, community_slug)
    rights = _rights(request, community)
    access.require(rights["can_view"] or rights["can_manage"])
    form = EnrolmentForm(
        request.POST or None,
        organization=request.organization,
        initial={"enrolled_on": timezone.localdate()},
    )
    if request.method == "POST":
        access.require(rights["can_manage"])
        if form.is_valid() and _save_or_errors(
            form,
            lambda: services.enrolment_save(
                actor=request.user, community=community, **form.cleaned_data
            ),
        ):
            messages.success(request, _("The enrolment has been saved."))
            return redirect(request.path)
    return render(
        request,
        "measurement/enrolments.html",
        {
            "community": community,
            "enrolments": selectors.enrolments(community=community),
            "form": form,
            **rights,
        },
    )


@require_http_methods(["GET", "POST"])
def data_policy(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community = _community(request, community_slug)
    access.require(request.user.has_perm(access.M.APPROVE_DATA, community))
    policy = access.data_policy(community)
    form = DataPolicyForm(
        request.POST or None,
        organization=request.organization,
        initial={"requires_approval": policy.requires_approval, "data_lead": policy.data_lead},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_or_errors(
            form,
            lambda: services.data_policy_update(
                actor=request.user, community=community, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, _("The data policy has been saved."))
        return redirect("measurement:community", org_slug=org_slug, community_slug=community.slug)
    return render(request, "measurement/policy.html", {"community": community, "form": form})


# Data entry and due data -------------------------------------------------------------


def _grid_lines(measures: list[Measure]) -> list[tuple[Measure, StratifierCategory | None]]:
    lines: list[tuple[Measure, StratifierCategory | None]] = []
    for measure in measures:
        lines.append((measure, None))
        for stratifier in measure.stratifiers.all():
            for category in stratifier.categories.all():
                category.stratifier = stratifier
                lines.append((measure, category))
    return lines


def _field(measure: Measure, category: StratifierCategory | None, name: str) -> str:
    return f"m{measure.pk}-c{category.pk if category else 0}-{name}"


@require_http_methods(["GET", "POST"])
def data_entry(
    request: OrganizationRequest, org_slug: str, community_slug: str, site_id: int
) -> HttpResponse:
    """The grid for one site and one period: every active measure of that frequency,
    its total and its strata. Drafts keep partial work; submitting sends the lines."""
    community = _community(request, community_slug)
    site = selectors.enrolled_site_get(community=community, site_id=site_id)
    access.require(access.can_submit(request.user, community))
    source = request.POST if request.method == "POST" else request.GET
    frequencies = selectors.measure_frequencies(community=community)
    default = (
        Measure.Frequency.MONTHLY if Measure.Frequency.MONTHLY in frequencies or not frequencies
        else frequencies[0]
    )  # fmt: skip
    chosen = period_forms.grid_period(source.get("period", ""), source.get("frequency"), default)
    frequency = chosen.frequency
    if frequency not in Measure.Frequency.values:
        raise Http404
    if chosen.problem:
        messages.error(request, chosen.problem)
    period = chosen.start or last_complete_period(frequency, timezone.localdate())
    measures = list(
        selectors.measures(community=community, active_only=True)
        .filter(frequency=frequency)
        .exclude(value_type=Measure.ValueType.RARE_EVENTS)
        .prefetch_related("stratifiers__categories")
    )
    # Rare-events measures take one line per event (their own form), not a figure.
    event_measures = list(
        selectors.measures(community=community, active_only=True).filter(
            value_type=Measure.ValueType.RARE_EVENTS
        )
    )
    lines = _grid_lines(measures)
    existing = selectors.grid_observations(measures=measures, site=site, period=period)
    errors: dict[int, list[dict]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "draft")
        entries = [
            services.GridEntry(
                measure=measure,
                category=category,
                **{
                    name: request.POST.get(_field(measure, category, name), "")
                    for name in ("numerator", "denominator", "value", "comment")
                },
            )
            for measure, category in lines
        ]
        saved, errors = services.observations_save_grid(
            actor=request.user,
            community=community,
            site=site,
            period=period,
            entries=entries,
            submit=action == "submit",
            language=translation.get_language(),
        )
        if not errors:
            if action == "submit":
                messages.success(
                    request,
                    ngettext("%(n)s value submitted.", "%(n)s values submitted.", saved)
                    % {"n": saved},
                )
            else:
                messages.success(
                    request,
                    ngettext("%(n)s value kept as a draft.", "%(n)s values kept as drafts.", saved)
                    % {"n": saved},
                )
            return redirect(f"{request.path}?frequency={frequency}&period={period.isoformat()}")
        messages.error(request, _("Nothing was saved: correct the lines marked below."))
    rows = []
    for index, (measure, category) in enumerate(lines):
        observation = existing.get((measure.pk, category.pk if category else 0))
        values = {}
        for name in ("numerator", "denominator", "value", "comment"):
            key = _field(measure, category, name)
            if request.method == "POST":
                values[name] = request.POST.get(key, "")
            elif observation is not None:
                raw = getattr(observation, name)
                values[name] = (
                    raw
                    if name == "comment"
                    else numbers.format_number(raw, translation.get_language())
                )
            else:
                values[name] = ""
        rows.append(
            {
                "measure": measure,
                "category": category,
                "prefix": _field(measure, category, ""),
                "values": values,
                "observation": observation,
                "errors": issues.with_messages(errors.get(index)),
                "ratio": measure.uses_ratio,
            }
        )
    return render(
        request,
        "measurement/data_entry.html",
        {
            "community": community,
            "site": site,
            "frequency": frequency,
            "frequencies": Measure.Frequency.choices,
            "period": period,
            "period_label": period_label(frequency, period),
            "previous": previous_period(frequency, period),
            "next": next_period(frequency, period),
            "rows": rows,
            "event_measures": event_measures,
            "number_example": numbers.format_number(1234.5, translation.get_language()),
            "has_errors": bool(errors),
        },
        status=400 if errors else 200,
    )


def due_overview(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """Per enrolled site: how many recent periods of each measure are due or missing."""
    community = _community(request, community_slug)
    rights = _rights(request, community)
    access.require(rights["can_submit"] or rights["can_approve"])
    return render(
        request,
        "measurement/due.html",
        {"community": community, "sites": selectors.due_data(community=community), **rights},
    )


def site_due(
    request: OrganizationRequest, org_slug: str, community_slug: str, site_id: int
) -> HttpResponse:
    community = _community(request, community_slug)
    selectors.enrolled_site_get(community=community, site_id=site_id)
    rights = _rights(request, community)
    access.require(rights["can_submit"] or rights["can_approve"])
    sites = selectors.due_data(community=community, site_id=site_id)
    return render(
        request,
        "measurement/site_due.html",
        {"community": community, "site_due": sites[0], **rights},
    )


# Review and observations ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """The approval queue: approve or return (with a comment) chosen rows or a batch."""
    community = _community(request, community_slug)
    access.require(access.can_approve(request.user, community))
    comment = ""
    if request.method == "POST":
        action = request.POST.get("action")
        comment = request.POST.get("comment", "")
        batch = None
        if request.POST.get("batch"):
            try:
                batch = selectors.import_batch_get(
                    organization=request.organization, batch_id=int(request.POST["batch"])
                )
            except ValueError:
                raise Http404 from None
            if batch.community_id != community.pk:
                raise Http404
        ids = [int(i) for i in request.POST.getlist("observation") if i.isdigit()]
        try:
            if action == "approve":
                n = services.observations_approve(
                    actor=request.user, community=community, observation_ids=ids, batch=batch
                )
                messages.success(
                    request, ngettext("%(n)s row approved.", "%(n)s rows approved.", n) % {"n": n}
                )
            elif action == "return" and request.POST.get("confirmed") != "1" and (ids or batch):
                return views_review.return_confirmation(request, community, ids, comment, batch)
            elif action == "return":
                n = services.observations_return(
                    actor=request.user, community=community, observation_ids=ids, batch=batch,
                    comment=comment,
                )  # fmt: skip
                messages.success(
                    request,
                    ngettext(
                        "%(n)s row returned to the stewards.",
                        "%(n)s rows returned to the stewards.",
                        n,
                    )
                    % {"n": n},
                )
            else:
                raise ValidationError(_("Choose approve or return."))
        except ValidationError as error:
            if action == "return" and (ids or batch):
                return views_review.return_confirmation(
                    request, community, ids, comment, batch, error
                )
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("measurement:review", org_slug=org_slug, community_slug=community.slug)
    pending = selectors.pending_review(community=community)
    page, query = page_of(request, pending, 100)
    batch_counts = list(selectors.pending_review_counts(community=community))
    rows = [(o, selectors.review_result(observation=o)) for o in page]
    return render(
        request,
        "measurement/review.html",
        {
            "community": community,
            "page": page,
            "rows": rows,
            "query": query,
            "batch_counts": batch_counts,
            "policy": access.data_policy(community),
            "comment": comment,
            **_rights(request, community),
        },
        status=200 if request.method == "GET" else 400,
    )


def observation_list(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """The CoP's data as this person may see it (sponsors: approved data only)."""
    community = _community(request, community_slug)
    access.require(access.can_view(request.user, community))
    form = ObservationFilterForm(request.GET or None, community=community)
    rows = selectors.observations_filtered(
        user=request.user,
        community=community,
        filters=form.cleaned_data if form.is_valid() else {},
    )
    page, query = page_of(request, rows, 100)
    discloser = ObservationDiscloser(user=request.user, community=community)
    page.object_list = list(page.object_list)
    for observation in page.object_list:
        observation.shown = discloser.figures(observation)
    export = QueryDict(query, mutable=True)
    export["community"] = community.slug
    export["format"] = "csv"
    return render(
        request,
        "measurement/observations.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "query": query,
            "export_url": reverse("api_measurement:observations", kwargs={"org_slug": org_slug})
            + "?"
            + export.urlencode(),
            "export_xlsx_url": reverse(
                "api_measurement:observations", kwargs={"org_slug": org_slug}
            )
            + "?"
            + export.urlencode().replace("format=csv", "format=xlsx"),
            "last_update": rows.aggregate(last=Max("updated_at"))["last"],
            **_rights(request, community),
        },
    )
