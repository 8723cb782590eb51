"""The charter: free drafts, immutable numbered versions, acknowledgements."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import (
    CHARTER_SECTIONS,
    CharterAcknowledgement,
    CharterDraft,
    CharterVersion,
    Community,
)
from communities.services.roles import ensure_writable
from copcore.models import User
from copcore.services import audit_record

SECTION_KEYS = [key for key, _label in CHARTER_SECTIONS]


def charter_draft_get_or_create(*, community: Community) -> CharterDraft:
    draft, _created = CharterDraft.objects.get_or_create(
        community=community, defaults={"organization": community.organization}
    )
    return draft


@transaction.atomic
def charter_draft_update(*, actor: User, community: Community, sections: dict) -> CharterDraft:
    """Edit the draft charter freely (history is kept by simple-history)."""
    ensure_writable(community)
    unknown = set(sections) - set(SECTION_KEYS)
    if unknown:
        raise ValidationError(_("Unknown charter section."))
    draft = charter_draft_get_or_create(community=community)
    for key, text in sections.items():
        setattr(draft, key, (text or "").strip())
    draft.updated_by = actor
    draft.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.charter_draft_saved",
        target=community,
        data={"sections": sorted(sections)},
    )
    return draft


@transaction.atomic
def charter_publish(*, actor: User, community: Community, change_note: str = "") -> CharterVersion:
    """Publish the draft as the next immutable numbered version."""
    ensure_writable(community)
    Community.objects.select_for_update().filter(pk=community.pk).first()
    draft = charter_draft_get_or_create(community=community)
    if not draft.purpose.strip():
        raise ValidationError(_("A charter needs at least its purpose and shared outcome."))
    latest = CharterVersion.objects.filter(community=community).order_by("-number").first()
    if latest is not None and all(
        getattr(latest, key) == getattr(draft, key) for key in SECTION_KEYS
    ):
        raise ValidationError(_("The draft is the same as version %(n)s.") % {"n": latest.number})
    version = CharterVersion.objects.create(
        organization=community.organization,
        community=community,
        number=(latest.number + 1) if latest else 1,
        change_note=change_note.strip(),
        published_by=actor,
        **{key: getattr(draft, key) for key in SECTION_KEYS},
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="community.charter_published",
        target=community,
        data={"version": version.number},
    )
    return version


@transaction.atomic
def charter_acknowledge(*, actor: User, version: CharterVersion) -> CharterAcknowledgement:
    """A member acknowledges the current charter version (idempotent)."""
    ensure_writable(version.community)
    latest = CharterVersion.objects.filter(community=version.community).order_by("-number").first()
    if latest is None or latest.pk != version.pk:
        raise ValidationError(_("Only the current version of the charter can be acknowledged."))
    ack, created = CharterAcknowledgement.objects.get_or_create(
        organization=version.organization, version=version, user=actor
    )
    if created:
        audit_record(
            organization=version.organization,
            actor=actor,
            verb="community.charter_acknowledged",
            target=version.community,
            data={"version": version.number},
        )
    return ack
