"""The organization's tag vocabulary and a community's tagging norms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from communities.models import (
    Community,
    Tag,
)
from communities.services.roles import ensure_writable
from copcore.models import Organization, User
from copcore.services import audit_record


@transaction.atomic
def tag_create(*, actor: User, organization: Organization, name: str, description: str = "") -> Tag:
    """Add a word to the organization's tag vocabulary (or return the existing one)."""
    name = name.strip()
    slug = slugify(name)[:60]
    if not slug:
        raise ValidationError({"name": _("A tag needs letters or numbers.")})
    tag, created = Tag.objects.get_or_create(
        organization=organization, slug=slug, defaults={"name": name, "description": description}
    )
    if created:
        audit_record(
            organization=organization,
            actor=actor,
            verb="community.tag_created",
            target=tag,
            data={"name": name},
        )
    return tag


@transaction.atomic
def community_tags_set(
    *, actor: User, community: Community, tags: list[Tag], new_names: list[str] | None = None
) -> Community:
    """Set the tagging norms: the tags members may use in this CoP. ``new_names`` are
    added to the organization's vocabulary first and allowed too."""
    ensure_writable(community)
    if any(tag.organization_id != community.organization_id for tag in tags):
        raise ValidationError({"tags": _("Unknown tag.")})
    tags = list(tags) + [
        tag_create(actor=actor, organization=community.organization, name=name)
        for name in new_names or []
        if name.strip()
    ]
    community.allowed_tags.set(tags)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.tags_set",
        target=community,
        data={"tags": sorted(tag.slug for tag in tags)},
    )
    return community
