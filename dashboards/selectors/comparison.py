"""Comparing sites (anonymous labels, funnel plots) and equity breakdowns by
stratifier category, from the disclosed figures.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from dashboards import disclosure
from dashboards.disclosure import Figure
from dashboards.selectors.figures import (
    MeasureArrays,
    SeriesPoint,
    category_series,
    figure_at,
    total_series,
)
from dashboards.selectors.meta import MeasureInfo, StratifierInfo
from measurement.models import (
    Measure,
)

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
    chart_label: str = ""  # what the funnel plot writes by the point (a code)


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
        gaps: list[tuple[str, float | None, str, str]] = []
        for i, point in enumerate(total):
            values = [(label, y) for _c, label, s in series if (y := s[i].y) is not None]
            if len(values) < 2:
                gaps.append((point.label, None, "", ""))
                continue
            high = max(values, key=lambda v: v[1])
            low = min(values, key=lambda v: v[1])
            best, worst = (low, high) if info.period_direction == "down" else (high, low)
            gaps.append((point.label, abs(high[1] - low[1]), best[0], worst[0]))
        result.append(EquityBreakdown(stratifier=strat, series=series, total=total, gaps=gaps))
    return result
