"""Assets a reader may see: lists, one asset (also a published one), versions, package items and
stored files."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from communities.models import Community, Tag
from copcore.models import User
from knowledge.models import (
    Asset,
    AssetStatus,
    AssetVersion,
    ChangePackageItem,
    StoredFile,
    Visibility,
)
from knowledge.selectors.access import Viewer
from knowledge.selectors.notes import field_notes_visible

# ---------------------------------------------------------------- assets


def _is_co_owner(user: User) -> Exists:
    return Exists(Asset.co_owners.through.objects.filter(asset_id=OuterRef("pk"), user_id=user.pk))


def asset_visible_q(viewer: Viewer) -> Q:
    """The assets a person may read: published ones their visibility allows, plus any
    they own or co-own, plus those of communities they curate."""
    public = Q(status=AssetStatus.PUBLISHED, visibility=Visibility.PUBLIC)
    if not viewer.is_org_member or not viewer.user.is_authenticated:
        return public
    readable = Q(status=AssetStatus.PUBLISHED) & (
        Q(visibility__in=[Visibility.ORGANIZATION, Visibility.PUBLIC])
        | Q(community_id__in=viewer.ids("view"))
    )
    mine = Q(owner_id=viewer.user.pk) | Q(_is_co_owner(viewer.user))
    curated = Q(community_id__in=viewer.ids("curate"))
    if viewer.is_org_admin:
        curated |= Q(community__isnull=True)
    return public | readable | mine | curated


def _asset_list_queryset() -> QuerySet[Asset]:
    """Rows for lists: the owner, community and tags, the current version's number
    (not its body), and without the large search columns."""
    return (
        Asset.objects.select_related("owner", "community")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .annotate(current_number=F("current_version__number"))
        .defer("search_body", "search_vector")
    )


def assets_visible(
    *,
    viewer: Viewer,
    kind: str | None = None,
    tag: Tag | None = None,
    community: Community | None = None,
    owner: User | None = None,
    status: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Asset]:
    """The organization's assets this person may read, filtered, newest change first."""
    assets = _asset_list_queryset().filter(organization=viewer.organization)
    assets = assets.filter(asset_visible_q(viewer))
    if kind:
        assets = assets.filter(kind=kind)
    if tag is not None:
        assets = assets.filter(tags=tag)
    if community is not None:
        assets = assets.filter(community=community)
    if owner is not None:
        assets = assets.filter(Q(owner=owner) | Q(_is_co_owner(owner)))
    if status:
        assets = assets.filter(status=status)
    if date_from:
        assets = assets.filter(updated_at__date__gte=date_from)
    if date_to:
        assets = assets.filter(updated_at__date__lte=date_to)
    return assets.order_by("-updated_at", "-id")


def asset_get(*, viewer: Viewer, asset_id: int) -> Asset:
    """One asset the person may read, or Http404 (missing and hidden look the same)."""
    asset = (
        _asset_list_queryset()
        .select_related(
            "source_field_note",
            "current_version",
            "current_version__file",
            "current_version__author",
        )
        .prefetch_related("co_owners")
        .filter(organization=viewer.organization, pk=asset_id)
        .filter(asset_visible_q(viewer))
        .first()
    )
    if asset is None:
        raise Http404
    return asset


def asset_public_get(*, public_id) -> Asset:
    """A published, public asset found by its stable public id (no login), or Http404."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        asset = (
            Asset.objects.select_related(
                "organization", "owner", "community", "current_version__file"
            )
            .prefetch_related("tags")
            .filter(
                public_id=public_id,
                status=AssetStatus.PUBLISHED,
                visibility=Visibility.PUBLIC,
                organization__is_active=True,
            )
            .first()
        )
    if asset is None:
        raise Http404
    return asset


def is_asset_owner(*, user: User | AnonymousUser, asset: Asset) -> bool:
    """The owner or a co-owner (reads the co-owners ``asset_get`` prefetched)."""
    return asset.owner_id == user.pk or any(
        person.pk == user.pk for person in asset.co_owners.all()
    )


def can_edit_asset(*, viewer: Viewer, asset: Asset) -> bool:
    """Owners and co-owners edit their asset; curators edit any in their communities."""
    if not viewer.is_org_member:
        return False
    return viewer.can_curate(asset.community_id) or is_asset_owner(user=viewer.user, asset=asset)


def asset_versions(*, asset: Asset) -> QuerySet[AssetVersion]:
    return (
        AssetVersion.objects.filter(asset=asset)
        .select_related("author", "file")
        .order_by("-number")
    )


def asset_version_get(*, asset: Asset, number: int) -> AssetVersion:
    version = asset_versions(asset=asset).filter(number=number).first()
    if version is None:
        raise Http404
    return version


def package_item_get(*, asset: Asset, item_id: int) -> ChangePackageItem:
    item = ChangePackageItem.objects.filter(package=asset, pk=item_id).first()
    if item is None:
        raise Http404
    return item


def package_items(*, asset: Asset, viewer: Viewer) -> list[ChangePackageItem]:
    """The change ideas of a package in order. A linked asset the reader may not see
    is hidden (the idea stays)."""
    items = list(
        ChangePackageItem.objects.filter(package=asset)
        .select_related("linked_asset")
        .order_by("position", "id")
    )
    linked_ids = {item.linked_asset_id for item in items if item.linked_asset_id}
    visible = set(
        Asset.objects.filter(pk__in=linked_ids)
        .filter(asset_visible_q(viewer))
        .values_list("pk", flat=True)
    )
    for item in items:
        if item.linked_asset_id not in visible:
            item.linked_asset = None
    return items


def assets_linkable(*, viewer: Viewer) -> QuerySet[Asset]:
    """Assets a change package may point to: the ones the editor can read."""
    return (
        Asset.objects.filter(organization=viewer.organization)
        .filter(asset_visible_q(viewer))
        .order_by("title")
    )


# ---------------------------------------------------------------- files


def stored_file_get(*, viewer: Viewer, file_id: int) -> StoredFile:
    """A file the person may download: an attachment of a field note they can see, or
    the file of a version of an asset they can read. Otherwise Http404."""
    stored = StoredFile.objects.filter(organization=viewer.organization, pk=file_id).first()
    if stored is None:
        raise Http404
    if stored.field_note_id is not None:
        if field_notes_visible(viewer=viewer).filter(pk=stored.field_note_id).exists():
            return stored
        raise Http404
    readable = Asset.objects.filter(organization=viewer.organization, versions__file=stored)
    if readable.filter(asset_visible_q(viewer)).exists():
        return stored
    raise Http404
