"""Assets and their immutable versions: create, update, new version, and restore."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, Tag
from copcore.models import Organization, User
from copcore.services import audit_record
from knowledge.models import (
    Asset,
    AssetVersion,
    FieldNote,
    StoredFile,
    Visibility,
)
from knowledge.services.common import _check_community, _check_people, _check_tags
from knowledge.services.files import stored_file_create
from knowledge.services.indexing import asset_reindex
from knowledge.uploads import validate_upload


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
        # No version yet (None): no row matches, as before.
        AssetVersion.objects.select_related("file").filter(Q(pk=asset.current_version_id)).first()
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
