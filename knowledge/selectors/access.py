"""Who the reader is: ``viewer_for`` reads a person's rights once per request (three queries),
and the ``Viewer`` carries them to every list and search filter."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from guardian.models import GroupObjectPermission, UserObjectPermission

from communities.models import Community
from communities.permissions import CommunityPermission
from copcore.models import Organization, OrganizationMembership, User
from copcore.permissions import OrgRole, guardian_codename
from knowledge.permissions import KnowledgePermission

_PERMISSIONS = {
    "view": CommunityPermission.VIEW,
    "view_discussions": CommunityPermission.VIEW_DISCUSSIONS,
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
