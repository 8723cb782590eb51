"""Field notes a reader may see, and the curation queue of assets and notes waiting for review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Tag
from copcore.models import User
from knowledge.models import (
    Asset,
    AssetStatus,
    FieldNote,
    NoteStatus,
)
from knowledge.selectors.access import Viewer

WAITING_TOO_LONG = dt.timedelta(days=14)


# ---------------------------------------------------------------- field notes


def field_notes_visible(
    *,
    viewer: Viewer,
    community: Community | None = None,
    status: str | None = None,
    tag: Tag | None = None,
) -> QuerySet[FieldNote]:
    """Notes of the communities the person belongs to, and their own."""
    notes = FieldNote.objects.filter(organization=viewer.organization)
    if not viewer.is_org_member:
        return notes.none()
    notes = notes.filter(Q(community_id__in=viewer.ids("view")) | Q(author_id=viewer.user.pk))
    if community is not None:
        notes = notes.filter(community=community)
    if status:
        notes = notes.filter(status=status)
    if tag is not None:
        notes = notes.filter(tags=tag)
    return (
        notes.select_related("author", "community", "site")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("-created_at", "-id")
    )


def field_note_get(*, viewer: Viewer, note_id: int) -> FieldNote:
    note = (
        field_notes_visible(viewer=viewer)
        .prefetch_related("attachments", "promoted_assets")
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404
    return note


# ---------------------------------------------------------------- curation


@dataclass(frozen=True)
class QueueItem:
    """A submitted field note or asset as the curation queue shows it."""

    kind: str  # "field_note" or "asset"
    item_id: int
    title: str
    url: str
    community: Community | None
    author: User
    submitted_at: dt.datetime
    waited: dt.timedelta

    @property
    def waited_days(self) -> int:
        return self.waited.days

    @property
    def overdue(self) -> bool:
        return self.waited > WAITING_TOO_LONG


def curation_queue(*, viewer: Viewer, now: dt.datetime | None = None) -> list[QueueItem]:
    """Everything waiting for this curator, longest wait first (two queries)."""
    now = now or timezone.now()
    org = viewer.organization
    org_slug = org.slug
    curated = Q(community_id__in=viewer.ids("curate"))
    notes = FieldNote.objects.filter(organization=org, status=NoteStatus.SUBMITTED).filter(curated)
    asset_scope = curated | Q(community__isnull=True) if viewer.is_org_admin else curated
    assets = Asset.objects.filter(organization=org, status=AssetStatus.SUBMITTED).filter(
        asset_scope
    )
    items = [
        QueueItem(
            kind="field_note",
            item_id=note.pk,
            title=note.title,
            url=reverse("knowledge:note_detail", kwargs={"org_slug": org_slug, "note_id": note.pk}),
            community=note.community,
            author=note.author,
            submitted_at=note.submitted_at or note.created_at,
            waited=now - (note.submitted_at or note.created_at),
        )
        for note in notes.select_related("author", "community")
    ]
    items += [
        QueueItem(
            kind="asset",
            item_id=asset.pk,
            title=asset.title,
            url=reverse(
                "knowledge:asset_detail", kwargs={"org_slug": org_slug, "asset_id": asset.pk}
            ),
            community=asset.community,
            author=asset.owner,
            submitted_at=asset.submitted_at or asset.created_at,
            waited=now - (asset.submitted_at or asset.created_at),
        )
        for asset in assets.select_related("owner", "community")
    ]
    return sorted(items, key=lambda item: (item.submitted_at, item.kind, item.item_id))
