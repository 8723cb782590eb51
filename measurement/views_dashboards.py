"""Dashboard pages: the CoP dashboard, measure charts with annotations, site comparison,
equity breakdowns, the RE-AIM one-pager, vitality, sponsor views and downloads.

Every figure comes from ``measurement.dashboards`` (disclosed for non-stewards);
someone who may not see the CoP's data gets the same 404 as for a missing page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.models import Community
from copcore import versioned_cache as cache
from copcore.permissions import OrgRole
from measurement import charts, dashboards, reaim, services_dashboards, vitality
from measurement.dashboards import Audience
from measurement.forms_dashboards import (
    CHART_LABELS,
    ChartNoteForm,
    ChartSettingsForm,
    CostRecordForm,
    DisclosureRuleForm,
    ExpectedResultReviewForm,
    ReachSharesForm,
    ReAimProfileForm,
)
from measurement.models import Measure
from measurement.models_dashboards import (
    ChartNote,
    CostRecord,
    MeasureChartPreference,
    ReachShare,
    ReAimProfile,
)

CHART_KINDS = ("cop", "site", "sites", "funnel", "equity")
FILE_FORMATS = ("svg", "png", "csv")


def _community(request: HttpRequest, community_slug: str, *, sponsor_view: bool = False):
    community, granted, token = dashboards.community_with_access(
        organization=request.organization,
        slug=community_slug,
        user=request.user,
        access_token=request.access_version,
    )
    audience = dashboards.audience_for(
        user=request.user,
        community=community,
        sponsor_view=sponsor_view,
        token=token,
        granted=granted,
    )
    dashboards.require_view(audience)
    # The CoP navigation reads the same cached permissions: a warm dashboard makes no
    # permission query (see communities/templatetags/cop_nav.py).
    community.nav_permissions = frozenset(granted)
    return community, audience


def _base_context(request, community: Community, audience: Audience, **extra) -> dict:
    return {
        "community": community,
        "audience": audience,
        "rule_text": audience.rule.describe(),
        **extra,
    }


def _svg(spec: dict) -> str:
    """Inline SVG from our own renderer (vl-convert escapes the text it draws)."""
    return mark_safe(charts.render_chart_svg(spec))  # noqa: S308


def _measure(request, community: Community, audience: Audience, measure_id: int):
    token = audience.token
    meta = dashboards.community_meta(community, token)
    info = meta.measure(measure_id)
    arrays = dashboards.measure_arrays(
        community=community, audience=audience, meta=meta, token=token, measure_ids=[info.id]
    )[info.id]
    return meta, info, arrays


def _site_param(request, meta) -> int | None:
    raw = request.GET.get("site") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return meta.site(int(raw)).id


def build_measure_chart(request, community, audience, measure_id: int, site_id: int | None):
    meta, info, arrays = _measure(request, community, audience, measure_id)
    if site_id is not None:
        site = meta.site(site_id)
        points = dashboards.site_series(info, arrays, site.id)
        scope_label = site.name
    else:
        points = dashboards.total_series(info, arrays)
        scope_label = _("whole CoP")
    notes_url = reverse(
        "measurement:dashboard_measure",
        kwargs={
            "org_slug": community.organization.slug,
            "community_slug": community.slug,
            "measure_id": info.id,
        },
    )
    annotations = dashboards.annotations_for(
        info=info,
        organization=community.organization,
        user=request.user,
        membership=request.membership,
        site_id=site_id,
        notes_url=notes_url,
    )
    chart = dashboards.measure_chart(
        info=info,
        points=points,
        preference=dashboards.chart_preference(user=request.user, measure_id=info.id),
        annotations=annotations,
        scope_label=scope_label,
    )
    return meta, info, arrays, chart


@require_GET
def dashboard_home(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community, audience = _community(request, community_slug)
    # The measures table depends only on the data, who sees it and the language: it is
    # rendered once per data version and served from the cache after that.
    key = (
        f"dash:home-table:{community.pk}:{community.slug}:{request.organization.slug}:"
        f"{audience.data_key}:{audience.token}:{translation.get_language()}"
    )
    cached = cache.get(key)
    if cached is None:
        meta, summaries = dashboards.overview(community=community, audience=audience)
        cards = [{"summary": s, "svg": mark_safe(s.spark_svg)} for s in summaries]  # noqa: S308
        table = render_to_string(
            "measurement/dashboards/_measures_table.html",
            {"cards": cards, "community": community, "current_organization": request.organization},
        )
        cached = (table, len(meta.sites))
        cache.set(key, cached, dashboards.CACHE_SECONDS)
    table, n_sites = cached
    return render(
        request,
        "measurement/dashboards/home.html",
        _base_context(
            request, community, audience,
            measures_table=mark_safe(table), n_sites=n_sites,  # noqa: S308 - our template
        ),
    )  # fmt: skip


@require_GET
def measure_page(
    request: HttpRequest, org_slug: str, community_slug: str, measure_id: int
) -> HttpResponse:
    community, audience = _community(request, community_slug)
    token = audience.token
    meta = dashboards.community_meta(community, token)
    site_id = _site_param(request, meta)
    meta, info, _arrays, chart = build_measure_chart(
        request, community, audience, measure_id, site_id
    )
    columns, table = chart.table()
    settings_form = ChartSettingsForm(
        initial={"chart_type": chart.chart, "method": chart.method}, value_type=info.value_type
    )
    return render(
        request,
        "measurement/dashboards/measure.html",
        _base_context(
            request,
            community,
            audience,
            info=info,
            chart=chart,
            svg=_svg(chart.spec),
            columns=columns,
            table=table,
            sites=meta.sites,
            site_id=site_id,
            settings_form=settings_form,
            chart_label=CHART_LABELS.get(chart.chart, chart.chart),
            method_label=dict(MeasureChartPreference.Method.choices).get(
                chart.method, chart.method
            ),
            note_form=ChartNoteForm(),
            legend=dashboards.signal_legend(),
        ),
    )


@require_POST
def measure_settings(
    request: HttpRequest, org_slug: str, community_slug: str, measure_id: int
) -> HttpResponse:
    community, audience = _community(request, community_slug)
    measure = Measure.objects.filter(community=community, pk=measure_id, is_active=True).first()
    if measure is None:
        raise Http404
    form = ChartSettingsForm(request.POST, value_type=measure.value_type)
    if form.is_valid():
        try:
            services_dashboards.chart_preference_save(
                actor=request.user, measure=measure, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Chart settings saved for this measure."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(
        "measurement:dashboard_measure",
        org_slug=org_slug, community_slug=community.slug, measure_id=measure.pk,
    )  # fmt: skip


@require_POST
def note_add(request: HttpRequest, org_slug: str, community_slug: str, measure_id: int):
    community, audience = _community(request, community_slug)
    measure = Measure.objects.filter(community=community, pk=measure_id).first()
    if measure is None:
        raise Http404
    if not audience.can_note:
        raise PermissionDenied
    form = ChartNoteForm(request.POST)
    site = dashboards.enrolled_site(community=community, site_id=request.POST.get("site"))
    if form.is_valid():
        try:
            services_dashboards.chart_note_add(
                actor=request.user, measure=measure, site=site, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your note is on the chart."))
    else:
        messages.error(
            request,
            _("The note was not added: %(problems)s")
            % {"problems": " ".join(e for errs in form.errors.values() for e in errs)},
        )
    url = reverse(
        "measurement:dashboard_measure",
        kwargs={"org_slug": org_slug, "community_slug": community.slug, "measure_id": measure.pk},
    )
    return redirect(f"{url}?site={site.pk}" if site else url)


@require_POST
def note_delete(
    request: HttpRequest, org_slug: str, community_slug: str, measure_id: int, note_id: int
):
    community, audience = _community(request, community_slug)
    note = ChartNote.objects.filter(community=community, measure_id=measure_id, pk=note_id).first()
    if note is None:
        raise Http404
    if note.author_id != request.user.pk and not audience.can_manage:
        raise PermissionDenied
    services_dashboards.chart_note_delete(actor=request.user, note=note)
    messages.success(request, _("The note was deleted."))
    return redirect(
        "measurement:dashboard_measure",
        org_slug=org_slug, community_slug=community.slug, measure_id=measure_id,
    )  # fmt: skip


def _site_labels(community, meta, anonymous: bool) -> dict[int, str]:
    if anonymous:
        return dashboards.anonymous_labels(community.pk, [s.id for s in meta.sites])
    return {s.id: s.name for s in meta.sites}


def _sites_order(meta, labels: dict[int, str], anonymous: bool):
    if anonymous:
        return sorted(meta.sites, key=lambda s: (len(labels[s.id]), labels[s.id]))
    return list(meta.sites)  # by name, then code: a neutral order


def build_comparison(request, community, audience, measure_id: int, anonymous: bool):
    meta, info, arrays = _measure(request, community, audience, measure_id)
    labels = _site_labels(community, meta, anonymous)
    ordered = _sites_order(meta, labels, anonymous)
    preference = dashboards.chart_preference(user=request.user, measure_id=info.id)
    chart_type, method = dashboards.chart_choice(info, preference)
    panels = []
    for site in ordered:
        points = dashboards.site_series(info, arrays, site.id)
        result = dashboards.analyse_series(info, points, chart_type, method)
        panels.append(
            (labels[site.id], dashboards.chart_rows(points, result, method, info.direction))
        )
    y_title = info.unit or info.name
    multiples = charts.small_multiples_spec(
        title=_("%(measure)s by site (shared scale)") % {"measure": info.name},
        y_title=y_title,
        panels=panels,
    )
    overall, funnel = dashboards.funnel_points(info, arrays, labels)
    funnel_spec = None
    if overall is not None and funnel:
        denominators = [p.den.value for p in funnel if p.den.value]
        limits = charts.funnel_limits(
            overall=overall,
            denominators=denominators,
            kind="proportion" if info.value_type == Measure.ValueType.PROPORTION else "rate",
            multiply=info.multiply,
        )
        funnel_spec = charts.funnel_spec(
            title=_("%(measure)s: funnel plot of the last %(n)s periods")
            % {"measure": info.name, "n": dashboards.WINDOW},
            y_title=y_title,
            x_title=_("Denominator"),
            points=[
                {"site": p.label, "n": p.den.value, "y": p.y, "outside": p.outside}
                for p in funnel
                if p.y is not None and p.den.value
            ],
            overall=overall,
            limits=limits,
        )
    return meta, info, panels, multiples, overall, funnel, funnel_spec


@require_GET
def measure_sites(request: HttpRequest, org_slug: str, community_slug: str, measure_id: int):
    community, audience = _community(request, community_slug)
    anonymous = request.GET.get("anonymous") == "1"
    meta, info, panels, multiples, overall, funnel, funnel_spec = build_comparison(
        request, community, audience, measure_id, anonymous
    )
    return render(
        request,
        "measurement/dashboards/sites.html",
        _base_context(
            request,
            community,
            audience,
            info=info,
            anonymous=anonymous,
            panels=panels,
            multiples_svg=_svg(multiples),
            funnel=funnel,
            overall=dashboards.format_value(overall, info) if overall is not None else "",
            funnel_svg=_svg(funnel_spec) if funnel_spec else "",
            window=dashboards.WINDOW,
        ),
    )


def build_equity(request, community, audience, measure_id: int):
    meta, info, arrays = _measure(request, community, audience, measure_id)
    breakdowns = dashboards.equity_breakdowns(info, arrays)
    y_title = info.unit or info.name
    result = []
    for breakdown in breakdowns:
        spec = charts.equity_spec(
            title=_("%(measure)s by %(stratifier)s")
            % {"measure": info.name, "stratifier": breakdown.stratifier.name},
            y_title=y_title,
            series=[
                (label, [{"period": p.label, "y": p.y} for p in points])
                for _cat, label, points in breakdown.series
            ],
        )
        result.append((breakdown, spec))
    return meta, info, result


@require_GET
def measure_equity(request: HttpRequest, org_slug: str, community_slug: str, measure_id: int):
    community, audience = _community(request, community_slug)
    meta, info, breakdowns = build_equity(request, community, audience, measure_id)
    sections = []
    for breakdown, spec in breakdowns:
        rows = []
        for i, total in enumerate(breakdown.total):
            cells = []
            for _cat, _label, points in breakdown.series:
                p = points[i]
                cells.append(
                    {
                        "num": p.num.display,
                        "den": p.den.display if p.den else "",
                        "value": "*" if p.suppressed else dashboards.format_value(p.y, info),
                    }
                )
            gap = breakdown.gaps[i]
            rows.append(
                {
                    "period": total.label,
                    "cells": cells,
                    "total": "*" if total.suppressed else dashboards.format_value(total.y, info),
                    "gap": dashboards.format_value(gap[1], info).rstrip("%")
                    if gap[1] is not None
                    else "",
                    "best": gap[2],
                    "worst": gap[3],
                }
            )
        sections.append(
            {
                "breakdown": breakdown,
                "svg": _svg(spec),
                "rows": rows,
                "latest_gap": breakdown.latest_gap,
            }  # fmt: skip
        )
    return render(
        request,
        "measurement/dashboards/equity.html",
        _base_context(request, community, audience, info=info, sections=sections),
    )


@require_GET
def measure_download(
    request: HttpRequest,
    org_slug: str,
    community_slug: str,
    measure_id: int,
    chart_kind: str,
    file_format: str,
) -> HttpResponse:
    """SVG, PNG or CSV of a chart, with the same disclosed figures as the page."""
    if chart_kind not in CHART_KINDS or file_format not in FILE_FORMATS:
        raise Http404
    community, audience = _community(request, community_slug)
    token = audience.token
    meta = dashboards.community_meta(community, token)
    if chart_kind in ("cop", "site"):
        site_id = _site_param(request, meta) if chart_kind == "site" else None
        if chart_kind == "site" and site_id is None:
            raise Http404
        _meta, info, _arrays, chart = build_measure_chart(
            request, community, audience, measure_id, site_id
        )
        spec = chart.spec
        columns, table = chart.table()
    elif chart_kind in ("sites", "funnel"):
        anonymous = request.GET.get("anonymous") == "1"
        _meta, info, panels, multiples, _overall, funnel, funnel_spec = build_comparison(
            request, community, audience, measure_id, anonymous
        )
        if chart_kind == "sites":
            spec = multiples
            columns = [_("Site"), _("Period"), _("Value"), _("Centre line")]
            table = [
                [label, r["period"], "*" if r["suppressed"] else _fmt(r["y"]), _fmt(r["cl"])]
                for label, rows in panels
                for r in rows
            ]
        else:
            if funnel_spec is None:
                raise Http404
            spec = funnel_spec
            columns = [
                _("Site"),
                _("Numerator"),
                _("Denominator"),
                _("Value"),
                # xgettext:no-python-format
                _("Outside 99.8% limits"),
            ]
            table = [
                [
                    p.label,
                    p.num.display,
                    p.den.display,
                    "*" if p.y is None else _fmt(p.y),
                    _("yes") if p.outside else _("no"),
                ]  # fmt: skip
                for p in funnel
            ]
    else:
        _meta, info, breakdowns = build_equity(request, community, audience, measure_id)
        wanted = request.GET.get("stratifier", "")
        chosen = [(b, s) for b, s in breakdowns if str(b.stratifier.id) == wanted] or breakdowns[:1]
        if not chosen:
            raise Http404
        breakdown, spec = chosen[0]
        columns = [_("Period"), _("Group"), _("Numerator"), _("Denominator"), _("Value")]
        table = [
            [
                p.label,
                label,
                p.num.display,
                p.den.display if p.den else "",
                "*" if p.suppressed else _fmt(p.y),
            ]  # fmt: skip
            for _cat, label, points in breakdown.series
            for p in points
        ]
    filename = f"{info.code}-{chart_kind}.{file_format}"
    if file_format == "svg":
        response = HttpResponse(charts.render_chart_svg(spec), content_type="image/svg+xml")
    elif file_format == "png":
        response = HttpResponse(charts.render_chart_png(spec), content_type="image/png")
    else:
        response = HttpResponse(
            charts.table_csv(columns, table), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@require_GET
def reaim_page(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community, audience = _community(request, community_slug)
    page = reaim.one_pager(community=community, audience=audience)
    return render(
        request,
        "measurement/dashboards/reaim.html",
        _base_context(request, community, audience, page=page),
    )


@require_http_methods(["GET", "POST"])
def reaim_inputs(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """Where data stewards record the RE-AIM figures no measure holds, and costs."""
    community, audience = _community(request, community_slug)
    if not audience.can_manage:
        raise PermissionDenied
    token = audience.token
    meta = dashboards.community_meta(community, token)
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
    sites = dashboards.enrolled_sites(community=community)
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
    results = dashboards.expected_results_reviewed(community=community)
    if request.method == "POST":
        try:
            if action == "profile" and profile_form.is_valid():
                services_dashboards.reaim_profile_save(
                    actor=request.user, community=community,
                    **{f: profile_form.cleaned_data[f] for f in ReAimProfileForm.Meta.fields},
                )  # fmt: skip
            elif action == "shares" and shares_form.is_valid():
                services_dashboards.reach_shares_set(
                    actor=request.user, community=community, shares=shares_form.shares()
                )
            elif action == "cost" and cost_form.is_valid():
                services_dashboards.cost_record_add(
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
                services_dashboards.cost_record_delete(actor=request.user, record=record)
            elif action == "review":
                review_form = ExpectedResultReviewForm(request.POST)
                if not review_form.is_valid():
                    raise ValidationError(_("Choose a status for the expected result."))
                services_dashboards.expected_result_review_save(
                    actor=request.user, community=community, **review_form.cleaned_data
                )
            else:
                raise ValidationError(_("Please correct the errors below."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect(
                "measurement:dashboard_reaim_inputs",
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
        "measurement/dashboards/reaim_inputs.html",
        _base_context(
            request, community, audience,
            profile_form=profile_form, shares_form=shares_form, cost_form=cost_form,
            costs=costs, review_forms=review_forms,
        ),
    )  # fmt: skip


@require_GET
def vitality_page(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    community, audience = _community(request, community_slug)
    report = vitality.community_vitality(community=community)
    spec = _vitality_spec(report)
    return render(
        request,
        "measurement/dashboards/vitality.html",
        _base_context(request, community, audience, report=report, svg=_svg(spec)),
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
def sponsor_community(request: HttpRequest, org_slug: str, community_slug: str) -> HttpResponse:
    """The sponsor's read-only view: phase, expected results and their status, key
    measures with Making Data Count icons, RE-AIM and vitality, approved data only."""
    community, audience = _community(request, community_slug, sponsor_view=True)
    meta, summaries = dashboards.overview(community=community, audience=audience)
    key = [s for s in summaries if s.info.kind == Measure.Kind.OUTCOME] or summaries
    page = reaim.one_pager(community=community, audience=audience)
    report = vitality.community_vitality(community=community)
    return render(
        request,
        "measurement/dashboards/sponsor.html",
        _base_context(
            request, community, audience,
            key_measures=key, results=dashboards.expected_results_reviewed(community=community),
            page=page, report=report,
        ),
    )  # fmt: skip


@require_GET
def dashboards_index(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The CoPs whose data the person may see, with links to their dashboards."""
    rows = [
        {"community": community, "read_only": read_only}
        for community, read_only in dashboards.viewable_communities(
            user=request.user, organization=request.organization
        )
    ]
    return render(request, "measurement/dashboards/index.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def disclosure_settings(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organization's disclosure rule: org admins only."""
    if request.membership.role != OrgRole.ADMIN:
        raise PermissionDenied
    instance = dashboards.disclosure_rule_get(organization=request.organization)
    form = DisclosureRuleForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services_dashboards.disclosure_rule_save(
            actor=request.user, organization=request.organization, **form.cleaned_data
        )
        messages.success(request, _("The disclosure rule is saved and applies everywhere now."))
        return redirect("measurement:dashboard_disclosure", org_slug=org_slug)
    return render(request, "measurement/dashboards/disclosure.html", {"form": form})
