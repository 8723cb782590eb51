"""The search page (/o/<org>/search/): one box over everything the person may see."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from communities.models import Community
from copcore.http import OrganizationRequest
from knowledge.search.forms import SearchForm
from knowledge.search.query import authors_for_filter, search
from knowledge.selectors import Viewer
from knowledge.views.common import viewer

PAGE_SIZE = 20


def search_form(data, v: Viewer) -> SearchForm:
    communities = Community.objects.filter(
        organization=v.organization, pk__in=v.ids("view") | v.ids("view_discussions")
    ).order_by("name")
    people = authors_for_filter(viewer=v).order_by("display_name")
    return SearchForm(data, communities=communities, people=people)


class _Window:
    """What Paginator needs from a result list it never loads whole: its length."""

    def __init__(self, total: int) -> None:
        self.total = total

    def __len__(self) -> int:
        return self.total

    def count(self) -> int:
        return self.total

    def __getitem__(self, item):
        return []


@require_GET
def one_search(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    v = viewer(request)
    form = search_form(request.GET or None, v)
    answer = None
    page: Page | None = None
    query_string = ""
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        filters = form.search_filters()
        number = request.GET.get("page", "1")
        page_number = int(number) if number.isdigit() and int(number) > 0 else 1
        answer = search(
            viewer=v,
            query=form.cleaned_data["q"],
            filters=filters,
            offset=(page_number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        page = Paginator(cast(Any, _Window(answer.total)), PAGE_SIZE).get_page(page_number)
        if page.number != page_number:  # past the last page: show the last one
            answer = search(
                viewer=v,
                query=form.cleaned_data["q"],
                filters=filters,
                offset=(page.number - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        params = request.GET.copy()
        params.pop("page", None)
        query_string = params.urlencode()
    facet_links = []
    if answer is not None:
        for facet in answer.facets.get("kind", []):
            params = request.GET.copy()
            params.pop("page", None)
            params["kind"] = facet.value
            facet_links.append((facet, params.urlencode()))
    all_kinds = request.GET.copy()
    all_kinds.pop("page", None)
    all_kinds.pop("kind", None)
    return render(
        request,
        "knowledge/one_search.html",
        {
            "form": form,
            "answer": answer,
            "page": page,
            "query": query_string,
            "facet_links": facet_links,
            "all_kinds_query": all_kinds.urlencode(),
            "selected_kind": request.GET.get("kind", ""),
        },
    )
