"""CFIR reference data, rounds, the site-by-construct heat map, barriers and the ERIC strategies
chosen for them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from communities.models import Community
from evaluation.models import (
    CfirConstruct,
    CfirDomain,
    CfirRating,
    CfirRound,
    EricCluster,
    StrategyChoice,
)
from measurement.models import Site

# --------------------------------------------------------------------------- reference


def cfir_domains() -> list[CfirDomain]:
    """The five domains with their constructs in order (two queries)."""
    return list(CfirDomain.objects.prefetch_related("constructs__parent").order_by("number"))


def cfir_constructs() -> list[CfirConstruct]:
    return list(CfirConstruct.objects.select_related("domain", "parent").order_by("position"))


def eric_clusters() -> list[EricCluster]:
    """The nine clusters with their strategies (two queries)."""
    return list(EricCluster.objects.prefetch_related("strategies").order_by("number"))


# --------------------------------------------------------------------------- CFIR rounds


def cfir_rounds(*, community: Community) -> QuerySet[CfirRound]:
    return (
        CfirRound.objects.filter(community=community)
        .annotate(
            rated=Count("ratings", filter=Q(ratings__rating__isnull=False)),
            barriers=Count("ratings", filter=Q(ratings__rating__lt=0)),
        )
        .order_by("-held_on", "-id")
    )


def cfir_round_get(*, community: Community, round_id: int) -> CfirRound:
    found = CfirRound.objects.filter(community=community, pk=round_id).first()
    if found is None:
        raise Http404
    return found


def previous_round(*, cfir_round: CfirRound) -> CfirRound | None:
    """The round held just before this one in the same CoP."""
    return (
        CfirRound.objects.filter(community_id=cfir_round.community_id)
        .filter(
            Q(held_on__lt=cfir_round.held_on) | Q(held_on=cfir_round.held_on, id__lt=cfir_round.pk)
        )
        .order_by("-held_on", "-id")
        .first()
    )


def community_sites(*, community: Community, extra_ids: set[int] | None = None) -> list[Site]:
    """Sites enrolled in the CoP, plus any others already rated (one query)."""
    condition = Q(enrolments__community=community)
    if extra_ids:
        condition |= Q(pk__in=extra_ids)
    return list(
        Site.objects.filter(organization=community.organization)
        .filter(condition)
        .distinct()
        .order_by("name")
    )


def site_for_community(*, community: Community, site_id: int) -> Site:
    """A site of the CoP's organization, or Http404 (another organization's site)."""
    site = Site.objects.filter(organization=community.organization, pk=site_id).first()
    if site is None:
        raise Http404
    return site


@dataclass
class HeatCell:
    rating: int | None
    evidence: str = ""
    rating_id: int | None = None
    previous: int | None = None
    had_previous: bool = False

    @property
    def label(self) -> str:
        """The rating as text with its sign, so it never depends on colour."""
        if self.rating is None:
            return "–"
        return f"+{self.rating}" if self.rating > 0 else str(self.rating).replace("-", "−")

    @property
    def css(self) -> str:
        if self.rating is None:
            return "cfir-missing"
        return {-2: "cfir-m2", -1: "cfir-m1", 0: "cfir-0", 1: "cfir-p1", 2: "cfir-p2"}[self.rating]

    @property
    def is_barrier(self) -> bool:
        return self.rating is not None and self.rating < 0

    @property
    def change(self) -> int | None:
        if self.rating is None or self.previous is None:
            return None
        return self.rating - self.previous

    @property
    def change_label(self) -> str:
        change = self.change
        if change is None or change == 0:
            return ""
        return f"▲ +{change}" if change > 0 else f"▼ −{-change}"


@dataclass
class HeatRow:
    construct: CfirConstruct
    cells: list[HeatCell]


@dataclass
class HeatMap:
    cfir_round: CfirRound
    previous: CfirRound | None
    sites: list[Site]
    domains: list[tuple[CfirDomain, list[HeatRow]]]

    @property
    def rated_count(self) -> int:
        return sum(
            1 for _d, rows in self.domains for r in rows for c in r.cells if c.rating is not None
        )


def heat_map(*, cfir_round: CfirRound) -> HeatMap:
    """Sites by constructs for one round, with the change since the previous round.
    Five queries whatever the size: constructs, ratings, sites, previous round and its
    ratings."""
    constructs = cfir_constructs()
    ratings = list(
        CfirRating.objects.filter(round=cfir_round).values_list(
            "site_id", "construct_id", "rating", "evidence", "id"
        )
    )
    by_key = {(s, c): (r, e, pk) for s, c, r, e, pk in ratings}
    sites = community_sites(community=cfir_round.community, extra_ids={r[0] for r in ratings})
    before = previous_round(cfir_round=cfir_round)
    previous: dict[tuple[int, int], int | None] = {}
    if before is not None:
        previous = {
            (s, c): r
            for s, c, r in CfirRating.objects.filter(round=before).values_list(
                "site_id", "construct_id", "rating"
            )
        }
    grouped: dict[int, list[HeatRow]] = defaultdict(list)
    domains: dict[int, CfirDomain] = {}
    for construct in constructs:
        domains[construct.domain_id] = construct.domain
        cells = []
        for site in sites:
            rating, evidence, rating_id = by_key.get((site.pk, construct.pk), (None, "", None))
            key = (site.pk, construct.pk)
            cells.append(
                HeatCell(
                    rating=rating,
                    evidence=evidence,
                    rating_id=rating_id,
                    previous=previous.get(key),
                    had_previous=key in previous,
                )
            )
        grouped[construct.domain_id].append(HeatRow(construct=construct, cells=cells))
    return HeatMap(
        cfir_round=cfir_round,
        previous=before,
        sites=sites,
        domains=[
            (domains[d], grouped[d]) for d in sorted(domains, key=lambda d: domains[d].number)
        ],
    )


def site_ratings(*, cfir_round: CfirRound, site: Site) -> dict[int, CfirRating]:
    """One site's ratings in a round, by construct id (for the rating form)."""
    return {r.construct_id: r for r in CfirRating.objects.filter(round=cfir_round, site=site)}


def barrier_get(*, community: Community, barrier_id: int) -> CfirRating:
    """A negative rating of the CoP, or Http404."""
    found = (
        CfirRating.objects.filter(round__community=community, pk=barrier_id, rating__lt=0)
        .select_related("construct__domain", "site", "round")
        .first()
    )
    if found is None:
        raise Http404
    return found


def strategy_choice_get(*, community: Community, choice_id: int) -> StrategyChoice:
    found = (
        StrategyChoice.objects.filter(community=community, pk=choice_id)
        .select_related("strategy", "barrier")
        .first()
    )
    if found is None:
        raise Http404
    return found


def barrier_strategies(*, barrier: CfirRating) -> QuerySet[StrategyChoice]:
    """The strategies chosen for one barrier with their cluster, tests and measures."""
    return barrier.strategies.select_related("strategy__cluster").prefetch_related(
        "tests", "measures"
    )
