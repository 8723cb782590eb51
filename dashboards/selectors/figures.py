"""The disclosed figures of every measure and the series built from them.

Everything a non-steward sees comes from :func:`measure_arrays`, which applies the
disclosure rule (primary and secondary suppression over every sum the platform
shows) once per measure; pages, charts, downloads and the API all read from it.
A cold cache reads measures, categories, phase breaks, enrolments and observations
in five queries, whatever the number of sites, measures and periods.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.http import Http404

from communities.models import Community
from copcore import versioned_cache as cache
from dashboards import disclosure
from dashboards.disclosure import Figure, Rule
from dashboards.selectors.audience import CACHE_SECONDS, WINDOW, Audience
from dashboards.selectors.meta import CommunityMeta, MeasureInfo, StratifierInfo
from measurement.models import (
    Observation,
)
from measurement.periods import align, period_label, periods_between

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
    for (site_id, i, cat_id), value in site_cat_cells.items():
        sc[site_row[site_id], cat_row[cat_id], i] = value

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
