"""Dashboard selectors: who sees what, the disclosed figures of every measure, and
the series, charts and summaries built from them.

Query counts are fixed whatever the number of sites, measures and periods: the
audience takes four queries (permissions, data policy, disclosure rule), the data
version one, and a cold cache five more (measures, stratifier categories, phase
breaks, enrolments, observations), all read as plain tuples. Everything computed
from them is cached under the organization's :class:`DashboardDataVersion` token,
which database triggers change on every write, so a cache hit is never stale.

Everything a non-steward sees comes from :func:`measure_arrays`, which applies the
disclosure rule (primary and secondary suppression over every sum the platform
shows) once per measure; pages, charts, downloads and the API all read from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from communities import selectors as community_selectors
from communities.models import Community
from communities.permissions import CommunityPermission as P
from copcore import l10n
from copcore import versioned_cache as cache
from copcore.models import AccessVersion, Organization
from copcore.permissions import guardian_codename
from measurement import disclosure
from measurement.disclosure import Figure, Rule
from measurement.models import (
    CommunityDataPolicy,
    Measure,
    Observation,
    PhaseBreak,
    Site,
    SiteEnrolment,
    StratifierCategory,
)
from measurement.models_dashboards import (
    DashboardDataVersion,
    DisclosureRule,
    ExpectedResultReview,
    MeasureChartPreference,
)
from measurement.periods import align, period_label, periods_between
from measurement.permissions import MeasurementPermission as M

WINDOW = 12  # periods in the site comparison (funnel) window
CACHE_SECONDS = 24 * 3600
ALL_STATUSES = tuple(Observation.Status.values)

CHARTS_FOR_VALUE_TYPE = {
    Measure.ValueType.PROPORTION: ("run", "i", "p", "pp"),
    Measure.ValueType.RATE: ("run", "i", "u", "up"),
    Measure.ValueType.COUNT: ("run", "i", "c"),
    Measure.ValueType.CONTINUOUS: ("run", "i"),
    Measure.ValueType.DAYS_BETWEEN: ("run", "i"),
}
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
    *, organization: Organization, slug: str, user, access_token: str | None = None
):
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
        found = (rows[0], frozenset(rows[0].dash_codenames or ())) if rows else (None, frozenset())
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
    checker.prefetch_perms(communities)
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


# ---------------------------------------------------------------- the pages' other reads


def disclosure_rule_get(*, organization: Organization) -> DisclosureRule | None:
    """The organization's stored disclosure rule (None: the safe default applies)."""
    return DisclosureRule.objects.filter(organization=organization).first()


def chart_preference(*, user, measure_id: int) -> tuple[str, str] | None:
    """The (chart type, rules) the person last chose for a measure, if any."""
    found = (
        MeasureChartPreference.objects.filter(measure_id=measure_id, user=user)
        .values_list("chart_type", "method")
        .first()
    )
    return tuple(found) if found else None


def enrolled_sites(*, community: Community) -> QuerySet[Site]:
    """The sites enrolled in the CoP (the sites a note or a cost may be about)."""
    return Site.objects.filter(organization=community.organization, enrolments__community=community)


def enrolled_site(*, community: Community, site_id: int | str | None) -> Site | None:
    """One of the CoP's enrolled sites by id (None for anything else)."""
    raw = str(site_id or "")
    if not raw.isdigit():
        return None
    return enrolled_sites(community=community).filter(pk=int(raw)).first()


def expected_results_reviewed(*, community: Community) -> list[dict[str, Any]]:
    """The CoP's expected results in order, each with its review (or None)."""
    reviews = {r.position: r for r in ExpectedResultReview.objects.filter(community=community)}
    return [
        {"result": result, "review": reviews.get(result.position)}
        for result in community_selectors.expected_results(community=community)
    ]


# ---------------------------------------------------------------- measure metadata


@dataclass
class StratifierInfo:
    id: int
    name: str
    categories: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class MeasureInfo:
    id: int
    code: str
    name: str
    kind: str
    reaim: str
    value_type: str
    frequency: str
    direction: str
    goal: float | None
    chart_type: str
    baseline_periods: int | None
    rate_multiplier: int | None
    rate_unit: str
    stratifiers: list[StratifierInfo] = field(default_factory=list)
    phases: list[tuple[dt.date, str]] = field(default_factory=list)

    @property
    def uses_ratio(self) -> bool:
        return self.value_type in (Measure.ValueType.PROPORTION, Measure.ValueType.RATE)

    @property
    def kind_label(self) -> str:
        return str(dict(Measure.Kind.choices).get(self.kind, self.kind))

    @property
    def reaim_label(self) -> str:
        return str(dict(Measure.ReAim.choices).get(self.reaim, self.reaim))

    @property
    def direction_label(self) -> str:
        return str(dict(Measure.Direction.choices).get(self.direction, self.direction))

    @property
    def is_count(self) -> bool:
        return self.value_type == Measure.ValueType.COUNT

    @property
    def multiply(self) -> float:
        if self.value_type == Measure.ValueType.PROPORTION:
            return 100.0
        if self.value_type == Measure.ValueType.RATE:
            return float(self.rate_multiplier or 1)
        return 1.0

    @property
    def unit(self) -> str:
        if self.value_type == Measure.ValueType.PROPORTION:
            return "%"
        if self.value_type == Measure.ValueType.RATE:
            return _("per %(n)s %(unit)s") % {"n": self.rate_multiplier, "unit": self.rate_unit}
        if self.value_type == Measure.ValueType.DAYS_BETWEEN:
            return _("days")
        return ""

    @property
    def default_chart(self) -> str:
        allowed = CHARTS_FOR_VALUE_TYPE.get(self.value_type, ("run", "i"))
        return self.chart_type if self.chart_type in allowed else "run"

    @property
    def categories(self) -> list[tuple[int, str]]:
        return [c for s in self.stratifiers for c in s.categories]


@dataclass
class SiteInfo:
    id: int
    name: str
    code: str
    wave: int
    enrolled_on: dt.date
    ends_on: dt.date | None


@dataclass
class CommunityMeta:
    measures: list[MeasureInfo]
    sites: list[SiteInfo]

    def measure(self, measure_id: int) -> MeasureInfo:
        for info in self.measures:
            if info.id == measure_id:
                return info
        raise Http404

    def site(self, site_id: int) -> SiteInfo:
        for site in self.sites:
            if site.id == site_id:
                return site
        raise Http404


def _load_meta(community: Community) -> CommunityMeta:
    """Four queries: measures, their stratifier categories, phase breaks, enrolments."""
    rows = Measure.objects.filter(community=community, is_active=True).order_by("code")
    measures = {
        m["id"]: MeasureInfo(
            id=m["id"],
            code=m["code"],
            name=m["name"],
            kind=m["kind"],
            reaim=m["reaim_dimension"],
            value_type=m["value_type"],
            frequency=m["frequency"],
            direction=m["direction"],
            goal=float(m["goal"]) if m["goal"] is not None else None,
            chart_type=m["chart_type"],
            baseline_periods=m["baseline_periods"],
            rate_multiplier=m["rate_multiplier"],
            rate_unit=m["rate_unit"],
        )
        for m in rows.values(
            "id",
            "code",
            "name",
            "kind",
            "reaim_dimension",
            "value_type",
            "frequency",
            "direction",
            "goal",
            "chart_type",
            "baseline_periods",
            "rate_multiplier",
            "rate_unit",
        )  # fmt: skip
    }
    categories = (
        StratifierCategory.objects.filter(stratifier__measures__in=list(measures))
        .order_by("stratifier__name", "stratifier_id", "position", "id")
        .values_list("stratifier__measures", "stratifier_id", "stratifier__name", "id", "label")
    )
    for measure_id, strat_id, strat_name, cat_id, label in categories:
        info = measures.get(measure_id)
        if info is None:
            continue
        if not info.stratifiers or info.stratifiers[-1].id != strat_id:
            info.stratifiers.append(StratifierInfo(id=strat_id, name=strat_name))
        info.stratifiers[-1].categories.append((cat_id, label))
    breaks = PhaseBreak.objects.filter(measure_id__in=list(measures)).order_by("starts_on")
    for measure_id, starts_on, reason in breaks.values_list("measure_id", "starts_on", "reason"):
        measures[measure_id].phases.append((starts_on, reason))
    sites = [
        SiteInfo(id=site_id, name=name, code=code, wave=wave, enrolled_on=enrolled, ends_on=ends)
        for site_id, name, code, wave, enrolled, ends in SiteEnrolment.objects.filter(
            community=community
        )
        .order_by("site__name", "site__code")
        .values_list("site_id", "site__name", "site__code", "wave", "enrolled_on", "ends_on")
    ]
    return CommunityMeta(measures=list(measures.values()), sites=sites)


def community_meta(community: Community, token: str) -> CommunityMeta:
    key = f"dash:meta:{community.pk}:{token}"
    meta = cache.get(key)
    if meta is None:
        meta = _load_meta(community)
        cache.set(key, meta, CACHE_SECONDS)
    return meta


# ---------------------------------------------------------------- disclosed figures


@dataclass
class MeasureArrays:
    """The disclosed figures of one measure, as compact arrays (NaN = nothing shown).

    ``*_sup`` marks hidden figures ("*"); a NaN that is not hidden is missing data.
    Rows of ``site_*`` follow ``site_ids``; rows of ``cat_*`` follow ``category_ids``.
    For continuous measures only ``num`` arrays are used (values, not counts).
    """

    periods: list[dt.date]
    site_ids: list[int]
    category_ids: list[int]
    site_num: np.ndarray
    site_den: np.ndarray
    site_num_sup: np.ndarray
    site_den_sup: np.ndarray
    total_num: np.ndarray
    total_den: np.ndarray
    total_num_sup: np.ndarray
    total_den_sup: np.ndarray
    cat_num: np.ndarray
    cat_den: np.ndarray
    cat_num_sup: np.ndarray
    cat_den_sup: np.ndarray
    window_start: int
    win_num: np.ndarray
    win_den: np.ndarray
    win_num_sup: np.ndarray
    win_den_sup: np.ndarray
    grand_num: float
    grand_den: float
    grand_num_sup: bool
    grand_den_sup: bool
    sc_num: np.ndarray  # (sites, categories, periods): each site's strata
    sc_den: np.ndarray
    sc_num_sup: np.ndarray
    sc_den_sup: np.ndarray


def _empty_arrays(periods: list[dt.date], site_ids: list[int], cats: list[int]) -> dict:
    s, t, c = len(site_ids), len(periods), len(cats)
    nan = np.full
    return {
        "site_num": nan((s, t), np.nan),
        "site_den": nan((s, t), np.nan),
        "site_num_sup": np.zeros((s, t), bool),
        "site_den_sup": np.zeros((s, t), bool),
        "total_num": nan(t, np.nan),
        "total_den": nan(t, np.nan),
        "total_num_sup": np.zeros(t, bool),
        "total_den_sup": np.zeros(t, bool),
        "cat_num": nan((c, t), np.nan),
        "cat_den": nan((c, t), np.nan),
        "cat_num_sup": np.zeros((c, t), bool),
        "cat_den_sup": np.zeros((c, t), bool),
        "win_num": nan(s, np.nan),
        "win_den": nan(s, np.nan),
        "win_num_sup": np.zeros(s, bool),
        "win_den_sup": np.zeros(s, bool),
        "grand_num": math.nan,
        "grand_den": math.nan,
        "grand_num_sup": False,
        "grand_den_sup": False,
        "sc_num": nan((s, c, t), np.nan),
        "sc_den": nan((s, c, t), np.nan),
        "sc_num_sup": np.zeros((s, c, t), bool),
        "sc_den_sup": np.zeros((s, c, t), bool),
    }


def _disclose_quantity(
    *,
    site_cells: dict[tuple[int, int], float],
    site_cat_cells: dict[tuple[int, int, int], float],
    site_row: dict[int, int],
    cat_row: dict[int, int],
    n_periods: int,
    stratifiers: list[StratifierInfo],
    window: range,
    rule: Rule,
) -> dict[str, Any]:
    """Primary and secondary suppression of one quantity (numerators or denominators)
    over every sum the platform shows: the sites add up to the CoP total of a period,
    the categories add up to their site's total and to the CoP's category total, the
    CoP's categories add up to its total, and the comparison window's periods add up
    to each site's and the CoP's window total (``disclosure.suppress_arrays`` on one
    flat array of all these cells)."""
    s_n, c_n, t_n = len(site_row), len(cat_row), n_periods
    site = np.full((s_n, t_n), np.nan)
    for (site_id, i), value in site_cells.items():
        site[site_row[site_id], i] = value
    sc = np.full((s_n, c_n, t_n), np.nan)
    for (site_id, i, cat), value in site_cat_cells.items():
        sc[site_row[site_id], cat_row[cat], i] = value

    def total(array: np.ndarray, axis: int) -> np.ndarray:
        present = (~np.isnan(array)).any(axis=axis)
        return np.where(present, np.nansum(array, axis=axis), np.nan)

    cop = total(site, 0) if s_n else np.full(t_n, np.nan)
    cat = total(sc, 0) if s_n else np.full((c_n, t_n), np.nan)
    win_cols = list(window)
    win = total(site[:, win_cols], 1) if win_cols else np.full(s_n, np.nan)
    grand = total(win, 0) if s_n else np.nan
    blocks = [site.ravel(), sc.ravel(), cop, cat.ravel(), win, np.atleast_1d(grand)]
    offsets = np.cumsum([0] + [b.size for b in blocks])
    values = np.concatenate(blocks)
    s_ix = offsets[0] + np.arange(s_n * t_n).reshape(s_n, t_n)
    sc_ix = offsets[1] + np.arange(s_n * c_n * t_n).reshape(s_n, c_n, t_n)
    t_ix = offsets[2] + np.arange(t_n)
    k_ix = offsets[3] + np.arange(c_n * t_n).reshape(c_n, t_n)
    w_ix = offsets[4] + np.arange(s_n)
    g_ix = offsets[5]
    constraints: list[np.ndarray] = []
    groups = [[cat_row[c] for c, _label in strat.categories] for strat in stratifiers]
    for i in range(t_n):
        constraints.append(np.concatenate(([t_ix[i]], s_ix[:, i])))
        for c in range(c_n):
            constraints.append(np.concatenate(([k_ix[c, i]], sc_ix[:, c, i])))
        for group in groups:
            constraints.append(np.concatenate(([t_ix[i]], k_ix[group, i])))
            for k in range(s_n):
                constraints.append(np.concatenate(([s_ix[k, i]], sc_ix[k, group, i])))
    if win_cols:
        for k in range(s_n):
            constraints.append(np.concatenate(([w_ix[k]], s_ix[k, win_cols])))
        constraints.append(np.concatenate(([g_ix], w_ix)))
        constraints.append(np.concatenate(([g_ix], t_ix[win_cols])))
    shown, hidden, _secondary = disclosure.suppress_arrays(values, constraints, rule)

    def block(index: int, shape: tuple[int, ...]):
        part = slice(offsets[index], offsets[index + 1])
        return shown[part].reshape(shape), hidden[part].reshape(shape)

    out: dict[str, Any] = {}
    out["site"], out["site_sup"] = block(0, (s_n, t_n))
    out["sc"], out["sc_sup"] = block(1, (s_n, c_n, t_n))
    out["total"], out["total_sup"] = block(2, (t_n,))
    out["cat"], out["cat_sup"] = block(3, (c_n, t_n))
    out["win"], out["win_sup"] = block(4, (s_n,))
    grand_shown, grand_hidden = block(5, (1,))
    out["grand"], out["grand_sup"] = float(grand_shown[0]), bool(grand_hidden[0])
    return out


def _build_arrays(
    info: MeasureInfo,
    rows: list[tuple],
    site_ids: list[int],
    rule: Rule,
) -> MeasureArrays:
    """Disclosed arrays of one measure from its observation rows
    ``(site_id, period, category_id, numerator, denominator, value)``."""
    cats = [c for c, _label in info.categories]
    if not rows:
        return MeasureArrays(
            periods=[], site_ids=site_ids, category_ids=cats, window_start=0,
            **_empty_arrays([], site_ids, cats),
        )  # fmt: skip
    first = min(r[1] for r in rows)
    last = max(r[1] for r in rows)
    periods = list(periods_between(info.frequency, first, last))
    index = {p: i for i, p in enumerate(periods)}
    t = len(periods)
    window = range(max(0, t - WINDOW), t)
    arrays = _empty_arrays(periods, site_ids, cats)
    site_row = {s: k for k, s in enumerate(site_ids)}
    cat_row = {c: k for k, c in enumerate(cats)}
    continuous = not info.uses_ratio and not info.is_count

    num: dict[tuple, float] = {}
    den: dict[tuple, float] = {}
    num_c: dict[tuple, float] = {}
    den_c: dict[tuple, float] = {}
    for site, period, category, numerator, denominator, value in rows:
        if site not in site_row:
            continue
        i = index.get(period)
        if i is None:  # periods are stored aligned; tolerate one that is not
            i = index.get(align(info.frequency, period))
        if i is None:
            continue
        if info.uses_ratio:
            if numerator is None or denominator is None:
                continue
            n_value, d_value = float(numerator), float(denominator)
        elif info.is_count:
            raw = value if value is not None else numerator
            if raw is None:
                continue
            n_value, d_value = float(raw), None
        else:
            if value is None:
                continue
            n_value, d_value = float(value), None
        if category is None:
            num[(site, i)] = n_value
            if d_value is not None:
                den[(site, i)] = d_value
        elif category in cat_row:
            num_c[(site, i, category)] = n_value
            if d_value is not None:
                den_c[(site, i, category)] = d_value

    if continuous:
        # Values, not counts: nothing to suppress; the CoP shows the mean of its sites.
        for (site, i), v in num.items():
            arrays["site_num"][site_row[site], i] = v
        for (site, i, cat), v in num_c.items():
            arrays["sc_num"][site_row[site], cat_row[cat], i] = v
        with np.errstate(invalid="ignore"), _quiet():
            arrays["total_num"] = np.nanmean(arrays["site_num"], axis=0)
            by_cat: dict[tuple[int, int], list[float]] = defaultdict(list)
            for (_site, i, cat), v in num_c.items():
                by_cat[(cat, i)].append(v)
            for (cat, i), values in by_cat.items():
                arrays["cat_num"][cat_row[cat], i] = sum(values) / len(values)
        return MeasureArrays(
            periods=periods, site_ids=site_ids, category_ids=cats,
            window_start=window.start, **arrays,
        )  # fmt: skip

    quantities = [("num", num, num_c)]
    if info.uses_ratio:
        quantities.append(("den", den, den_c))
    for name, cells, cat_cells in quantities:
        disclosed = _disclose_quantity(
            site_cells=cells,
            site_cat_cells=cat_cells,
            site_row=site_row,
            cat_row=cat_row,
            n_periods=t,
            stratifiers=info.stratifiers,
            window=window,
            rule=rule,
        )
        for part in ("site", "sc", "total", "cat", "win", "grand"):
            arrays[f"{part}_{name}"] = disclosed[part]
            arrays[f"{part}_{name}_sup"] = disclosed[f"{part}_sup"]
    return MeasureArrays(
        periods=periods, site_ids=site_ids, category_ids=cats, window_start=window.start,
        **arrays,
    )  # fmt: skip


class _quiet:
    """Silence NumPy's 'mean of empty slice' warning for all-missing periods."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", category=RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)


def _arrays_key(community_id: int, measure_id: int, audience: Audience, token: str) -> str:
    return f"dash:arrays:{community_id}:{measure_id}:{audience.data_key}:{token}"


def measure_arrays(
    *,
    community: Community,
    audience: Audience,
    meta: CommunityMeta,
    token: str,
    measure_ids: Sequence[int] | None = None,
) -> dict[int, MeasureArrays]:
    """The disclosed figures of the CoP's measures (all, or those named).

    Cached per measure; the measures missing from the cache are computed together
    from one query, so a page's query count does not depend on how many there are.
    """
    wanted = [m for m in meta.measures if measure_ids is None or m.id in measure_ids]
    keys = {m.id: _arrays_key(community.pk, m.id, audience, token) for m in wanted}
    found = cache.get_many(list(keys.values()))
    result: dict[int, MeasureArrays] = {}
    missing = []
    for info in wanted:
        arrays = found.get(keys[info.id])
        if arrays is None:
            missing.append(info)
        else:
            result[info.id] = arrays
    if missing:
        site_ids = [s.id for s in meta.sites]
        rows_by_measure: dict[int, list[tuple]] = defaultdict(list)
        observations = Observation.objects.filter(
            organization=community.organization,
            measure_id__in=[m.id for m in missing],
            site_id__in=site_ids,
            status__in=audience.statuses,
        ).values_list(
            "measure_id",
            "site_id",
            "period",
            "category_id",
            Cast("numerator", FloatField()),  # floats, not Decimals: 130k rows read fast
            Cast("denominator", FloatField()),
            Cast("value", FloatField()),
        )
        for measure_id, *row in observations.iterator(chunk_size=20000):
            rows_by_measure[measure_id].append(tuple(row))
        computed = {}
        for info in missing:
            arrays = _build_arrays(info, rows_by_measure.get(info.id, []), site_ids, audience.rule)
            result[info.id] = arrays
            computed[keys[info.id]] = arrays
        cache.set_many(computed, CACHE_SECONDS)
    return result


# ---------------------------------------------------------------- series


def figure_at(values: np.ndarray, hidden: np.ndarray, index) -> Figure:
    if bool(hidden[index]):
        return Figure(None, True)
    value = float(values[index])
    return Figure(None) if math.isnan(value) else Figure(value)


@dataclass
class SeriesPoint:
    period: dt.date
    label: str
    num: Figure
    den: Figure | None
    y: float | None  # plotted value (rate from disclosed figures)

    @property
    def suppressed(self) -> bool:
        return self.num.suppressed or bool(self.den and self.den.suppressed)


def _point(info: MeasureInfo, period: dt.date, num: Figure, den: Figure | None) -> SeriesPoint:
    if info.uses_ratio and den is not None:
        y = disclosure.disclose_rate(num, den, info.multiply).value
    else:
        y = num.value
    return SeriesPoint(period, period_label(info.frequency, period), num, den, y)


def total_series(info: MeasureInfo, arrays: MeasureArrays) -> list[SeriesPoint]:
    return [
        _point(
            info,
            p,
            figure_at(arrays.total_num, arrays.total_num_sup, i),
            figure_at(arrays.total_den, arrays.total_den_sup, i) if info.uses_ratio else None,
        )
        for i, p in enumerate(arrays.periods)
    ]


def site_series(info: MeasureInfo, arrays: MeasureArrays, site_id: int) -> list[SeriesPoint]:
    if site_id not in arrays.site_ids:
        raise Http404
    k = arrays.site_ids.index(site_id)
    return [
        _point(
            info,
            p,
            figure_at(arrays.site_num, arrays.site_num_sup, (k, i)),
            figure_at(arrays.site_den, arrays.site_den_sup, (k, i)) if info.uses_ratio else None,
        )
        for i, p in enumerate(arrays.periods)
    ]


def category_series(info: MeasureInfo, arrays: MeasureArrays, cat_id: int) -> list[SeriesPoint]:
    k = arrays.category_ids.index(cat_id)
    return [
        _point(
            info,
            p,
            figure_at(arrays.cat_num, arrays.cat_num_sup, (k, i)),
            figure_at(arrays.cat_den, arrays.cat_den_sup, (k, i)) if info.uses_ratio else None,
        )
        for i, p in enumerate(arrays.periods)
    ]


# ---------------------------------------------------------------- SPC


def spc_arguments(
    info: MeasureInfo, points: Sequence[SeriesPoint], chart: str, method: str
) -> dict[str, Any] | None:
    """The SPC engine's arguments for a series (None when it has no value at all)."""
    if not any(p.y is not None for p in points):
        return None
    size = len(points)
    args: dict[str, Any] = {"chart": chart, "method": method}
    if info.uses_ratio:
        ok = [p.y is not None for p in points]
        args["y"] = [p.num.value if k else None for p, k in zip(points, ok, strict=True)]
        args["n"] = [p.den.value if k else None for p, k in zip(points, ok, strict=True)]
        args["multiply"] = info.multiply
    else:
        args["y"] = [p.y for p in points]
    if info.baseline_periods and 1 <= info.baseline_periods <= size:
        args["freeze"] = info.baseline_periods
    index = {p.period: i for i, p in enumerate(points)}
    parts = sorted(
        {
            index[align(info.frequency, d)]
            for d, _r in info.phases
            if align(info.frequency, d) in index
        }
    )
    parts = [i for i in parts if 1 <= i <= size - 1]
    if parts:
        args["part"] = parts
    if method == "mdc":
        if info.direction in ("up", "down"):
            args["direction"] = info.direction
        if info.goal is not None:
            args["target"] = info.goal
    return args


def analyse_series(
    info: MeasureInfo, points: Sequence[SeriesPoint], chart: str, method: str
) -> dict[str, Any] | None:
    """The SPC result of a series, or None when it cannot be analysed."""
    from measurement.spc import SpcInputError, analyse

    args = spc_arguments(info, points, chart, method)
    if args is None:
        return None
    try:
        return analyse(**args)
    except SpcInputError:
        return None


def _side_class(direction: str, high: bool) -> str:
    if direction == "up":
        return "improvement" if high else "concern"
    if direction == "down":
        return "concern" if high else "improvement"
    return "signal"


RULE_LABELS = {
    "outside_limits": "L",
    "trend": "T",
    "two_in_three": "2",
    "shift": "S",
}


def signal_legend() -> list[tuple[str, str]]:
    return [
        ("L", _("a point outside the control limits")),
        ("S", _("part of a shift (a long run on one side of the centre line)")),
        ("T", _("part of a trend (points rising or falling in a row)")),
        ("2", _("two of three points beyond two sigma on one side")),
    ]


def classify_points(
    result: dict[str, Any] | None, method: str, direction: str, size: int
) -> list[tuple[str, str]]:
    """(point class, short label) for each point: whether it is a special cause, which
    way it points (improvement or concern given the measure's direction) and which rule
    found it (L: limits, S: shift, T: trend, 2: two of three)."""
    out = [("common", "")] * size
    if result is None:
        return list(out)
    out = list(out)
    points = result["points"]
    if method == "mdc":
        for i, p in enumerate(points):
            if p.get("special_cause"):
                kind = p.get("special_cause_type")
                cls = kind if kind in ("improvement", "concern") else "signal"
                out[i] = (cls, RULE_LABELS.get(p.get("special_cause_rule") or "", ""))
        return out
    for i, p in enumerate(points):
        if p["sigma_signal"] and p["y"] is not None:
            high = p["ucl"] is not None and p["y"] > p["ucl"]
            out[i] = (_side_class(direction, high), "L")
    if method == "ihi":
        for shift in result.get("shifts", []):
            cls = _side_class(direction, shift["side"] == "above")
            for pos in shift["positions"]:
                if out[pos - 1][0] == "common":
                    out[pos - 1] = (cls, "S")
        for trend in result.get("trends", []):
            cls = _side_class(direction, trend["direction"] == "up")
            for pos in trend["positions"]:
                if out[pos - 1][0] == "common":
                    out[pos - 1] = (cls, "T")
    return out


def chart_rows(
    points: Sequence[SeriesPoint], result: dict[str, Any] | None, method: str, direction: str
) -> list[dict[str, Any]]:
    """Rows for the chart specification and the data table."""
    classes = classify_points(result, method, direction, len(points))
    # A baseline is shown only when the centre line comes from the first points.
    frozen = result is not None and any(not q["baseline"] for q in result["points"])
    rows = []
    for i, point in enumerate(points):
        spc = result["points"][i] if result else {}
        cls, label = classes[i]
        rows.append(
            {
                "period": point.label,
                "date": point.period,
                "y": point.y,
                "cl": spc.get("cl"),
                "lcl": spc.get("lcl"),
                "ucl": spc.get("ucl"),
                "part": spc.get("part", 1),
                "baseline": bool(spc.get("baseline")) and frozen,
                "point_class": cls if point.y is not None else "common",
                "signal_label": label if point.y is not None else "",
                "num": point.num.display,
                "den": point.den.display if point.den is not None else "",
                "suppressed": point.suppressed,
            }
        )
    return rows


def runs_signal_parts(result: dict[str, Any] | None) -> list[int]:
    if not result:
        return []
    return [p["part"] for p in result["parts"] if p.get("runs_signal")]


# ---------------------------------------------------------------- summaries


@dataclass
class MeasureSummary:
    info: MeasureInfo
    latest_label: str
    latest_value: float | None
    latest_display: str
    state: str  # improvement / concern / signal / common / no_data
    state_text: str
    variation_icon: str | None
    assurance_icon: str | None
    n_points: int
    spark_rows: list[dict[str, Any]]
    spark_svg: str = ""


STATE_TEXT = {
    "improvement": lambda: _("Special cause: improvement"),
    "concern": lambda: _("Special cause: concern"),
    "signal": lambda: _("Special cause"),
    "common": lambda: _("Common cause variation"),
    "no_data": lambda: _("Not enough data"),
}


def format_value(value: float | None, info: MeasureInfo) -> str:
    if value is None:
        return ""
    digits = 1 if info.uses_ratio or info.value_type == Measure.ValueType.CONTINUOUS else 0
    if info.value_type == Measure.ValueType.PROPORTION:
        return l10n.percent(value, digits)
    return l10n.number(value, digits)


def mdc_icons(info: MeasureInfo, points: Sequence[SeriesPoint]) -> dict[str, Any] | None:
    """Making Data Count on the plotted values (an XmR chart, as NHS practice)."""
    from measurement.spc import SpcInputError, analyse

    values = [p.y for p in points]
    if sum(v is not None for v in values) < 3:
        return None
    args: dict[str, Any] = {"chart": "i", "y": values, "method": "mdc"}
    if info.direction in ("up", "down"):
        args["direction"] = info.direction
        if info.goal is not None:
            args["target"] = info.goal
    if info.baseline_periods and 1 <= info.baseline_periods <= len(values):
        args["freeze"] = info.baseline_periods
    try:
        return analyse(**args)
    except SpcInputError:
        return None


def summarise(info: MeasureInfo, points: Sequence[SeriesPoint]) -> MeasureSummary:
    """The current state of a measure: last value, signal state (Making Data Count
    rules on an XmR chart of the plotted values), variation and assurance icons."""
    mdc = mdc_icons(info, points)
    last = next((p for p in reversed(points) if p.y is not None), None)
    if mdc is None or last is None:
        state = "no_data"
    else:
        last_point = mdc["points"][points.index(last)]
        if last_point.get("special_cause"):
            kind = last_point.get("special_cause_type")
            state = kind if kind in ("improvement", "concern") else "signal"
        else:
            state = "common"
    rows = chart_rows(points[-24:], None, "anhoej", info.direction)
    if mdc is not None:
        classes = classify_points(mdc, "mdc", info.direction, len(points))[-24:]
        for row, (cls, label), spc in zip(rows, classes, mdc["points"][-24:], strict=True):
            row.update(cl=spc["cl"], lcl=spc["lcl"], ucl=spc["ucl"], part=spc["part"])
            if row["y"] is not None:
                row.update(point_class=cls, signal_label=label)
    return MeasureSummary(
        info=info,
        latest_label=last.label if last else "",
        latest_value=last.y if last else None,
        latest_display=format_value(last.y, info) if last else "",
        state=state,
        state_text=STATE_TEXT[state](),
        variation_icon=mdc.get("variation_icon") if mdc else None,
        assurance_icon=mdc.get("assurance_icon") if mdc else None,
        n_points=sum(p.y is not None for p in points),
        spark_rows=rows,
    )


def overview(
    *, community: Community, audience: Audience, token: str | None = None
) -> tuple[CommunityMeta, list[MeasureSummary]]:
    """Every active measure's summary for the CoP dashboard (cached as a whole)."""
    token = token or audience.token or data_token(community.organization)
    key = f"dash:overview:{community.pk}:{audience.data_key}:{token}:{translation.get_language()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    meta = community_meta(community, token)
    arrays = measure_arrays(community=community, audience=audience, meta=meta, token=token)
    from measurement import charts

    summaries = [summarise(info, total_series(info, arrays[info.id])) for info in meta.measures]
    for summary in summaries:  # rendered once here, so a cache hit renders nothing
        summary.spark_svg = charts.render_chart_svg(
            charts.sparkline_spec(title="", rows=summary.spark_rows)
        )
    cache.set(key, (meta, summaries), CACHE_SECONDS)
    return meta, summaries


# ---------------------------------------------------------------- comparing sites


def anonymous_labels(community_id: int, site_ids: Sequence[int]) -> dict[int, str]:
    """ "Site A", "Site B"... in an order that does not follow names or codes (a stable
    hash), so a shared screen does not give the sites away."""

    def digest(site_id: int) -> str:
        return hashlib.sha256(f"{community_id}:{site_id}".encode()).hexdigest()

    ordered = sorted(site_ids, key=digest)
    labels = {}
    for k, site_id in enumerate(ordered):
        letters = ""
        n = k
        while True:
            letters = chr(ord("A") + n % 26) + letters
            n = n // 26 - 1
            if n < 0:
                break
        labels[site_id] = _("Site %(letter)s") % {"letter": letters}
    return labels


@dataclass
class FunnelPoint:
    site_id: int
    label: str
    num: Figure
    den: Figure
    y: float | None
    outside: bool
    side: str  # "above" / "below" / ""


def funnel_points(
    info: MeasureInfo, arrays: MeasureArrays, labels: dict[int, str]
) -> tuple[float | None, list[FunnelPoint]]:
    """Each site's rate over the comparison window (from disclosed figures) and
    whether it lies outside the 99.8% funnel limits around the overall rate."""
    if not info.uses_ratio or not arrays.periods:
        return None, []
    overall = None
    shown = not arrays.grand_num_sup and not arrays.grand_den_sup
    known = not math.isnan(arrays.grand_num) and not math.isnan(arrays.grand_den)
    if shown and known and arrays.grand_den:
        overall = arrays.grand_num / arrays.grand_den * info.multiply
    points = []
    for k, site_id in enumerate(arrays.site_ids):
        num = figure_at(arrays.win_num, arrays.win_num_sup, k)
        den = figure_at(arrays.win_den, arrays.win_den_sup, k)
        if num.missing and den.missing:
            continue
        y = disclosure.disclose_rate(num, den, info.multiply).value
        outside, side = False, ""
        if overall is not None and y is not None and den.value:
            centre = overall / info.multiply
            if info.value_type == Measure.ValueType.PROPORTION:
                sd = math.sqrt(max(centre * (1 - centre), 0.0) / den.value)
            else:
                sd = math.sqrt(max(centre, 0.0) / den.value)
            lower, upper = (
                (centre - 3.09 * sd) * info.multiply,
                (centre + 3.09 * sd) * info.multiply,
            )
            if y > upper or y < lower:
                outside, side = True, "above" if y > upper else "below"
        points.append(
            FunnelPoint(site_id, labels.get(site_id, str(site_id)), num, den, y, outside, side)
        )
    return overall, points


# ---------------------------------------------------------------- equity


@dataclass
class EquityBreakdown:
    stratifier: StratifierInfo
    series: list[tuple[int, str, list[SeriesPoint]]]
    total: list[SeriesPoint]
    gaps: list[tuple[str, float | None, str, str]]  # period, gap, best, worst

    @property
    def latest_gap(self) -> tuple[str, float | None, str, str] | None:
        return next((g for g in reversed(self.gaps) if g[1] is not None), None)


def equity_breakdowns(info: MeasureInfo, arrays: MeasureArrays) -> list[EquityBreakdown]:
    """Per stratifier: each category's series, the total, and per period the gap
    between the best and the worst group (by the measure's direction; for a neutral
    measure, the highest and the lowest)."""
    total = total_series(info, arrays)
    result = []
    for strat in info.stratifiers:
        series = [
            (cat_id, label, category_series(info, arrays, cat_id))
            for cat_id, label in strat.categories
        ]
        gaps = []
        for i, point in enumerate(total):
            values = [(label, s[i].y) for _c, label, s in series if s[i].y is not None]
            if len(values) < 2:
                gaps.append((point.label, None, "", ""))
                continue
            high = max(values, key=lambda v: v[1])
            low = min(values, key=lambda v: v[1])
            best, worst = (low, high) if info.direction == "down" else (high, low)
            gaps.append((point.label, abs(high[1] - low[1]), best[0], worst[0]))
        result.append(EquityBreakdown(stratifier=strat, series=series, total=total, gaps=gaps))
    return result


# ---------------------------------------------------------------- page assembly


@dataclass
class MeasureChart:
    """Everything a measure's chart page, its downloads and its API answer show."""

    info: MeasureInfo
    points: list[SeriesPoint]
    chart: str
    method: str
    rows: list[dict[str, Any]]
    result: dict[str, Any] | None
    spec: dict[str, Any]
    annotations: list[dict[str, Any]]
    scope_label: str

    def table(self) -> tuple[list[str], list[list[Any]]]:
        columns = [_("Period")]
        if self.info.uses_ratio:
            columns += [_("Numerator"), _("Denominator")]
        columns += [_("Value"), _("Centre line"), _("Lower limit"), _("Upper limit"),
                    _("Signal")]  # fmt: skip
        body = []
        for row in self.rows:
            line: list[Any] = [row["period"]]
            if self.info.uses_ratio:
                line += [row["num"], row["den"]]
            value = disclosure.SUPPRESSED_MARK if row["suppressed"] else _round(row["y"])
            line += [value, _round(row["cl"]), _round(row["lcl"]), _round(row["ucl"]),
                     _signal_text(row)]  # fmt: skip
            body.append(line)
        return columns, body


def _round(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _signal_text(row: dict[str, Any]) -> str:
    if row["point_class"] == "common" or row["y"] is None:
        return ""
    from measurement.charts import point_class_labels

    return f"{point_class_labels()[row['point_class']]} ({row['signal_label']})"


def chart_choice(info: MeasureInfo, preference: tuple[str, str] | None) -> tuple[str, str]:
    allowed = CHARTS_FOR_VALUE_TYPE.get(info.value_type, ("run", "i"))
    chart, method = info.default_chart, "anhoej"
    if preference and preference[0] in allowed and preference[1] in METHODS:
        chart, method = preference
    if method == "mdc" and chart == "run":
        method = "anhoej"
    return chart, method


def annotations_for(
    *, info: MeasureInfo, organization, user, membership, site_id: int | None, notes_url: str
) -> list[dict[str, Any]]:
    """PDSA tests linked to the measure (those the person may see) and members' notes,
    numbered in date order, each with the link back to its page."""
    from measurement.models_dashboards import ChartNote

    found: list[dict[str, Any]] = []
    try:
        from knowledge import selectors as knowledge_selectors
    except ImportError:  # pragma: no cover - part of the platform
        knowledge_selectors = None
    if knowledge_selectors is not None and hasattr(
        knowledge_selectors, "tests_of_change_for_measure"
    ):
        viewer = knowledge_selectors.viewer_for(
            user=user, organization=organization, membership=membership
        )
        for test in knowledge_selectors.tests_of_change_for_measure(
            measure_id=info.id, organization=organization, viewer=viewer
        ):
            found.append(
                {
                    "date": test["date"],
                    "title": test["title"],
                    "detail": test.get("outcome", ""),
                    "url": test["url"],
                    "kind": _("PDSA test"),
                }
            )
    notes = ChartNote.objects.filter(measure_id=info.id).select_related("author")
    notes = notes.filter(site_id=site_id) if site_id else notes.filter(site__isnull=True)
    for note in notes:
        found.append(
            {
                "date": note.period,
                "title": note.text,
                "detail": note.author.display_name if note.author else "",
                "url": f"{notes_url}#note-{note.pk}",
                "kind": _("Note"),
                "note_id": note.pk,
                "author_id": note.author_id,
            }
        )
    found.sort(key=lambda a: a["date"])
    for number, annotation in enumerate(found, start=1):
        annotation["number"] = number
        annotation["period"] = period_label(
            info.frequency, align(info.frequency, annotation["date"])
        )
    return found


def measure_chart(
    *,
    info: MeasureInfo,
    points: list[SeriesPoint],
    preference: tuple[str, str] | None,
    annotations: list[dict[str, Any]],
    scope_label: str,
) -> MeasureChart:
    """Analyse a series with the chosen chart and rules and build its specification."""
    from measurement import charts

    chart, method = chart_choice(info, preference)
    result = analyse_series(info, points, chart, method)
    rows = chart_rows(points, result, method, info.direction)
    labels = {p.label for p in points}
    phases = [
        {"period": period_label(info.frequency, align(info.frequency, d)), "reason": reason}
        for d, reason in info.phases
        if period_label(info.frequency, align(info.frequency, d)) in labels
    ]
    shown = [a for a in annotations if a["period"] in labels]
    y_title = f"{info.name} ({info.unit})" if info.unit else info.name
    goal = info.goal
    if goal is not None and info.value_type == Measure.ValueType.PROPORTION and goal <= 1:
        goal = goal * 100  # a goal written as a fraction, charted in percent
    spec = charts.control_chart_spec(
        title=f"{info.name}: {scope_label}",
        y_title=y_title,
        rows=rows,
        goal=goal,
        phases=phases,
        annotations=shown,
        runs_signal_parts=runs_signal_parts(result),
        show_limits=chart != "run",
    )
    return MeasureChart(
        info=info, points=points, chart=chart, method=method, rows=rows, result=result,
        spec=spec, annotations=shown, scope_label=scope_label,
    )  # fmt: skip


def chart_for_recipient(
    *, user, community: Community, measure_id: int, site_id: int | None = None
) -> tuple[MeasureChart, str]:
    """A measure's chart for an email or a printout: the figures this recipient may see
    (disclosure applied exactly as on the page), the measure's default chart, and the
    SVG from the same renderer as the pages. Raises Http404 if they may not see it."""
    from measurement import charts

    audience = audience_for(user=user, community=community)
    require_view(audience)
    token = audience.token
    meta = community_meta(community, token)
    info = meta.measure(measure_id)
    arrays = measure_arrays(
        community=community, audience=audience, meta=meta, token=token, measure_ids=[info.id]
    )[info.id]
    if site_id is not None:
        points, label = site_series(info, arrays, site_id), meta.site(site_id).name
    else:
        points, label = total_series(info, arrays), _("whole CoP")
    chart = measure_chart(
        info=info, points=points, preference=None, annotations=[], scope_label=label
    )
    return chart, charts.render_chart_svg(chart.spec)
