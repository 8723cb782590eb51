"""The repository list, search and the curation queue."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from communities.selectors import tags_of_organization
from copcore.http import OrganizationRequest
from copcore.pagination import page_of
from knowledge import selectors
from knowledge.forms import (
    AssetFilterForm,
)
from knowledge.selectors import Viewer
from knowledge.views.common import PAGE_SIZE, _deny_unless, viewer


def _asset_filter_form(request: OrganizationRequest, v: Viewer) -> AssetFilterForm:
    org = request.organization
    return AssetFilterForm(
        request.GET or None,
        tags=tags_of_organization(organization=org),
        communities=selectors.communities_where(viewer=v, permission="view"),
        people=selectors.organization_people(organization=org),
    )


# ---------------------------------------------------------------- repository & search


@require_GET
def asset_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    form = _asset_filter_form(request, v)
    del form.fields["q"]  # words are for the search page; the list only filters
    page, pager_query = page_of(
        request, selectors.assets_visible(viewer=v, **form.filters()), PAGE_SIZE
    )
    return render(
        request,
        "knowledge/asset_list.html",
        {
            "form": form,
            "page": page,
            "query": pager_query,
            "can_create": bool(v.ids("add_asset")) or v.is_org_admin,
        },
    )


@require_GET
def search(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    form = _asset_filter_form(request, v)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    results = selectors.asset_search(viewer=v, query=query, **form.filters())
    page, pager_query = page_of(request, results, PAGE_SIZE) if query else (None, "")
    if page is not None:
        for asset in page.object_list:
            asset.snippet_html = selectors.snippet_html(getattr(asset, "snippet", ""))
    return render(
        request,
        "knowledge/search.html",
        {"form": form, "page": page, "q": query, "query": pager_query},
    )


# ---------------------------------------------------------------- curation queue


@require_GET
def curation_queue(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    _deny_unless(bool(v.ids("curate")) or v.is_org_admin)
    items = selectors.curation_queue(viewer=v)
    return render(
        request,
        "knowledge/curation_queue.html",
        {
            "items": items,
            "overdue_count": sum(1 for item in items if item.overdue),
            "limit_days": selectors.WAITING_TOO_LONG.days,
        },
    )
