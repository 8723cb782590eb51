"""Every write of the knowledge app. Each service is keyword-only, atomic and audited.

Permissions are checked by the views and API (they know the reader); services check
the rules of the content itself: allowed tags, state transitions, immutable versions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, Tag
from communities.selectors import tags_allowed
from copcore.models import Organization, OrganizationMembership, User
from copcore.services import audit_record
from knowledge import extraction
from knowledge.models import (
    TEMPLATE_FIELDS,
    TEST_TEXT_FIELDS,
    Asset,
    AssetStatus,
    AssetVersion,
    ChangePackageItem,
    FieldNote,
    NoteStatus,
    StoredFile,
    TestOfChange,
    TestStatus,
    TestTemplate,
    Visibility,
)
from knowledge.selectors import search_config
from knowledge.uploads import UploadCheck, storage_name, validate_upload

# ---------------------------------------------------------------- shared checks


def _check_tags(*, organization: Organization, community: Community | None, tags) -> list[Tag]:
    """Tags must come from the organization's vocabulary and, in a community, from
    its tagging norms (its allowed tags)."""
    tags = list(tags or [])
    if not tags:
        return []
    if community is not None:
        allowed = set(tags_allowed(community=community).values_list("pk", flat=True))
    else:
        allowed = set(Tag.objects.filter(organization=organization).values_list("pk", flat=True))
    refused = [tag.name for tag in tags if tag.pk not in allowed]
    if refused:
        raise ValidationError(
            {
                "tags": _("These tags are not allowed here: %(tags)s.")
                % {"tags": ", ".join(sorted(refused))}
            }
        )
    return tags


def _check_people(*, organization: Organization, people: Iterable[User], field: str) -> list:
    people = list(people or [])
    members = set(
        OrganizationMembership.objects.filter(
            organization=organization, user__in=people
        ).values_list("user_id", flat=True)
    )
    if any(person.pk not in members for person in people):
        raise ValidationError({field: _("Only members of the organization can be chosen.")})
    return people


def _check_community(*, organization: Organization, community: Community | None) -> None:
    if community is not None and community.organization_id != organization.pk:
        raise ValidationError({"community": _("Unknown community.")})


def _notify(
    *, organization: Organization, kind: str, item_id: int, action: str, actor: User
) -> None:
    """Tell the author after the commit (a Celery task that takes ids)."""
    from knowledge.tasks import send_curation_notice

    transaction.on_commit(
        lambda: send_curation_notice.delay(organization.pk, kind, item_id, action, actor.pk)
    )


# ---------------------------------------------------------------- files


@transaction.atomic
def stored_file_create(
    *,
    actor: User,
    organization: Organization,
    uploaded: UploadedFile,
    field_note: FieldNote | None = None,
    check: UploadCheck | None = None,
) -> StoredFile:
    """Check an upload against the rules (nothing is stored when it fails), store it
    under a random name, and extract its text for search after the commit. A caller
    that has already checked the upload passes its ``check`` (no second read)."""
    check = check or validate_upload(uploaded)
    name = default_storage.save(
        storage_name(check, folder=f"knowledge/{organization.pk}"), uploaded
    )
    try:
        stored = StoredFile.objects.create(
            organization=organization,
            file=name,
            original_name=check.original_name,
            content_type=check.content_type,
            size=check.size,
            sha256=check.sha256,
            field_note=field_note,
            uploaded_by=actor,
        )
    except Exception:
        default_storage.delete(name)
        raise
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.file_uploaded",
        target=stored,
        data={"name": check.original_name, "size": check.size, "sha256": check.sha256},
    )
    from knowledge.tasks import extract_file_text

    transaction.on_commit(lambda: extract_file_text.delay(stored.pk))
    return stored


@transaction.atomic
def stored_file_extract_text(*, stored: StoredFile) -> StoredFile:
    """Extract a file's text (idempotent) and refresh the search of assets whose
    current version carries it."""
    if not stored.text_extracted:
        with stored.file.open("rb") as handle:
            stored.extracted_text = extraction.extract_text(handle, stored.content_type)
        stored.text_extracted = True
        stored.save(update_fields=["extracted_text", "text_extracted"])
    for asset in Asset.objects.filter(current_version__file=stored).select_related(
        "organization", "current_version__file"
    ):
        asset_reindex(asset=asset)
    return stored


# ---------------------------------------------------------------- assets


def asset_reindex(*, asset: Asset) -> None:
    """Rebuild the asset's search document in the organization's language: title (A),
    summary (B), current body, link and extracted file text (C)."""
    version = asset.current_version
    parts = []
    if version is not None:
        parts.append(version.body)
        if version.file is not None:
            parts.append(version.file.original_name)
            parts.append(version.file.extracted_text)
    body = "\n".join(part for part in parts if part)
    config = search_config(asset.organization)
    Asset.objects.filter(pk=asset.pk).update(search_body=body)
    Asset.objects.filter(pk=asset.pk).update(
        search_vector=SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("search_body", weight="C", config=config)
    )
    asset.search_body = body


def content_sha256(*, body: str, file: StoredFile | None, link: str) -> str:
    """The fingerprint of a version's content: same text, same file bytes and same
    link give the same hash, whoever saves it and whatever the change note."""
    canonical = json.dumps(
        {"body": body, "file": file.sha256 if file else None, "link": link},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _normalise_body(body: str) -> str:
    # Browsers send CRLF from text areas; the same text must hash the same.
    return (body or "").replace("\r\n", "\n").replace("\r", "\n").rstrip()


@dataclass(frozen=True)
class VersionResult:
    version: AssetVersion
    created: bool


@transaction.atomic
def asset_create(
    *,
    actor: User,
    organization: Organization,
    community: Community | None,
    kind: str,
    title: str,
    summary: str = "",
    visibility: str = Visibility.COMMUNITY,
    tags: Iterable[Tag] = (),
    co_owners: Iterable[User] = (),
    body: str = "",
    upload: UploadedFile | None = None,
    link: str = "",
    change_note: str = "",
    source_field_note: FieldNote | None = None,
    owner: User | None = None,
) -> Asset:
    """Create a draft asset with its first version (if content is given). The actor
    owns it unless another ``owner`` is named."""
    _check_community(organization=organization, community=community)
    if kind not in Asset.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of asset.")})
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Unknown visibility.")})
    if visibility == Visibility.COMMUNITY and community is None:
        raise ValidationError(
            {"visibility": _("An organization-wide asset cannot be limited to a community.")}
        )
    tags = _check_tags(organization=organization, community=community, tags=tags)
    co_owners = _check_people(organization=organization, people=co_owners, field="co_owners")
    owner = owner or actor
    _check_people(organization=organization, people=[owner], field="owner")
    asset = Asset.objects.create(
        organization=organization,
        community=community,
        kind=kind,
        title=title.strip(),
        summary=summary.strip(),
        visibility=visibility,
        owner=owner,
        source_field_note=source_field_note,
    )
    asset.tags.set(tags)
    asset.co_owners.set([person for person in co_owners if person.pk != owner.pk])
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.asset_created",
        target=asset,
        data={"kind": kind, "visibility": visibility, "community": getattr(community, "pk", None)},
    )
    if body.strip() or upload is not None or link.strip():
        asset_version_create(
            actor=actor,
            asset=asset,
            body=body,
            upload=upload,
            link=link,
            change_note=change_note or _("First version"),
        )
    else:
        asset_reindex(asset=asset)
    return asset


@transaction.atomic
def asset_update(
    *,
    actor: User,
    asset: Asset,
    title: str,
    summary: str,
    kind: str,
    visibility: str,
    tags: Iterable[Tag],
    co_owners: Iterable[User],
    owner: User | None = None,
) -> Asset:
    """Change what describes an asset (not its content: that is a new version)."""
    organization = asset.organization
    if visibility == Visibility.COMMUNITY and asset.community_id is None:
        raise ValidationError(
            {"visibility": _("An organization-wide asset cannot be limited to a community.")}
        )
    tags = _check_tags(organization=organization, community=asset.community, tags=tags)
    people = [owner] if owner is not None else []
    _check_people(organization=organization, people=people, field="owner")
    co_owners = _check_people(organization=organization, people=co_owners, field="co_owners")
    before = {"title": asset.title, "visibility": asset.visibility, "owner": asset.owner_id}
    asset.title = title.strip()
    asset.summary = summary.strip()
    asset.kind = kind
    asset.visibility = visibility
    if owner is not None:
        asset.owner = owner
    asset.updated_at = timezone.now()
    asset.full_clean(exclude=["current_version", "source_field_note", "search_vector"])
    asset.save()
    asset.tags.set(tags)
    asset.co_owners.set([person for person in co_owners if person.pk != asset.owner_id])
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.asset_updated",
        target=asset,
        data={
            "before": before,
            "after": {"title": asset.title, "visibility": visibility, "owner": asset.owner_id},
        },
    )
    asset_reindex(asset=asset)
    return asset


@transaction.atomic
def asset_version_create(
    *,
    actor: User,
    asset: Asset,
    body: str = "",
    upload: UploadedFile | None = None,
    stored_file: StoredFile | None = None,
    keep_current_file: bool = False,
    link: str = "",
    change_note: str = "",
    restored_from: int | None = None,
) -> VersionResult:
    """Save new content as a new immutable version. Content identical to the current
    version (same SHA-256) writes nothing and returns ``created=False``."""
    given = asset
    asset = Asset.objects.select_for_update().select_related("organization").get(pk=asset.pk)
    current = (
        AssetVersion.objects.select_related("file").filter(pk=asset.current_version_id).first()
    )
    body = _normalise_body(body)
    link = (link or "").strip()
    if upload is not None and stored_file is not None:
        raise ValueError("Pass an upload or a stored file, not both.")
    if stored_file is None and keep_current_file and upload is None and current is not None:
        stored_file = current.file
    if (upload is not None or stored_file is not None) and link:
        raise ValidationError(
            {"link": _("A version holds a file or a link, not both. Remove one of them.")}
        )
    if not body and upload is None and stored_file is None and not link:
        raise ValidationError(_("Write some text, choose a file or give a link."))
    if upload is not None:
        # Validated before anything is stored; an identical file is not stored twice.
        check = validate_upload(upload)
        if current is not None and current.file is not None and current.file.sha256 == check.sha256:
            stored_file = current.file
        else:
            stored_file = stored_file_create(
                actor=actor, organization=asset.organization, uploaded=upload, check=check
            )
    digest = content_sha256(body=body, file=stored_file, link=link)
    if current is not None and current.sha256 == digest:
        return VersionResult(version=current, created=False)
    number = (asset.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = AssetVersion.objects.create(
        organization=asset.organization,
        asset=asset,
        number=number,
        body=body,
        file=stored_file,
        link=link,
        change_note=(change_note or "").strip()[:300],
        restored_from=restored_from,
        sha256=digest,
        author=actor,
    )
    asset.current_version = version
    asset.updated_at = timezone.now()
    asset.save(update_fields=["current_version", "updated_at"])
    given.current_version, given.updated_at = version, asset.updated_at
    audit_record(
        organization=asset.organization,
        actor=actor,
        verb="knowledge.asset_version_restored" if restored_from else "knowledge.version_created",
        target=asset,
        data={"version": number, "sha256": digest, "restored_from": restored_from},
    )
    asset_reindex(asset=asset)
    return VersionResult(version=version, created=True)


@transaction.atomic
def asset_version_restore(*, actor: User, version: AssetVersion) -> VersionResult:
    """Make an old version current again by writing it as a new version (history is
    never rewritten). Restoring what is already current changes nothing."""
    return asset_version_create(
        actor=actor,
        asset=version.asset,
        body=version.body,
        stored_file=version.file,
        link=version.link,
        change_note=_("Restored version %(number)s") % {"number": version.number},
        restored_from=version.number,
    )


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
    if to == AssetStatus.PUBLISHED:
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


# ---------------------------------------------------------------- change packages


@transaction.atomic
def package_item_add(
    *,
    actor: User,
    package: Asset,
    change_idea: str,
    description: str = "",
    linked_asset: Asset | None = None,
) -> ChangePackageItem:
    if package.kind != Asset.Kind.CHANGE_PACKAGE:
        raise ValidationError(_("Only a change package holds change ideas."))
    if linked_asset is not None and (
        linked_asset.organization_id != package.organization_id or linked_asset.pk == package.pk
    ):
        raise ValidationError({"linked_asset": _("Choose another asset.")})
    top = package.package_items.aggregate(top=Max("position"))["top"] or 0
    item = ChangePackageItem.objects.create(
        organization=package.organization,
        package=package,
        position=top + 1,
        change_idea=change_idea.strip(),
        description=description.strip(),
        linked_asset=linked_asset,
    )
    audit_record(
        organization=package.organization,
        actor=actor,
        verb="knowledge.package_item_added",
        target=package,
        data={"item": item.pk, "change_idea": item.change_idea},
    )
    return item


@transaction.atomic
def package_item_move(*, actor: User, item: ChangePackageItem, direction: int) -> None:
    """Swap an idea with its neighbour (``direction`` -1 up, +1 down)."""
    siblings = list(
        ChangePackageItem.objects.select_for_update()
        .filter(package_id=item.package_id)
        .order_by("position", "id")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    audit_record(
        organization=item.organization,
        actor=actor,
        verb="knowledge.package_item_moved",
        target=item.package,
        data={"item": item.pk, "position": target + 1},
    )


@transaction.atomic
def package_item_remove(*, actor: User, item: ChangePackageItem) -> None:
    package = item.package
    audit_record(
        organization=item.organization,
        actor=actor,
        verb="knowledge.package_item_removed",
        target=package,
        data={"item": item.pk, "change_idea": item.change_idea},
    )
    item.delete()


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


# ---------------------------------------------------------------- tests of change


def _check_test(*, community: Community, site, measures, starts_on, ends_on) -> list:
    organization = community.organization
    if site is not None and site.organization_id != organization.pk:
        raise ValidationError({"site": _("Unknown site.")})
    measures = list(measures or [])
    if any(measure.community_id != community.pk for measure in measures):
        raise ValidationError({"measures": _("Choose measures of this community.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must not be before the start date.")})
    return measures


@transaction.atomic
def test_of_change_create(
    *,
    actor: User,
    community: Community,
    title: str,
    change_idea: str,
    site=None,
    tags: Iterable[Tag] = (),
    measures: Iterable = (),
    previous_cycle: TestOfChange | None = None,
    **fields,
) -> TestOfChange:
    """Record a PDSA cycle; ``previous_cycle`` links it into a ramp of tests."""
    unknown = set(fields) - set(TEST_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    organization = community.organization
    if previous_cycle is not None and previous_cycle.community_id != community.pk:
        raise ValidationError({"previous_cycle": _("The previous cycle is in another CoP.")})
    measures = _check_test(
        community=community,
        site=site,
        measures=measures,
        starts_on=fields.get("starts_on"),
        ends_on=fields.get("ends_on"),
    )
    tags = _check_tags(organization=organization, community=community, tags=tags)
    fields = {key: ("" if value is None and key not in ("starts_on", "ends_on") else value)
              for key, value in fields.items()}  # fmt: skip
    fields.setdefault("status", TestStatus.PLANNED)
    test = TestOfChange(
        organization=organization,
        community=community,
        author=actor,
        title=title.strip(),
        change_idea=change_idea.strip(),
        site=site,
        previous_cycle=previous_cycle,
        **fields,
    )
    test.full_clean(exclude=["tags", "measures"])
    test.save()
    test.tags.set(tags)
    test.measures.set(measures)
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.test_created",
        target=test,
        data={"previous_cycle": getattr(previous_cycle, "pk", None), "status": test.status},
    )
    return test


@transaction.atomic
def test_of_change_update(
    *,
    actor: User,
    test: TestOfChange,
    site=None,
    tags: Iterable[Tag] = (),
    measures: Iterable = (),
    **fields,
) -> TestOfChange:
    """Fill in the later stages (do, study, act) or correct the plan."""
    unknown = set(fields) - set(TEST_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    measures = _check_test(
        community=test.community,
        site=site,
        measures=measures,
        starts_on=fields.get("starts_on", test.starts_on),
        ends_on=fields.get("ends_on", test.ends_on),
    )
    tags = _check_tags(organization=test.organization, community=test.community, tags=tags)
    before = {"status": test.status, "act_decision": test.act_decision}
    for key, value in fields.items():
        if value is None and key not in ("starts_on", "ends_on"):
            value = ""
        setattr(test, key, value)
    test.site = site
    test.updated_at = timezone.now()
    test.full_clean(exclude=["tags", "measures"])
    test.save()
    test.tags.set(tags)
    test.measures.set(measures)
    audit_record(
        organization=test.organization,
        actor=actor,
        verb="knowledge.test_updated",
        target=test,
        data={
            "before": before,
            "after": {"status": test.status, "act_decision": test.act_decision},
        },
    )
    return test


def test_next_cycle_initial(*, test: TestOfChange) -> dict:
    """What the next cycle starts from: the same idea, site, tags and measures, with the
    previous act notes as the start of the new plan."""
    return {
        "title": test.title,
        "change_idea": test.change_idea,
        "objective": test.objective,
        "plan_who": test.plan_who,
        "plan_where": test.plan_where,
        "plan_data": test.plan_data,
        "plan_what": test.act_notes,
        "site": test.site,
        "tags": list(test.tags.all()),
        "measures": list(test.measures.all()),
    }


@transaction.atomic
def test_template_create(
    *, actor: User, organization: Organization, community: Community | None, name: str, **fields
) -> TestTemplate:
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _check_community(organization=organization, community=community)
    template = TestTemplate.objects.create(
        organization=organization,
        community=community,
        name=name.strip(),
        created_by=actor,
        **{key: (value or "").strip() for key, value in fields.items()},
    )
    audit_record(
        organization=organization,
        actor=actor,
        verb="knowledge.test_template_created",
        target=template,
    )
    return template
