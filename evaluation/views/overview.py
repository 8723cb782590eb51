"""The evaluation home of a CoP and the CFIR/ERIC reference page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from copcore.http import OrganizationRequest
from evaluation import selectors
from evaluation.views.common import _ctx, _load

# --------------------------------------------------------------------------- overview


def home(request: OrganizationRequest, org_slug: str, community_slug: str) -> HttpResponse:
    access = _load(request, community_slug)
    community = access.community
    return render(
        request,
        "evaluation/home.html",
        _ctx(
            access,
            rounds=list(selectors.cfir_rounds(community=community)[:5]),
            surveys=list(selectors.surveys(community=community)[:10]),
            blockers=selectors.archive_blockers(community=community),
        ),
    )


def reference(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    """The CFIR 2.0 constructs and the ERIC strategies, for every member."""
    return render(
        request,
        "evaluation/reference.html",
        {"domains": selectors.cfir_domains(), "clusters": selectors.eric_clusters()},
    )
