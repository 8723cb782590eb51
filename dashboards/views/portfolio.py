"""The organization's portfolio page (/o/<org>/portfolio/): every CoP the person may
see side by side, filterable by phase and topic, sortable, printable and downloadable
as CSV or XLSX. For org admins and the organization's sponsors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from communities.models import Phase
from copcore.http import OrganizationRequest
from dashboards import portfolio_export
from dashboards.selectors import portfolio as sel


def _rows(request: OrganizationRequest) -> tuple[list[sel.PortfolioRow], list[sel.PortfolioRow]]:
    role = request.membership.role if request.membership else None
    if not sel.may_see_portfolio(
        user=request.user, organization=request.organization, org_role=role
    ):
        raise PermissionDenied
    every = sel.portfolio(user=request.user, organization=request.organization, org_role=role)
    chosen = sel.filter_and_sort(
        every,
        phase=request.GET.get("phase", ""),
        topic=request.GET.get("topic", ""),
        sort=request.GET.get("sort", "name"),
    )
    return every, chosen


@require_GET
def portfolio(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    every, rows = _rows(request)
    file_format = request.GET.get("format", "")
    stamp = f"{request.organization.slug}-portfolio-{timezone.localdate():%Y-%m-%d}"
    if file_format == "csv":
        response = HttpResponse(
            portfolio_export.csv_text(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{stamp}.csv"'
        return response
    if file_format == "xlsx":
        response = HttpResponse(
            portfolio_export.xlsx_bytes(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{stamp}.xlsx"'
        return response
    sorts = [
        ("name", _("Name")),
        ("phase", _("Phase")),
        ("months", _("Months in phase")),
        ("progress", _("Progress score")),
        ("completeness", _("Data completeness")),
        ("overdue", _("Overdue action items")),
        ("escalations", _("Open escalations")),
    ]
    return render(
        request,
        "dashboards/portfolio.html",
        {
            "rows": rows,
            "total": len(every),
            "phases": Phase.choices,
            "topics": sel.topics(every),
            "sorts": sorts,
            "phase": request.GET.get("phase", ""),
            "topic": request.GET.get("topic", ""),
            "sort": request.GET.get("sort", "name"),
            "query": request.GET.urlencode(),
        },
    )
