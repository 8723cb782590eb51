"""Digest sections from the knowledge app: new and updated assets and field notes,
PDSA tests of change and what they found (failures included), and the curation queue
for conveners. Four queries per batch, whatever its size."""

from __future__ import annotations

from django.db.models import Count, Min
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from copcore.rendering import plain_text
from knowledge.models import (
    Asset,
    AssetStatus,
    FieldNote,
    NoteStatus,
    PredictionHeld,
    TestOfChange,
    Visibility,
)
from notifications.sections.base import Batch, Collected, Item, for_members, site_url


class AssetsProvider:
    key = "knowledge"
    title = _("New and updated assets and field notes")
    order = 10

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        since = batch.earliest_since
        with scopes_disabled():  # explicit filters on the batch's communities below
            assets = (
                Asset.objects.filter(
                    community_id__in=batch.community_ids,
                    status=AssetStatus.PUBLISHED,
                    updated_at__gte=since,
                    visibility__in=[
                        Visibility.COMMUNITY,
                        Visibility.ORGANIZATION,
                        Visibility.PUBLIC,
                    ],
                )
                .order_by("-updated_at", "-id")
                .values_list("id", "community_id", "title", "summary", "updated_at", "published_at")
            )
            notes = (
                FieldNote.objects.filter(
                    community_id__in=batch.community_ids,
                    status__in=[NoteStatus.POSTED, NoteStatus.PROMOTED],
                    updated_at__gte=since,
                )
                .order_by("-updated_at", "-id")
                .values_list("id", "community_id", "title", "body", "updated_at", "status")
            )
            asset_rows = list(assets)
            note_rows = list(notes)
        for pk, community_id, title, summary, updated_at, published_at in asset_rows:
            org = batch.communities[community_id].organization.slug
            new = published_at is not None and published_at >= since
            item = Item(
                title=title,
                url=site_url("knowledge:asset_detail", org_slug=org, asset_id=pk),
                detail=plain_text(summary),
                note=_("New asset") if new else _("Updated asset"),
                when=updated_at,
            )
            for_members(batch, community_id, item, out, since=updated_at)
        for pk, community_id, title, body, updated_at, status in note_rows:
            org = batch.communities[community_id].organization.slug
            item = Item(
                title=title,
                url=site_url("knowledge:note_detail", org_slug=org, note_id=pk),
                detail=plain_text(body[:4000]),
                note=_("Field note, promoted to an asset")
                if status == NoteStatus.PROMOTED
                else _("Field note"),
                when=updated_at,
            )
            for_members(batch, community_id, item, out, since=updated_at)
        return out


class TestsProvider:
    key = "tests_of_change"
    title = _("Tests of change and what they found")
    order = 20

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        with scopes_disabled():
            rows = list(
                TestOfChange.objects.filter(
                    community_id__in=batch.community_ids, updated_at__gte=batch.earliest_since
                )
                .order_by("-updated_at", "-id")
                .values_list(
                    "id",
                    "community_id",
                    "title",
                    "status",
                    "prediction_held",
                    "act_decision",
                    "study_results",
                    "created_at",
                    "updated_at",
                )
            )
        for pk, community_id, title, _status, held, decision, results, created, updated in rows:
            org = batch.communities[community_id].organization.slug
            if held == PredictionHeld.NO:
                note = _("Did not work as predicted: worth learning from")
            elif held == PredictionHeld.PARTLY:
                note = _("Partly worked as predicted")
            elif held == PredictionHeld.YES:
                note = _("Worked as predicted")
            elif created >= batch.earliest_since:
                note = _("New test")
            else:
                note = _("Updated test")
            if decision:
                labels = dict(TestOfChange._meta.get_field("act_decision").flatchoices)
                note = format_lazy("{} · {}: {}", note, _("Decision"), labels[decision])
            item = Item(
                title=title,
                url=site_url("knowledge:test_detail", org_slug=org, test_id=pk),
                detail=plain_text(results),
                note=note,
                when=updated,
            )
            for_members(batch, community_id, item, out, since=updated)
        return out


class CurationQueueProvider:
    key = "curation_queue"
    title = _("Waiting for curation")
    order = 80

    def collect(self, batch: Batch) -> Collected:
        out: Collected = {}
        conveners = batch.conveners()
        convened = set().union(*conveners.values())
        if not convened:
            return out
        with scopes_disabled():
            waiting: dict[int, list[int]] = {}
            for model, status in (
                (FieldNote, NoteStatus.SUBMITTED),
                (Asset, AssetStatus.SUBMITTED),
            ):
                counts = (
                    model.objects.filter(community_id__in=convened, status=status)
                    .values("community_id")
                    .annotate(n=Count("id"), oldest=Min("submitted_at"))
                    .order_by()
                )
                for row in counts:
                    waiting.setdefault(row["community_id"], [0, 0])
                    waiting[row["community_id"]][0 if model is FieldNote else 1] += row["n"]
        for uid, community_ids in conveners.items():
            for community_id in community_ids:
                notes, assets = waiting.get(community_id, (0, 0))
                if not notes and not assets:
                    continue
                org = batch.communities[community_id].organization.slug
                item = Item(
                    title=_("Curation queue"),
                    url=site_url("knowledge:curation_queue", org_slug=org),
                    note=format_lazy(
                        "{}: {} · {}: {}", _("Field notes"), notes, _("Assets"), assets
                    ),
                )
                out.setdefault((uid, community_id), []).append(item)
        return out


PROVIDERS = [AssetsProvider(), TestsProvider(), CurationQueueProvider()]
