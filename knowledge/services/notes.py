"""Field notes: writing and editing them (their review is in ``curation``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, Tag
from copcore.models import User
from copcore.services import audit_record
from knowledge.models import (
    FieldNote,
    NoteStatus,
)
from knowledge.services.common import _check_tags
from knowledge.services.files import stored_file_create
from knowledge.uploads import validate_upload

# ---------------------------------------------------------------- field notes


@transaction.atomic
def field_note_create(
    *,
    actor: User,
    community: Community,
    title: str,
    body: str,
    site=None,
    tags: Iterable[Tag] = (),
    uploads: Iterable[UploadedFile] = (),
) -> FieldNote:
    """Post a quick note from the field (visible to the CoP at once)."""
    organization = community.organization
    if site is not None and site.organization_id != organization.pk:
        raise ValidationError({"site": _("Unknown site.")})
    tags = _check_tags(organization=organization, community=community, tags=tags)
    checked = [(upload, validate_upload(upload)) for upload in uploads or ()]  # before any write
    note = FieldNote.objects.create(
        organization=organization,
        community=community,
        author=actor,
        title=title.strip(),
        body=body.strip(),
        site=site,
    )
    note.tags.set(tags)
    for upload, check in checked:
        stored_file_create(
            actor=actor, organization=organization, uploaded=upload, field_note=note, check=check
        )
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.field_note_created",
        target=note,
        data={"community": community.pk, "attachments": len(checked)},
    )
    return note


@transaction.atomic
def field_note_update(
    *,
    actor: User,
    note: FieldNote,
    title: str,
    body: str,
    site=None,
    tags: Iterable[Tag] = (),
    uploads: Iterable[UploadedFile] = (),
) -> FieldNote:
    """The author edits a note (typically after changes were requested)."""
    if note.status in (NoteStatus.PROMOTED, NoteStatus.SUBMITTED):
        raise ValidationError(_("A note waiting for curation or promoted cannot be edited."))
    organization = note.organization
    if site is not None and site.organization_id != organization.pk:
        raise ValidationError({"site": _("Unknown site.")})
    tags = _check_tags(organization=organization, community=note.community, tags=tags)
    checked = [(upload, validate_upload(upload)) for upload in uploads or ()]  # before any write
    note.title = title.strip()
    note.body = body.strip()
    note.site = site
    note.updated_at = timezone.now()
    note.save(update_fields=["title", "body", "site", "updated_at"])
    note.tags.set(tags)
    for upload, check in checked:
        stored_file_create(
            actor=actor, organization=organization, uploaded=upload, field_note=note, check=check
        )
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.field_note_updated",
        target=note,
        data={"attachments_added": len(checked)},
    )
    return note
