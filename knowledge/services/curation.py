"""The intake and curation workflow for assets and field notes: submit, request changes, decline,
publish or promote."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from copcore.models import User
from copcore.services import audit_record
from knowledge.models import (
    Asset,
    AssetStatus,
    FieldNote,
    NoteStatus,
    Visibility,
)
from knowledge.services.assets import asset_create
from knowledge.services.common import _notify


def _transition(
    *,
    actor: User,
    item: Asset | FieldNote,
    allowed_from: Iterable[str],
    to: str,
    verb: str,
    reason: str = "",
    reason_required: bool = False,
    notify_action: str | None = None,
) -> None:
    if item.status not in allowed_from:
        raise ValidationError(
            _("This cannot be done while the item is “%(status)s”.")
            % {"status": item.get_status_display()}
        )
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationError({"reason": _("Please give a reason: the author will read it.")})
    before = item.status
    item.status = to
    now = timezone.now()
    fields = ["status", "updated_at"]
    item.updated_at = now
    if to == "submitted":
        item.submitted_at = now
        item.curation_note = ""
        fields += ["submitted_at", "curation_note"]
    elif reason_required or reason:
        item.curation_note = reason
        fields.append("curation_note")
    if to == AssetStatus.PUBLISHED and isinstance(item, Asset):
        item.published_at = now
        item.curation_note = ""
        fields += ["published_at", "curation_note"]
    item.save(update_fields=fields)
    audit_record(
        organization=item.organization,
        actor=actor,
        verb=verb,
        target=item,
        data={"from": before, "to": to, "reason": reason},
    )
    if notify_action:
        kind = "asset" if isinstance(item, Asset) else "field_note"
        _notify(
            organization=item.organization,
            kind=kind,
            item_id=item.pk,
            action=notify_action,
            actor=actor,
        )


@transaction.atomic
def asset_submit(*, actor: User, asset: Asset) -> Asset:
    """An owner sends a draft asset to the curators."""
    if asset.current_version_id is None:
        raise ValidationError(_("Add content (a first version) before submitting."))
    _transition(
        actor=actor,
        item=asset,
        allowed_from=[AssetStatus.DRAFT, AssetStatus.CHANGES_REQUESTED, AssetStatus.DECLINED],
        to=AssetStatus.SUBMITTED,
        verb="knowledge.asset_submitted",
    )
    return asset


@transaction.atomic
def asset_request_changes(*, actor: User, asset: Asset, reason: str) -> Asset:
    _transition(
        actor=actor,
        item=asset,
        allowed_from=[AssetStatus.SUBMITTED],
        to=AssetStatus.CHANGES_REQUESTED,
        verb="knowledge.asset_changes_requested",
        reason=reason,
        reason_required=True,
        notify_action="changes_requested",
    )
    return asset


@transaction.atomic
def asset_decline(*, actor: User, asset: Asset, reason: str) -> Asset:
    _transition(
        actor=actor,
        item=asset,
        allowed_from=[AssetStatus.SUBMITTED],
        to=AssetStatus.DECLINED,
        verb="knowledge.asset_declined",
        reason=reason,
        reason_required=True,
        notify_action="declined",
    )
    return asset


@transaction.atomic
def asset_publish(*, actor: User, asset: Asset) -> Asset:
    """A curator publishes: readers the visibility allows can now see the asset."""
    if asset.current_version_id is None:
        raise ValidationError(_("An asset without content cannot be published."))
    _transition(
        actor=actor,
        item=asset,
        allowed_from=[AssetStatus.DRAFT, AssetStatus.SUBMITTED, AssetStatus.CHANGES_REQUESTED],
        to=AssetStatus.PUBLISHED,
        verb="knowledge.asset_published",
        notify_action="published",
    )
    return asset


@transaction.atomic
def field_note_submit(*, actor: User, note: FieldNote) -> FieldNote:
    _transition(
        actor=actor,
        item=note,
        allowed_from=[NoteStatus.POSTED, NoteStatus.CHANGES_REQUESTED, NoteStatus.DECLINED],
        to=NoteStatus.SUBMITTED,
        verb="knowledge.field_note_submitted",
    )
    return note


@transaction.atomic
def field_note_request_changes(*, actor: User, note: FieldNote, reason: str) -> FieldNote:
    _transition(
        actor=actor,
        item=note,
        allowed_from=[NoteStatus.SUBMITTED],
        to=NoteStatus.CHANGES_REQUESTED,
        verb="knowledge.field_note_changes_requested",
        reason=reason,
        reason_required=True,
        notify_action="changes_requested",
    )
    return note


@transaction.atomic
def field_note_decline(*, actor: User, note: FieldNote, reason: str) -> FieldNote:
    _transition(
        actor=actor,
        item=note,
        allowed_from=[NoteStatus.SUBMITTED],
        to=NoteStatus.DECLINED,
        verb="knowledge.field_note_declined",
        reason=reason,
        reason_required=True,
        notify_action="declined",
    )
    return note


@transaction.atomic
def field_note_promote(
    *, actor: User, note: FieldNote, kind: str = Asset.Kind.LESSON_LEARNED, title: str = ""
) -> Asset:
    """Turn a submitted note into an asset draft that keeps a link to the note. The
    note's author owns the draft; the curator is co-owner to shape it, then publishes."""
    _transition(
        actor=actor,
        item=note,
        allowed_from=[NoteStatus.SUBMITTED],
        to=NoteStatus.PROMOTED,
        verb="knowledge.field_note_promoted",
    )
    asset = asset_create(
        actor=actor,
        owner=note.author,
        organization=note.organization,
        community=note.community,
        kind=kind,
        title=title.strip() or note.title,
        summary="",
        visibility=Visibility.COMMUNITY,
        tags=note.tags.all(),
        co_owners=[actor],
        body=note.body,
        change_note=_("Promoted from the field note “%(title)s”") % {"title": note.title},
        source_field_note=note,
    )
    audit_record(
        organization=note.organization,
        actor=actor,
        verb="knowledge.asset_promoted_from_note",
        target=asset,
        data={"field_note": note.pk},
    )
    _notify(
        organization=note.organization,
        kind="field_note",
        item_id=note.pk,
        action="promoted",
        actor=actor,
    )
    return asset
