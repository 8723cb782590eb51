"""Reads of the knowledge app: who may see and do what, lists, search, the curation
queue, PDSA chains, and the annotations the measurement app draws on charts.

Visibility is decided once per request by ``viewer_for`` (three queries, whatever
the number of rows) and then applied as SQL filters, so lists and search never
check rows one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from guardian.models import GroupObjectPermission, UserObjectPermission

from communities.models import Community, Tag
from communities.permissions import CommunityPermission
from copcore.models import Organization, OrganizationMembership, User
from copcore.permissions import OrgRole, guardian_codename
from knowledge.models import (
    ActDecision,
    Asset,
    AssetStatus,
    AssetVersion,
    ChangePackageItem,
    FieldNote,
    NoteStatus,
    PredictionHeld,
    StoredFile,
    TestOfChange,
    TestTemplate,
    Visibility,
)
from knowledge.permissions import KnowledgePermission
from measurement.models import Measure, Site

WAITING_TOO_LONG = dt.timedelta(days=14)

# The organization's language decides the PostgreSQL text-search configuration
# (stemming and stop words); anything else uses 'simple' (no stemming).
SEARCH_CONFIGS = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese"}

# Private-use characters mark the highlighted words in snippets: the snippet text is
# escaped first and only then are these turned into <mark>, so a document cannot
# inject HTML through its own text.
_MARK_START, _MARK_STOP = "\ue000", "\ue001"


def search_config(organization: Organization) -> str:
    return SEARCH_CONFIGS.get((organization.language or "")[:2], "simple")


_PERMISSIONS = {
    "view": CommunityPermission.VIEW,
    "curate": KnowledgePermission.CURATE,
    "add_asset": KnowledgePermission.ADD_ASSET,
    "add_note": KnowledgePermission.ADD_FIELD_NOTE,
    "add_test": KnowledgePermission.ADD_TEST_OF_CHANGE,
}


@dataclass(frozen=True)
class Viewer:
    """What one person may do in one organization, computed once per request.

    ``community_ids[name]`` holds the communities where the person holds the
    permission ``_PERMISSIONS[name]`` (the same grants ``user.has_perm`` reads).
    Organization-wide assets are curated by the organization's admins.
    """

    user: User | AnonymousUser
    organization: Organization
    is_org_member: bool
    is_org_admin: bool
    community_ids: dict[str, frozenset[int]] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user.is_authenticated)

    def can(self, name: str, community_id: int | None) -> bool:
        if community_id is None:
            return self.is_org_admin and name != "view"
        return community_id in self.community_ids.get(name, frozenset())

    def can_view_community(self, community_id: int) -> bool:
        return self.can("view", community_id)

    def can_curate(self, community_id: int | None) -> bool:
        return self.can("curate", community_id)

    def ids(self, name: str) -> frozenset[int]:
        return self.community_ids.get(name, frozenset())


def viewer_for(
    *,
    user: User | AnonymousUser,
    organization: Organization,
    membership: OrganizationMembership | None = None,
) -> Viewer:
    """The person's rights in the organization (anonymous visitors have none)."""
    if not user.is_authenticated or not user.is_active:
        return Viewer(user=user, organization=organization, is_org_member=False, is_org_admin=False)
    if membership is None or membership.organization_id != organization.pk:
        membership = OrganizationMembership.objects.filter(
            organization=organization, user=user
        ).first()
    if membership is None:
        return Viewer(user=user, organization=organization, is_org_member=False, is_org_admin=False)
    organization_ids = Community.objects.filter(organization=organization).values_list(
        "id", flat=True
    )
    if user.is_superuser:
        every = frozenset(organization_ids)
        granted = dict.fromkeys(_PERMISSIONS, every)
    else:
        granted = _granted_community_ids(user=user, organization_ids=set(organization_ids))
    return Viewer(
        user=user,
        organization=organization,
        is_org_member=True,
        is_org_admin=membership.role == OrgRole.ADMIN,
        community_ids=granted,
    )


def _granted_community_ids(*, user: User, organization_ids: set[int]) -> dict[str, frozenset[int]]:
    """One read of the guardian grants (through role groups, or to the user directly)."""
    content_type = ContentType.objects.get_for_model(Community)
    by_codename = {guardian_codename(perm): name for name, perm in _PERMISSIONS.items()}
    rows = GroupObjectPermission.objects.filter(
        group__user=user, content_type=content_type, permission__codename__in=by_codename
    ).values_list("object_pk", "permission__codename")
    direct = UserObjectPermission.objects.filter(
        user=user, content_type=content_type, permission__codename__in=by_codename
    ).values_list("object_pk", "permission__codename")
    found: dict[str, set[int]] = {name: set() for name in _PERMISSIONS}
    for object_pk, codename in rows.union(direct):
        community_id = int(object_pk)
        if community_id in organization_ids:
            found[by_codename[codename]].add(community_id)
    return {name: frozenset(ids) for name, ids in found.items()}


# ---------------------------------------------------------------- assets


def _is_co_owner(user: User) -> Exists:
    return Exists(Asset.co_owners.through.objects.filter(asset_id=OuterRef("pk"), user_id=user.pk))


def asset_visible_q(viewer: Viewer) -> Q:
    """The assets a person may read: published ones their visibility allows, plus any
    they own or co-own, plus those of communities they curate."""
    public = Q(status=AssetStatus.PUBLISHED, visibility=Visibility.PUBLIC)
    if not viewer.is_org_member:
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


def asset_search(*, viewer: Viewer, query: str, **filters) -> QuerySet[Asset]:
    """Full-text search, best match first: title (weight A), summary (B), body and the
    text extracted from files (C), in the organization's language. Each result has
    ``rank`` and ``snippet`` (raw; pass it to ``snippet_html``)."""
    assets = assets_visible(viewer=viewer, **filters)
    query = (query or "").strip()
    if not query:
        return assets
    config = search_config(viewer.organization)
    search_query = SearchQuery(query, config=config, search_type="websearch")
    return (
        assets.filter(search_vector=search_query)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            snippet=SearchHeadline(
                Concat("summary", Value("\n"), "search_body", output_field=TextField()),
                search_query,
                config=config,
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-updated_at", "-id")
    )


def snippet_html(snippet: str | None) -> SafeString:
    """Escape a search snippet, then mark the matched words with <mark>."""
    text = escape(snippet or "")
    return mark_safe(  # noqa: S308 - escaped above; only our own markers become tags
        text.replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>")
    )


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


# ---------------------------------------------------------------- tests of change


def tests_visible(
    *,
    viewer: Viewer,
    community: Community | None = None,
    status: str | None = None,
    act_decision: str | None = None,
    prediction_held: str | None = None,
    tag: Tag | None = None,
    site_id: int | None = None,
) -> QuerySet[TestOfChange]:
    """Tests of the communities the person belongs to, and their own, newest first."""
    tests = TestOfChange.objects.filter(organization=viewer.organization)
    if not viewer.is_org_member:
        return tests.none()
    tests = tests.filter(Q(community_id__in=viewer.ids("view")) | Q(author_id=viewer.user.pk))
    if community is not None:
        tests = tests.filter(community=community)
    if status:
        tests = tests.filter(status=status)
    if act_decision:
        tests = tests.filter(act_decision=act_decision)
    if prediction_held:
        tests = tests.filter(prediction_held=prediction_held)
    if tag is not None:
        tests = tests.filter(tags=tag)
    if site_id:
        tests = tests.filter(site_id=site_id)
    return (
        tests.select_related("author", "community", "site", "previous_cycle")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("-created_at", "-id")
    )


def tests_learning_from_failure(*, viewer: Viewer, **filters) -> QuerySet[TestOfChange]:
    """Abandoned tests and tests whose results contradicted the prediction: as easy to
    browse as the successes, because they teach as much."""
    return tests_visible(viewer=viewer, **filters).filter(
        Q(act_decision=ActDecision.ABANDON) | Q(prediction_held=PredictionHeld.NO)
    )


def test_get(*, viewer: Viewer, test_id: int) -> TestOfChange:
    test = tests_visible(viewer=viewer).filter(pk=test_id).first()
    if test is None:
        raise Http404
    return test


def test_chain(*, test: TestOfChange) -> list[TestOfChange]:
    """The ramp this cycle belongs to, from its first cycle down every branch, in
    order (depth-first). One query for the community's links, one for the rows."""
    links = dict(
        TestOfChange.objects.filter(community_id=test.community_id).values_list(
            "pk", "previous_cycle_id"
        )
    )
    root = test.pk
    seen = {root}
    while links.get(root) is not None and links[root] not in seen:
        root = links[root]
        seen.add(root)
    children: dict[int, list[int]] = {}
    for pk, parent in sorted(links.items()):
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    ordered: list[int] = []
    stack = [root]
    while stack:
        pk = stack.pop()
        if pk in ordered:
            continue
        ordered.append(pk)
        stack.extend(reversed(children.get(pk, [])))
    rows = TestOfChange.objects.filter(pk__in=ordered).select_related("author", "site")
    by_pk = {row.pk: row for row in rows}
    depth: dict[int, int] = {root: 0}
    for pk in ordered:
        parent = links.get(pk)
        if pk != root and parent in depth:
            depth[pk] = depth[parent] + 1
        by_pk[pk].cycle_depth = depth.get(pk, 0)
    return [by_pk[pk] for pk in ordered]


def test_templates(*, viewer: Viewer, community: Community | None = None) -> QuerySet:
    """Templates offered for a community: its own and the organization-wide ones."""
    templates = TestTemplate.objects.filter(organization=viewer.organization)
    if community is not None:
        templates = templates.filter(Q(community=community) | Q(community__isnull=True))
    else:
        templates = templates.filter(
            Q(community__isnull=True) | Q(community_id__in=viewer.ids("view"))
        )
    return templates.select_related("community").order_by("name")


def test_template_get(*, viewer: Viewer, template_id: int) -> TestTemplate:
    template = test_templates(viewer=viewer).filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template


def test_outcome(test: TestOfChange) -> str:
    """A short, human outcome for annotations: the act decision and whether the
    prediction held, or the status while the cycle runs."""
    parts = []
    if test.act_decision:
        parts.append(str(test.get_act_decision_display()))
    if test.prediction_held:
        parts.append(str(test.get_prediction_held_display()))
    return " · ".join(parts) or str(test.get_status_display())


def tests_of_change_for_measure(
    *, measure_id: int, organization: Organization, viewer: Viewer | None = None
) -> list[dict]:
    """Tests linked to a measure, oldest first, for annotations on its chart:
    ``[{"date", "title", "url", "outcome", "act_decision", "prediction_held"}]``.

    The date is the cycle's start date (its creation date when none was given).
    Pass ``viewer`` to keep only the tests that person may see.
    """
    tests = TestOfChange.objects.filter(organization=organization, measures__id=measure_id)
    if viewer is not None:
        tests = tests.filter(pk__in=tests_visible(viewer=viewer).values("pk"))
    result = []
    for test in tests.order_by("starts_on", "created_at", "id").distinct():
        result.append(
            {
                "date": test.starts_on or timezone.localdate(test.created_at),
                "title": test.title,
                "url": reverse(
                    "knowledge:test_detail",
                    kwargs={"org_slug": organization.slug, "test_id": test.pk},
                ),
                "outcome": test_outcome(test),
                "act_decision": test.act_decision,
                "prediction_held": test.prediction_held,
            }
        )
    return sorted(result, key=lambda row: row["date"])


# ---------------------------------------------------------------- choices for forms


def communities_where(*, viewer: Viewer, permission: str) -> QuerySet[Community]:
    return Community.objects.filter(
        organization=viewer.organization, pk__in=viewer.ids(permission)
    ).order_by("name")


def organization_people(*, organization: Organization) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=organization).order_by(
        "display_name", "email"
    )


def active_sites(*, organization: Organization) -> QuerySet[Site]:
    return Site.objects.filter(organization=organization, is_active=True).order_by("name")


def measures_of_communities(
    *, organization: Organization, community_ids: Iterable[int]
) -> QuerySet[Measure]:
    return Measure.objects.filter(
        organization=organization, community_id__in=community_ids
    ).order_by("name")
