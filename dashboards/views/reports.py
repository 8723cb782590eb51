"""A CoP's reports: the RE-AIM one-pager and its inputs, vitality and the sponsor view."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from copcore.http import OrganizationRequest
from dashboards import charts, selectors, services
from dashboards.forms import (
    CostRecordForm,
    ExpectedResultReviewForm,
    ReachSharesForm,
    ReAimProfileForm,
)
from dashboards.models import (
    CostRecord,
    ReachShare,
    ReAimProfile,
)
from dashboards.selectors import reaim, vitality
from dashboards.views.common import base_context, community_audience, inline_svg
from measurement.models import Measure


@require_GET
def reaim_page(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community, audience = community_audience(request, community_slug)
    page = reaim.one_pager(community=community, audience=audience)
    return render(
        request,
        "dashboards/reaim.html",
        base_context(request, community, audience, page=page),
    )


@require_http_methods(["GET", "POST"])
def reaim_inputs(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """Where data stewards record the RE-AIM figures no measure holds, and costs."""
    community, audience = community_audience(request, community_slug)
    if not audience.can_manage:
        raise PermissionDenied
    token = audience.token
    meta = selectors.community_meta(community, token)
    categories = []
    seen = set()
    for info in meta.measures:
        if info.reaim == Measure.ReAim.REACH:
            for strat in info.stratifiers:
                for cat_id, label in strat.categories:
                    if cat_id not in seen:
                        seen.add(cat_id)
                        categories.append((cat_id, f"{strat.name}: {label}"))
    profile = ReAimProfile.objects.filter(community=community).first()
    current_shares = dict(
        ReachShare.objects.filter(community=community).values_list("category_id", "eligible_count")
    )
    sites = selectors.enrolled_sites(community=community)
    action = request.POST.get("action", "")
    profile_form = ReAimProfileForm(
        request.POST if action == "profile" else None, instance=profile, prefix="profile"
    )
    shares_form = ReachSharesForm(
        request.POST if action == "shares" else None,
        categories=categories, initial_counts=current_shares, prefix="shares",
    )  # fmt: skip
    cost_form = CostRecordForm(
        request.POST if action == "cost" else None, sites=sites, prefix="cost"
    )
    results = selectors.expected_results_reviewed(community=community)
    if request.method == "POST":
        try:
            if action == "profile" and profile_form.is_valid():
                services.reaim_profile_save(
                    actor=request.user, community=community,
                    **{f: profile_form.cleaned_data[f] for f in ReAimProfileForm.Meta.fields},
                )  # fmt: skip
            elif action == "shares" and shares_form.is_valid():
                services.reach_shares_set(
                    actor=request.user, community=community, shares=shares_form.shares()
                )
            elif action == "cost" and cost_form.is_valid():
                services.cost_record_add(
                    actor=request.user, community=community, **cost_form.cleaned_data
                )
            elif action == "delete_cost":
                record = (
                    CostRecord.objects.filter(
                        community=community, pk=request.POST.get("cost_id") or 0
                    ).first()
                    if (request.POST.get("cost_id") or "").isdigit()
                    else None
                )
                if record is None:
                    raise Http404
                services.cost_record_delete(actor=request.user, record=record)
            elif action == "review":
                review_form = ExpectedResultReviewForm(request.POST)
                if not review_form.is_valid():
                    raise ValidationError(_("Choose a status for the expected result."))
                services.expected_result_review_save(
                    actor=request.user, community=community, **review_form.cleaned_data
                )
            else:
                raise ValidationError(_("Please correct the errors below."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect(
                "dashboards:dashboard_reaim_inputs",
                org_slug=org_slug,
                community_slug=community.slug,
            )
    review_forms = [
        (
            row["result"],
            ExpectedResultReviewForm(
                initial={
                    "position": row["result"].position,
                    "status": row["review"].status if row["review"] else "",
                    "note": row["review"].note if row["review"] else "",
                },
                auto_id=f"id_review_{row['result'].position}_%s",
            ),
        )
        for row in results
    ]
    costs = CostRecord.objects.filter(community=community).select_related("site")
    return render(
        request,
        "dashboards/reaim_inputs.html",
        base_context(
            request, community, audience,
            profile_form=profile_form, shares_form=shares_form, cost_form=cost_form,
            costs=costs, review_forms=review_forms,
        ),
    )  # fmt: skip


@require_GET
def vitality_page(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community, audience = community_audience(request, community_slug)
    report = vitality.community_vitality(community=community)
    spec = _vitality_spec(report)
    return render(
        request,
        "dashboards/vitality.html",
        base_context(request, community, audience, report=report, svg=inline_svg(spec)),
    )


def _vitality_spec(report) -> dict:
    series = [
        (_("Sessions held"), [{"period": m.label, "y": m.held} for m in report.months]),
        (_("Sessions planned"), [{"period": m.label, "y": m.planned} for m in report.months]),
        (_("Active members"), [{"period": m.label, "y": m.active_members} for m in report.months]),
        (_("Attendances"), [{"period": m.label, "y": m.attendances} for m in report.months]),
    ]
    return charts.equity_spec(title=_("Rhythm of learning"), y_title=_("Number"), series=series)


@require_GET
def sponsor_community(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    """The sponsor's read-only view: phase, expected results and their status, key
    measures with Making Data Count icons, RE-AIM and vitality, approved data only."""
    community, audience = community_audience(request, community_slug, sponsor_view=True)
    meta, summaries = selectors.overview(community=community, audience=audience)
    key = [s for s in summaries if s.info.kind == Measure.Kind.OUTCOME] or summaries
    page = reaim.one_pager(community=community, audience=audience)
    report = vitality.community_vitality(community=community)
    return render(
        request,
        "dashboards/sponsor.html",
        base_context(
            request, community, audience,
            key_measures=key, results=selectors.expected_results_reviewed(community=community),
            page=page, report=report, key_charts=_key_charts(community, audience, meta, key),
        ),
    )  # fmt: skip


def _key_charts(community, audience, meta, key) -> list[dict]:
    """The chart of each key measure for the whole CoP, from the same disclosed
    figures as everything else the sponsor sees, each with its data table. No
    annotations: notes and tests of change belong to the members' pages."""
    if not key:
        return []
    token = audience.token or selectors.data_token(community.organization)
    arrays = selectors.measure_arrays(
        community=community, audience=audience, meta=meta, token=token,
        measure_ids=[s.info.id for s in key],
    )  # fmt: skip
    shown = []
    for summary in key:
        points = selectors.total_series(summary.info, arrays[summary.info.id])
        chart = selectors.measure_chart(
            info=summary.info, points=points, preference=None, annotations=[],
            scope_label=_("whole CoP"),
        )  # fmt: skip
        columns, table = chart.table()
        shown.append(
            {
                "chart": chart,
                "svg": inline_svg(chart.spec),
                "columns": columns,
                "table": table,
                "goal": selectors.goal_display(summary.info),
            }
        )
    return shown
