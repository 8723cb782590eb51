"""Helpers the evaluation pages share: the community the viewer may see with their rights, the
template context and redirects."""

from __future__ import annotations

from django.shortcuts import redirect

from copcore.http import OrganizationRequest
from evaluation.access import Access, load


def _load(request: OrganizationRequest, community_slug: str, need: str | None = None) -> Access:
    return load(
        organization=request.organization,
        user=request.user,
        community_slug=community_slug,
        need=need,
    )


def _ctx(access: Access, **extra) -> dict:
    return {"community": access.community, "access": access, **extra}


def _to(name: str, org_slug: str, access: Access, **kwargs):
    return redirect(
        f"evaluation:{name}", org_slug=org_slug, community_slug=access.community.slug, **kwargs
    )
