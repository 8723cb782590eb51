"""Who sees what on a dashboard: the audience (permissions, data policy and disclosure
rule of one person in one CoP) and the version tokens that key every cached figure.

The audience takes four queries (permissions, data policy, disclosure rule) and the
data version one; everything computed for an audience is cached under the
organization's :class:`~dashboards.models.DashboardDataVersion` token, which
database triggers change on every write, so a cache hit is never stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.http import Http404

from communities.models import Community
from communities.permissions import CommunityPermission as P
from copcore import versioned_cache as cache
from copcore.models import AccessVersion, Organization
from copcore.permissions import guardian_codename
from dashboards import disclosure
from dashboards.disclosure import Rule
from dashboards.models import (
    DashboardDataVersion,
)
from dashboards.selectors.records import disclosure_rule_get
from measurement.models import (
    DRAWABLE_CHARTS,
    CommunityDataPolicy,
    Observation,
)
from measurement.permissions import MeasurementPermission as M

WINDOW = 12  # periods in the site comparison (funnel) window
CACHE_SECONDS = 24 * 3600
ALL_STATUSES = tuple(Observation.Status.values)

# One list, the measurement app's: the measure form and the dashboards offer the same.
CHARTS_FOR_VALUE_TYPE: dict[str, tuple[str, ...]] = DRAWABLE_CHARTS
METHODS = ("anhoej", "ihi", "mdc")


# ---------------------------------------------------------------- audience


@dataclass(frozen=True)
class Audience:
    """What one person may see of one CoP's data, computed once per request."""

    community_id: int
    can_view: bool
    statuses: tuple[str, ...]
    rule: Rule
    unsuppressed: bool
    read_only: bool
    can_manage: bool
    can_note: bool
    token: str = ""  # the data version read for this request ("" = read it when needed)

    @property
    def data_key(self) -> str:
        """The part of a cache key that decides which figures are shown."""
        return f"{'.'.join(sorted(self.statuses))}:{self.rule.signature}"


def _permissions(user, codenames: frozenset[str] | set[str]) -> set[str]:
    """The community permissions that guardian codenames grant (all for a superuser)."""
    if user.is_superuser:
        return {str(perm) for perm in (*M, *P)}
    return {str(perm) for perm in (*M, *P) if guardian_codename(perm) in codenames}


_ACCESS_SQL: str | None = None


def _access_sql() -> str:
    """One statement: the CoP's row and the person's permission codenames on it
    (guardian's group and user object permissions). Written as SQL because building
    the equivalent ORM subqueries costs more than running it."""
    global _ACCESS_SQL
    if _ACCESS_SQL is None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Permission
        from guardian.models import GroupObjectPermission, UserObjectPermission

        user_groups = get_user_model().groups.through._meta
        group_column = user_groups.get_field("group").column
        user_column = next(f.column for f in user_groups.fields if f.name not in ("id", "group"))
        _ACCESS_SQL = f"""
            SELECT c.*,
              ARRAY(
                SELECT p.codename FROM {Permission._meta.db_table} p
                WHERE p.content_type_id = %(ct)s AND p.id IN (
                  SELECT g.permission_id FROM {GroupObjectPermission._meta.db_table} g
                  JOIN {user_groups.db_table} ug ON ug.{group_column} = g.group_id
                  WHERE g.content_type_id = %(ct)s AND g.object_pk = c.id::text
                    AND ug.{user_column} = %(user)s
                  UNION
                  SELECT u.permission_id FROM {UserObjectPermission._meta.db_table} u
                  WHERE u.content_type_id = %(ct)s AND u.object_pk = c.id::text
                    AND u.user_id = %(user)s)
              ) AS dash_codenames
            FROM {Community._meta.db_table} c
            WHERE c.organization_id = %(org)s AND c.slug = %(slug)s
        """  # noqa: S608 - table names from the models, values as parameters
    return _ACCESS_SQL


_DATA_SQL = f"SELECT token FROM {DashboardDataVersion._meta.db_table} WHERE organization_id = %s"  # noqa: S608


def data_token(organization: Organization) -> str:
    """The organization's current data version (one small query)."""
    with connection.cursor() as cursor:
        cursor.execute(_DATA_SQL, [organization.pk])
        row = cursor.fetchone()
    return (row[0] if row else None) or "initial"


def _version_tokens(organization: Organization, access_token: str | None) -> tuple[str, str]:
    """The installation's access version (unless the tenancy middleware already read
    it) and the organization's data version, in one small query."""
    if access_token is not None:
        return access_token or "initial", data_token(organization)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT token FROM {AccessVersion._meta.db_table} WHERE id = 1),"  # noqa: S608
            f" ({_DATA_SQL})",
            [organization.pk],
        )
        access_token, token = cursor.fetchone()
    return access_token or "initial", token or "initial"


def community_with_access(
    *, organization: Organization, slug: str, user: Any, access_token: str | None = None
) -> tuple[Community, set[str], str]:
    """The CoP of a URL, the person's permissions on it and the data version; 404 when
    there is no such CoP.

    Every dashboard request needs all three. One small query reads the version tokens
    (the access token usually comes from the tenancy middleware, which read it for the
    page); the CoP row and the person's permission codenames are cached under them.
    Database triggers change the access token on every write to object permissions,
    group membership or communities, and the data token on every write to the data,
    so a cached answer can never outlive a change (a revoked role takes effect on the
    next request)."""
    from django.contrib.contenttypes.models import ContentType

    user_id = user.pk if user.is_authenticated and user.is_active else None
    access_token, token = _version_tokens(organization, access_token)
    key = f"dash:access:{organization.pk}:{slug}:{user_id or 0}:{access_token}"
    found = cache.get(key)
    if found is None:
        content_type = ContentType.objects.get_for_model(Community)  # cached by Django
        params = {"ct": content_type.pk, "user": user_id or 0, "org": organization.pk, "slug": slug}
        rows = list(Community.objects.raw(_access_sql(), params))
        # ``dash_codenames`` is a column of the raw query, not a field of the model.
        codenames = getattr(rows[0], "dash_codenames", None) if rows else None
        found = (rows[0], frozenset(codenames or ())) if rows else (None, frozenset())
        cache.set(key, found, CACHE_SECONDS)
    community, codenames = found
    if community is None:
        raise Http404
    community.organization = organization  # the same row: no second query
    granted = _permissions(user, codenames) if user_id is not None else set()
    return community, granted, token


def _policy_and_rule(community: Community, token: str) -> tuple[bool, int | None, Rule]:
    """The CoP's approval policy and the organization's rule, cached under the data
    version (triggers change it whenever either table is written)."""
    key = f"dash:policy:{community.pk}:{token}"
    found = cache.get(key)
    if found is None:
        policy = CommunityDataPolicy.objects.filter(community=community).first()
        found = (
            bool(policy and policy.requires_approval),
            policy.data_lead_id if policy else None,
            organization_rule(community.organization),
        )
        cache.set(key, found, CACHE_SECONDS)
    return found


def viewable_communities(*, user, organization: Organization) -> list[tuple[Community, bool]]:
    """The organization's CoPs whose data the person may see, each with whether their
    view is read-only (a sponsor's). Three queries whatever the number of CoPs."""
    from guardian.core import ObjectPermissionChecker

    communities = list(Community.objects.filter(organization=organization).order_by("name"))
    if not communities or not user.is_authenticated or not user.is_active:
        return []
    checker = ObjectPermissionChecker(user)
    # guardian annotates a QuerySet but takes any list of objects of one model
    # (guardian.utils._get_pks_model_and_ctype); the list already read saves a query.
    checker.prefetch_perms(communities)  # type: ignore[arg-type]
    leads = set(
        CommunityDataPolicy.objects.filter(
            organization=organization, data_lead_id=user.pk
        ).values_list("community_id", flat=True)
    )
    result = []
    for community in communities:
        granted = _permissions(user, set(checker.get_perms(community)))
        sees_all = M.SUBMIT_DATA in granted or M.APPROVE_DATA in granted
        if sees_all or community.pk in leads or M.VIEW_DATA in granted:
            result.append((community, P.VIEW_DISCUSSIONS not in granted))
    return result


def organization_rule(organization: Organization) -> Rule:
    return disclosure.rule_from_model(disclosure_rule_get(organization=organization))


def audience_for(
    *,
    user,
    community: Community,
    sponsor_view: bool = False,
    token: str | None = None,
    granted: set[str] | None = None,
) -> Audience:
    """The person's view of the CoP's data.

    Statuses follow ``measurement.selectors.observations_visible_to`` (stewards and
    approvers see everything, others submitted and approved data, or approved only
    when the CoP requires approval) with one addition from the dashboards issue:
    sponsors (read-only: no access to discussions) and sponsor views see approved data
    only. The disclosure rule applies to everyone without ``view_unsuppressed``.
    """
    if granted is None:  # outside a dashboard request: the same cached resolution
        _row, granted, current = community_with_access(
            organization=community.organization, slug=community.slug, user=user
        )
        token = token or current
    token = token or data_token(community.organization)
    requires_approval, data_lead_id, org_rule = _policy_and_rule(community, token)
    is_data_lead = data_lead_id is not None and data_lead_id == user.pk
    sees_unapproved = M.SUBMIT_DATA in granted or M.APPROVE_DATA in granted or is_data_lead
    can_view = sees_unapproved or M.VIEW_DATA in granted
    read_only = can_view and P.VIEW_DISCUSSIONS not in granted
    if not can_view:
        statuses: tuple[str, ...] = ()
    elif sponsor_view or (read_only and not sees_unapproved):
        statuses = (Observation.Status.APPROVED,)
    elif sees_unapproved:
        statuses = ALL_STATUSES
    elif requires_approval:
        statuses = (Observation.Status.APPROVED,)
    else:
        statuses = (Observation.Status.SUBMITTED, Observation.Status.APPROVED)
    unsuppressed = M.VIEW_UNSUPPRESSED in granted
    rule = disclosure.UNSUPPRESSED if unsuppressed else org_rule
    return Audience(
        community_id=community.pk,
        can_view=can_view,
        statuses=tuple(sorted(statuses)),
        rule=rule,
        unsuppressed=unsuppressed,
        read_only=read_only,
        can_manage=M.MANAGE_MEASURES in granted,
        can_note=can_view and P.POST in granted,
        token=token,
    )


def require_view(audience: Audience) -> None:
    """Someone who may not see the CoP's data gets the same 404 as for a missing page."""
    if not audience.can_view:
        raise Http404
