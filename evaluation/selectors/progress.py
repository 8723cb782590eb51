"""Reads of the monthly progress ratings: this month's table of site teams, a site's
trend, the distribution of scores across sites per month, and the ratings due from a
person. Each is a fixed number of queries whatever the number of sites or months.

The *progress score* of a site and month is the faculty's rating when there is one,
otherwise the team's own: the faculty's judgement is the collaborative's record, and a
month the faculty has not rated yet still counts with the team's view."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from communities.models import Community
from evaluation.models import LEVELS, AssessmentLevel, ProgressRating
from measurement.models import SiteEnrolment


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_back(month: dt.date, n: int) -> list[dt.date]:
    """The ``n`` months ending with ``month``, oldest first."""
    result = []
    y, m = month.year, month.month
    for _i in range(n):
        result.append(dt.date(y, m, 1))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return result[::-1]


@dataclass
class MonthCell:
    """One site's two ratings for one month and the gap between them."""

    self_rating: ProgressRating | None = None
    faculty: ProgressRating | None = None

    @property
    def score(self) -> Decimal | None:
        chosen = self.faculty or self.self_rating
        return chosen.score if chosen else None

    @property
    def gap(self) -> Decimal | None:
        """Faculty minus self: negative when the team rates itself higher."""
        if self.self_rating is None or self.faculty is None:
            return None
        return self.faculty.score - self.self_rating.score


@dataclass
class SiteRow:
    enrolment: SiteEnrolment
    cell: MonthCell = field(default_factory=MonthCell)

    @property
    def site(self):
        return self.enrolment.site


def enrolments(*, community: Community) -> list[SiteEnrolment]:
    """The CoP's enrolled site teams with their leads (one query)."""
    return list(
        SiteEnrolment.objects.filter(community=community)
        .select_related("site", "team_lead")
        .order_by("site__name")
    )


def enrolment_get(*, community: Community, site_id: int) -> SiteEnrolment:
    """A site enrolled in the CoP, or 404 (another CoP's or organization's site)."""
    found = (
        SiteEnrolment.objects.filter(community=community, site_id=site_id)
        .select_related("site", "team_lead")
        .first()
    )
    if found is None:
        raise Http404
    return found


def month_table(*, community: Community, month: dt.date) -> list[SiteRow]:
    """Every site team of the CoP with its ratings of ``month`` (two queries)."""
    rows = {e.site_id: SiteRow(enrolment=e) for e in enrolments(community=community)}
    for rating in ProgressRating.objects.filter(community=community, month=month).select_related(
        "rated_by"
    ):
        row = rows.get(rating.site_id)
        if row is None:
            continue
        if rating.kind == ProgressRating.Kind.SELF:
            row.cell.self_rating = rating
        else:
            row.cell.faculty = rating
    return list(rows.values())


@dataclass
class TrendRow:
    month: dt.date
    cell: MonthCell


def site_trend(*, community: Community, site_id: int, months: list[dt.date]) -> list[TrendRow]:
    """A site's ratings over ``months`` (one query)."""
    cells = {m: MonthCell() for m in months}
    for rating in ProgressRating.objects.filter(
        community=community, site_id=site_id, month__in=months
    ).select_related("rated_by"):
        if rating.kind == ProgressRating.Kind.SELF:
            cells[rating.month].self_rating = rating
        else:
            cells[rating.month].faculty = rating
    return [TrendRow(month=m, cell=cells[m]) for m in months]


@dataclass
class MonthDistribution:
    month: dt.date
    counts: dict[Decimal, int]
    rated: int
    sites: int

    @property
    def levels(self) -> list[tuple[Decimal, str, int]]:
        return [(v, str(AssessmentLevel(f"{v:.1f}").label), self.counts.get(v, 0)) for v in LEVELS]

    @property
    def median(self) -> Decimal | None:
        values = sorted(v for v, n in self.counts.items() for _i in range(n))
        if not values:
            return None
        return (
            values[len(values) // 2]
            if len(values) % 2
            else ((values[len(values) // 2 - 1] + values[len(values) // 2]) / 2)
        )


def scores_by_month(
    *, community_ids: list[int], months: list[dt.date]
) -> dict[int, dict[dt.date, dict[int, Decimal]]]:
    """The progress score per CoP, month and site (faculty over self): one query for
    any number of CoPs."""
    result: dict[int, dict[dt.date, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    rows = ProgressRating.objects.filter(
        community_id__in=community_ids, month__in=months
    ).values_list("community_id", "month", "site_id", "kind", "score")
    for community_id, month, site_id, kind, score in rows:
        per_site = result[community_id][month]
        if kind == ProgressRating.Kind.FACULTY or site_id not in per_site:
            per_site[site_id] = score
    return result


def distribution(*, community: Community, months: list[dt.date]) -> list[MonthDistribution]:
    """Per month, how many site teams stand at each level (two queries)."""
    sites = SiteEnrolment.objects.filter(community=community).count()
    scores = scores_by_month(community_ids=[community.pk], months=months).get(community.pk, {})
    result = []
    for month in months:
        per_site = scores.get(month, {})
        result.append(
            MonthDistribution(
                month=month,
                counts=dict(Counter(per_site.values())),
                rated=len(per_site),
                sites=sites,
            )
        )
    return result


def due_self_ratings(*, user, community_ids: list[int]) -> list[SiteEnrolment]:
    """The site teams the person leads in these CoPs whose month is not self-rated yet
    (one query)."""
    if not community_ids:
        return []
    month = month_start(timezone.localdate())
    return list(
        SiteEnrolment.objects.filter(community_id__in=community_ids, team_lead=user)
        .exclude(ends_on__lt=month)
        .exclude(
            Exists(
                ProgressRating.objects.filter(
                    community=OuterRef("community"),
                    site=OuterRef("site"),
                    month=month,
                    kind=ProgressRating.Kind.SELF,
                )
            )
        )
        .select_related("site", "community")
        .order_by("community_id", "site__name")
    )
