"""The CoP dashboard and its measures: a measure's chart with annotations, its chart
settings and notes, site comparison, equity breakdowns and downloads.

Every figure comes from ``dashboards.selectors`` (disclosed for non-stewards);
someone who may not see the CoP's data gets the same 404 as for a missing page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from copcore import versioned_cache as cache
from copcore.forms import add_service_errors
from copcore.http import OrganizationRequest
from dashboards import charts, selectors, services
from dashboards.forms import (
    ChartNoteDeleteForm,
    ChartNoteForm,
    ChartSettingsForm,
    preference_charts,
)
from dashboards.models import (
    ChartNote,
    MeasureChartPreference,
)
from dashboards.views.common import (
    CHART_KINDS,
    FILE_FORMATS,
    Viewer,
    base_context,
    build_comparison,
    build_equity,
    build_measure_chart,
    community_audience,
    inline_svg,
    site_param,
)
from measurement.models import Measure, chart_label


@require_GET
def dashboard_home(
    request: OrganizationRequest, org_slug: str, community_slug: str
) -> HttpResponse:
    community, audience = community_audience(request, community_slug)
    # The measures table depends only on the data, who sees it and the language: it is
    # rendered once per data version and served from the cache after that.
    key = (
        f"dash:home-table:{community.pk}:{community.slug}:{request.organization.slug}:"
        f"{audience.data_key}:{audience.token}:{translation.get_language()}"
    )
    cached = cache.get(key)
    if cached is None:
        meta, summaries = selectors.overview(community=community, audience=audience)
        cards = [{"summary": s, "svg": mark_safe(s.spark_svg)} for s in summaries]  # noqa: S308
        table = render_to_string(
            "dashboards/_measures_table.html",
            {"cards": cards, "community": community, "current_organization": request.organization},
        )
        cached = (table, len(meta.sites))
        cache.set(key, cached, selectors.CACHE_SECONDS)
    table, n_sites = cached
    return render(
        request,
        "dashboards/home.html",
        base_context(
            request, community, audience,
            measures_table=mark_safe(table), n_sites=n_sites,  # noqa: S308 - our template
        ),
    )  # fmt: skip


@require_GET
def measure_page(
    request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int
) -> HttpResponse:
    community, audience = community_audience(request, community_slug)
    token = audience.token
    meta = selectors.community_meta(community, token)
    site_id = site_param(request, meta)
    meta, info, _arrays, chart = build_measure_chart(
        Viewer(request.user, request.membership), community, audience, measure_id, site_id
    )
    columns, table = chart.table()
    settings_form = ChartSettingsForm(
        initial={"chart_type": chart.chart, "method": chart.method}, options=chart.options
    )
    return render(
        request,
        "dashboards/measure.html",
        base_context(
            request,
            community,
            audience,
            info=info,
            chart=chart,
            svg=inline_svg(chart.spec),
            columns=columns,
            table=table,
            sites=meta.sites,
            site_id=site_id,
            settings_form=settings_form,
            chart_label=chart_label(chart.chart),
            method_label=dict(MeasureChartPreference.Method.choices).get(
                chart.method, chart.method
            ),
            note_form=ChartNoteForm(),
            restorable_note=_restorable_note(request, info.id),
            legend=selectors.signal_legend(),
            goal_display=selectors.goal_display(info),
        ),
    )


@require_POST
def measure_settings(
    request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int
) -> HttpResponse:
    community, audience = community_audience(request, community_slug)
    measure = Measure.objects.filter(community=community, pk=measure_id, is_active=True).first()
    if measure is None:
        raise Http404
    form = ChartSettingsForm(request.POST, options=preference_charts(measure))
    if form.is_valid():
        try:
            services.chart_preference_save(actor=request.user, measure=measure, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Chart settings saved for this measure."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(
        "dashboards:dashboard_measure",
        org_slug=org_slug, community_slug=community.slug, measure_id=measure.pk,
    )  # fmt: skip


@require_POST
def note_add(request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int):
    community, audience = community_audience(request, community_slug)
    measure = Measure.objects.filter(community=community, pk=measure_id).first()
    if measure is None:
        raise Http404
    if not audience.can_note:
        raise PermissionDenied
    form = ChartNoteForm(request.POST)
    site = selectors.enrolled_site(community=community, site_id=request.POST.get("site"))
    if form.is_valid():
        try:
            services.chart_note_add(
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
            % {"problems": " ".join(str(e) for errs in form.errors.values() for e in errs)},
        )
    url = reverse(
        "dashboards:dashboard_measure",
        kwargs={"org_slug": org_slug, "community_slug": community.slug, "measure_id": measure.pk},
    )
    return redirect(f"{url}?site={site.pk}" if site else url)


@require_http_methods(["GET", "POST"])
def note_delete(
    request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int, note_id: int
):
    """Deleting a note asks first: a page shows the note and says what will happen;
    only a POST carrying ``confirmed=1`` deletes it. Someone else's note needs a
    reason, recorded in the audit event."""
    community, audience = community_audience(request, community_slug)
    note = (
        ChartNote.objects.filter(community=community, measure_id=measure_id, pk=note_id)
        .select_related("author", "site", "measure")
        .first()
    )
    if note is None:
        raise Http404
    if note.author_id != request.user.pk and not audience.can_manage:
        raise PermissionDenied
    needs_reason = note.author_id not in (None, request.user.pk)
    confirmed = request.method == "POST" and request.POST.get("confirmed") == "1"
    form = ChartNoteDeleteForm(request.POST if confirmed else None, needs_reason=needs_reason)
    if confirmed and form.is_valid():
        try:
            services.chart_note_delete(
                actor=request.user, note=note, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not needs_reason:  # your own note: the measure page offers to put it back
                request.session[RESTORABLE_NOTE] = {
                    "measure": note.measure_id,
                    "period": note.period.isoformat(),
                    "text": note.text,
                    "site": note.site_id,
                }
            messages.success(request, _("The note was deleted."))
            return redirect(
                "dashboards:dashboard_measure",
                org_slug=org_slug, community_slug=community.slug, measure_id=measure_id,
            )  # fmt: skip
    return render(
        request,
        "dashboards/note_delete.html",
        base_context(request, community, audience, note=note, form=form, needs_reason=needs_reason),
    )


# The undo of deleting your own note: what it said, kept in the session for the next view
# of its measure's page, which offers to add it back (as a new note by the same author).
RESTORABLE_NOTE = "dashboards:restorable_note"


def _restorable_note(request: OrganizationRequest, measure_id: int) -> dict | None:
    kept = request.session.get(RESTORABLE_NOTE)
    if not kept or kept.get("measure") != measure_id:
        return None
    del request.session[RESTORABLE_NOTE]
    return kept


@require_GET
def measure_sites(
    request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int
):
    community, audience = community_audience(request, community_slug)
    anonymous = request.GET.get("anonymous") == "1"
    meta, info, panels, multiples, overall, funnel, funnel_spec = build_comparison(
        Viewer(request.user, request.membership), community, audience, measure_id, anonymous
    )
    return render(
        request,
        "dashboards/sites.html",
        base_context(
            request,
            community,
            audience,
            info=info,
            anonymous=anonymous,
            panels=panels,
            multiples_svg=inline_svg(multiples),
            funnel=funnel,
            overall=selectors.format_value(overall, info) if overall is not None else "",
            funnel_svg=inline_svg(funnel_spec) if funnel_spec else "",
            window=selectors.WINDOW,
        ),
    )


@require_GET
def measure_equity(
    request: OrganizationRequest, org_slug: str, community_slug: str, measure_id: int
):
    community, audience = community_audience(request, community_slug)
    meta, info, breakdowns = build_equity(community, audience, measure_id)
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
                        "value": "*" if p.suppressed else selectors.format_value(p.y, info),
                    }
                )
            gap = breakdown.gaps[i]
            rows.append(
                {
                    "period": total.label,
                    "cells": cells,
                    "total": "*" if total.suppressed else selectors.format_value(total.y, info),
                    "gap": selectors.format_value(gap[1], info).rstrip("%")
                    if gap[1] is not None
                    else "",
                    "best": gap[2],
                    "worst": gap[3],
                }
            )
        sections.append(
            {
                "breakdown": breakdown,
                "svg": inline_svg(spec),
                "rows": rows,
                "latest_gap": breakdown.latest_gap,
            }  # fmt: skip
        )
    return render(
        request,
        "dashboards/equity.html",
        base_context(request, community, audience, info=info, sections=sections),
    )


@require_GET
def measure_download(
    request: OrganizationRequest,
    org_slug: str,
    community_slug: str,
    measure_id: int,
    chart_kind: str,
    file_format: str,
) -> HttpResponse:
    """SVG, PNG or CSV of a chart, with the same disclosed figures as the page."""
    if chart_kind not in CHART_KINDS or file_format not in FILE_FORMATS:
        raise Http404
    community, audience = community_audience(request, community_slug)
    token = audience.token
    meta = selectors.community_meta(community, token)
    if chart_kind in ("cop", "site"):
        site_id = site_param(request, meta) if chart_kind == "site" else None
        if chart_kind == "site" and site_id is None:
            raise Http404
        _meta, info, _arrays, chart = build_measure_chart(
            Viewer(request.user, request.membership), community, audience, measure_id, site_id
        )
        spec = chart.spec
        columns, table = chart.table()
    elif chart_kind in ("sites", "funnel"):
        anonymous = request.GET.get("anonymous") == "1"
        _meta, info, panels, multiples, _overall, funnel, funnel_spec = build_comparison(
            Viewer(request.user, request.membership), community, audience, measure_id, anonymous
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
        _meta, info, breakdowns = build_equity(community, audience, measure_id)
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
