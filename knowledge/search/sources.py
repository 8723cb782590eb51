"""The searchable kinds: what each indexes and who may read it. Each rule repeats the
selector its pages use (``asset_visible_q``, ``field_notes_visible``, ``tests_visible``,
the discussion and session pages' community permissions) as columns the query filters on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communities.models import CharterVersion, Post, Thread
from copcore.rendering import plain_text
from evaluation.models import Conclusion
from knowledge.models import Asset, AssetStatus, AssetVersion, FieldNote, TestOfChange, Visibility
from knowledge.search.models import Audience
from knowledge.search.registry import Doc, Source, register, tag_names
from sessions.models import ActionItem, Decision, Session, TranscriptCue


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _asset_audience(asset: Asset) -> str:
    if asset.status != AssetStatus.PUBLISHED:
        return Audience.PRIVATE
    if asset.visibility in (Visibility.ORGANIZATION, Visibility.PUBLIC):
        return Audience.ORGANIZATION
    return Audience.COMMUNITY


def _asset_readers(asset: Asset) -> list[int]:
    readers = [user.pk for user in asset.co_owners.all()]
    if asset.owner_id:
        readers.append(asset.owner_id)
    return sorted(set(readers))


@register
class AssetSource(Source):
    """Published assets by their visibility; drafts to their owners and the curators."""

    kind = "asset"
    model = Asset
    label = _("Asset")

    def rebuild_queryset(self) -> QuerySet:
        return Asset._base_manager.select_related("organization", "community").prefetch_related(
            "tags", "co_owners"
        )

    def document(self, obj: Asset) -> Doc:
        return Doc(
            organization_id=obj.organization_id,
            community_id=obj.community_id,
            url=reverse(
                "knowledge:asset_detail",
                kwargs={"org_slug": obj.organization.slug, "asset_id": obj.pk},
            ),
            title=obj.title,
            body=_join(obj.summary, obj.search_body),
            date=obj.updated_at,
            audience=_asset_audience(obj),
            author_id=obj.owner_id,
            tags=tag_names(obj),
            reader_ids=_asset_readers(obj),
            curators_see=True,
        )

    def dependents(self, obj: Asset) -> Iterable[tuple[str, int]]:
        ids = AssetVersion._base_manager.filter(asset_id=obj.pk).values_list("pk", flat=True)
        return [("asset_version", pk) for pk in ids]


@register
class AssetVersionSource(Source):
    """Earlier versions of an asset, readable by whoever may read the asset."""

    kind = "asset_version"
    model = AssetVersion
    label = _("Asset version")

    def rebuild_queryset(self) -> QuerySet:
        return AssetVersion._base_manager.select_related(
            "asset__organization", "asset__community", "file"
        ).prefetch_related("asset__tags", "asset__co_owners")

    def document(self, obj: AssetVersion) -> Doc | None:
        asset = obj.asset
        if asset.current_version_id == obj.pk:
            return None  # the asset's own document holds its current version
        body = _join(plain_text(obj.body), obj.change_note)
        if obj.file is not None:
            body = _join(body, obj.file.original_name, obj.file.extracted_text)
        return Doc(
            organization_id=obj.organization_id,
            community_id=asset.community_id,
            url=reverse(
                "knowledge:version_detail",
                kwargs={
                    "org_slug": asset.organization.slug,
                    "asset_id": asset.pk,
                    "version_number": obj.number,
                },
            ),
            title=f"{asset.title} (v{obj.number})",
            body=body,
            date=obj.created_at,
            audience=_asset_audience(asset),
            author_id=obj.author_id,
            tags=tag_names(asset),
            reader_ids=_asset_readers(asset),
            curators_see=True,
        )

    def dependents(self, obj: AssetVersion) -> Iterable[tuple[str, int]]:
        return [("asset", obj.asset_id)]


@register
class FieldNoteSource(Source):
    """Field notes: members of the CoP and the note's author (``field_notes_visible``)."""

    kind = "note"
    model = FieldNote
    label = _("Field note")

    def rebuild_queryset(self) -> QuerySet:
        return FieldNote._base_manager.select_related("organization").prefetch_related("tags")

    def document(self, obj: FieldNote) -> Doc:
        return Doc(
            organization_id=obj.organization_id,
            community_id=obj.community_id,
            url=reverse(
                "knowledge:note_detail",
                kwargs={"org_slug": obj.organization.slug, "note_id": obj.pk},
            ),
            title=obj.title,
            body=plain_text(obj.body),
            date=obj.created_at,
            author_id=obj.author_id,
            tags=tag_names(obj),
            reader_ids=[obj.author_id] if obj.author_id else [],
        )


_TEST_FIELDS = (
    "change_idea",
    "objective",
    "question",
    "prediction",
    "plan_who",
    "plan_what",
    "plan_when",
    "plan_where",
    "plan_data",
    "do_what_happened",
    "do_observations",
    "study_results",
    "act_notes",
)


@register
class TestOfChangeSource(Source):
    """PDSA tests, every stage's text: members of the CoP and the author (``tests_visible``)."""

    kind = "test"
    model = TestOfChange
    label = _("PDSA test")

    def rebuild_queryset(self) -> QuerySet:
        return TestOfChange._base_manager.select_related("organization").prefetch_related("tags")

    def document(self, obj: TestOfChange) -> Doc:
        return Doc(
            organization_id=obj.organization_id,
            community_id=obj.community_id,
            url=reverse(
                "knowledge:test_detail",
                kwargs={"org_slug": obj.organization.slug, "test_id": obj.pk},
            ),
            title=obj.title,
            body=_join(*(getattr(obj, name) for name in _TEST_FIELDS)),
            date=obj.updated_at,
            author_id=obj.author_id,
            tags=tag_names(obj),
            reader_ids=[obj.author_id] if obj.author_id else [],
        )


def _community_kwargs(obj: Any) -> dict[str, str]:
    return {"org_slug": obj.organization.slug, "community_slug": obj.community.slug}


@register
class ThreadSource(Source):
    """Discussion threads (title and closing summary): people who may view discussions."""

    kind = "thread"
    model = Thread
    label = _("Discussion")

    def rebuild_queryset(self) -> QuerySet:
        return Thread._base_manager.select_related("organization", "community").prefetch_related(
            "tags"
        )

    def document(self, obj: Thread) -> Doc:
        return Doc(
            organization_id=obj.organization_id,
            community_id=obj.community_id,
            url=reverse(
                "communities:thread_detail",
                kwargs={**_community_kwargs(obj), "thread_id": obj.pk},
            ),
            title=obj.title,
            body=obj.closing_summary,
            date=obj.created_at,
            permission="view_discussions",
            author_id=obj.author_id,
            tags=tag_names(obj),
        )

    def dependents(self, obj: Thread) -> Iterable[tuple[str, int]]:
        ids = Post._base_manager.filter(thread_id=obj.pk).values_list("pk", flat=True)
        return [("post", pk) for pk in ids]


@register
class PostSource(Source):
    """Posts, opening at their anchor in the thread; hidden posts are not searchable."""

    kind = "post"
    model = Post
    label = _("Discussion post")

    def rebuild_queryset(self) -> QuerySet:
        return Post._base_manager.select_related(
            "organization", "community", "thread"
        ).prefetch_related("thread__tags")

    def document(self, obj: Post) -> Doc | None:
        if obj.is_hidden:
            return None
        url = reverse(
            "communities:thread_detail",
            kwargs={**_community_kwargs(obj), "thread_id": obj.thread_id},
        )
        return Doc(
            organization_id=obj.organization_id,
            community_id=obj.community_id,
            url=f"{url}#post-{obj.pk}",
            title=obj.thread.title,
            body=plain_text(obj.body),
            date=obj.created_at,
            permission="view_discussions",
            author_id=obj.author_id,
            tags=tag_names(obj.thread),
        )


@register
class CharterSource(Source):
    """Published charter versions: members of the CoP."""

    kind = "charter"
    model = CharterVersion
    label = _("Charter")

    def rebuild_queryset(self) -> QuerySet:
        return CharterVersion._base_manager.select_related("organization", "community")

    def document(self, obj: CharterVersion) -> Doc:
        return Doc(
            organization_id=obj.organization_id,
            community_id=obj.community_id,
            url=reverse(
                "communities:charter_version",
                kwargs={**_community_kwargs(obj), "version_number": obj.number},
            ),
            title=f"{_('Charter')} v{obj.number}",
            body=_join(*(text for _key, _label, text in obj.sections())),
            date=obj.published_at,
            author_id=obj.published_by_id,
        )


@register
class ConclusionSource(Source):
    """The CoP's conclusion record (lessons, review, recommendations): members of the CoP."""

    kind = "conclusion"
    model = Conclusion
    label = _("Conclusion")

    def rebuild_queryset(self) -> QuerySet:
        return Conclusion._base_manager.select_related("organization", "community")

    def document(self, obj: Conclusion) -> Doc | None:
        body = _join(obj.lessons_learned, obj.post_action_review, obj.recommendations)
        if not body:
            return None
        return Doc(
            organization_id=obj.organization_id,
            community_id=obj.community_id,
            url=reverse("evaluation:conclusion", kwargs=_community_kwargs(obj)),
            title=f"{_('Conclusion')}: {obj.community.name}",
            body=body,
            date=obj.updated_at,
            author_id=obj.updated_by_id,
        )


def _session_url(session: Session, anchor: str = "") -> str:
    url = reverse(
        "sessions:session_detail",
        kwargs={**_community_kwargs(session), "session_id": session.pk},
    )
    return f"{url}#{anchor}" if anchor else url


@register
class SessionSource(Source):
    """Session agendas, summaries and action plans: members of the CoP."""

    kind = "session"
    model = Session
    label = _("Session")

    def rebuild_queryset(self) -> QuerySet:
        return Session._base_manager.select_related("organization", "community")

    def document(self, obj: Session) -> Doc:
        return Doc(
            organization_id=obj.organization_id,
            community_id=obj.community_id,
            url=_session_url(obj),
            title=obj.title,
            body=_join(obj.agenda, obj.summary, obj.action_plan),
            date=obj.starts_at,
            author_id=obj.facilitator_id,
        )

    def dependents(self, obj: Session) -> Iterable[tuple[str, int]]:
        decisions = Decision._base_manager.filter(session_id=obj.pk).values_list("pk", flat=True)
        actions = ActionItem._base_manager.filter(session_id=obj.pk).values_list("pk", flat=True)
        cues = TranscriptCue._base_manager.filter(transcript__session_id=obj.pk).values_list(
            "pk", flat=True
        )
        return (
            [("decision", pk) for pk in decisions]
            + [("action_item", pk) for pk in actions]
            + [("transcript", pk) for pk in cues]
        )


@register
class DecisionSource(Source):
    kind = "decision"
    model = Decision
    label = _("Decision")

    def rebuild_queryset(self) -> QuerySet:
        return Decision._base_manager.select_related(
            "organization", "session__community", "session__organization"
        )

    def document(self, obj: Decision) -> Doc:
        session = obj.session
        return Doc(
            organization_id=obj.organization_id,
            community_id=session.community_id,
            url=_session_url(session, f"decision-{obj.pk}"),
            title=session.title,
            body=obj.text,
            date=obj.created_at,
            author_id=obj.owner_id,
        )


@register
class ActionItemSource(Source):
    kind = "action_item"
    model = ActionItem
    label = _("Action item")

    def rebuild_queryset(self) -> QuerySet:
        return ActionItem._base_manager.select_related(
            "organization", "session__community", "session__organization"
        )

    def document(self, obj: ActionItem) -> Doc:
        session = obj.session
        return Doc(
            organization_id=obj.organization_id,
            community_id=obj.community_id,
            url=_session_url(session, f"action-{obj.pk}"),
            title=session.title,
            body=obj.description,
            date=obj.created_at,
            author_id=obj.owner_id,
        )


@register
class TranscriptCueSource(Source):
    """A moment of a session's transcript, opening at that cue on the session page."""

    kind = "transcript"
    model = TranscriptCue
    label = _("Transcript")

    def rebuild_queryset(self) -> QuerySet:
        return TranscriptCue._base_manager.select_related(
            "organization", "transcript__session__community", "transcript__session__organization"
        )

    def document(self, obj: TranscriptCue) -> Doc:
        session = obj.transcript.session
        speaker = f"{obj.speaker}: " if obj.speaker else ""
        return Doc(
            organization_id=obj.organization_id,
            community_id=session.community_id,
            url=_session_url(session, f"cue-{obj.pk}"),
            title=f"{session.title} {obj.timestamp}",
            body=f"{speaker}{obj.text}",
            date=session.starts_at,
        )
