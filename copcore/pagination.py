"""One way for list pages to paginate, matching templates/pagination.html."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def page_of(request: HttpRequest, items, per_page: int) -> tuple[Page, str]:
    """The requested page of ``items`` (an invalid or missing number gives the first or
    last page) and the request's query string without ``page``, which the pager
    template puts in front of its page links so filters survive paging."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
