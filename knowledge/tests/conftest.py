"""Fixtures of the knowledge tests: media in a temporary folder, a second CoP of
organization A that the member does not belong to, and small builders."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import Tag
from copcore.testing import make_community
from knowledge import services
from knowledge.models import Asset


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def other_cop(world):
    """A CoP of organization A led by the convener; the member holds no role in it."""
    return make_community(world.org_a, world.convener, "Maternity CoP", "maternity")


def make_asset(world, *, actor=None, community="a", publish=True, **kwargs) -> Asset:
    community = world.community_a if community == "a" else community
    actor = actor or world.convener
    kwargs.setdefault("kind", Asset.Kind.CHECKLIST)
    kwargs.setdefault("title", "Sepsis screening checklist")
    kwargs.setdefault("body", "Screen every adult at triage.")
    kwargs.setdefault("visibility", "community" if community is not None else "organization")
    organization = community.organization if community is not None else world.org_a
    asset = services.asset_create(
        actor=actor, organization=organization, community=community, **kwargs
    )
    if publish:
        services.asset_publish(actor=world.convener, asset=asset)
    return asset


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_tag(organization, name: str) -> Tag:
    from django.utils.text import slugify

    return Tag.objects.create(organization=organization, name=name, slug=slugify(name))
