"""Series that are not one figure per period: the t and g charts of a rare-events
measure (one point per event) and the xbar and s charts of a continuous measure across
sites (each period's subgroup is the sites' values).

Disclosure control. The figures per period of a rare-events measure are counts and go
through ``measure_arrays`` like any count. An event chart shows intervals, not counts;
for someone to whom the organization's rule applies its points are numbered events
(no dates, which would give the counts per period back), and it is withheld, with a
note saying so, when the number of events it would show is itself a small count. Only
events whose period's count that person may see (its review status) are charted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboards import disclosure
from dashboards.disclosure import Figure
from dashboards.selectors.audience import Audience
from dashboards.selectors.figures import MeasureArrays, SeriesPoint, figure_at
from dashboards.selectors.meta import MeasureInfo
from measurement.models import Observation, RareEvent
from measurement.periods import align, period_label
from measurement.rare_events import EventRow, intervals

#: A subgroup chart needs this many periods in which at least two sites have a value.
MIN_SUBGROUP_PERIODS = 6
SUBGROUP_CHARTS = ("xbar", "s")


@dataclass
class EventSeries:
    """The points of a t or g chart, or why it is withheld (``withheld`` not "")."""

    points: list[SeriesPoint]
    withheld: str = ""


def event_series(
    *, info: MeasureInfo, audience: Audience, site_ids: list[int], chart: str
) -> EventSeries:
    """The intervals a t (days) or g (opportunities) chart plots for these sites.

    Several sites (the whole CoP) make one sequence of events in date order, so the t
    chart shows the days between events anywhere in the network."""
    visible = set(
        Observation.objects.filter(
            measure_id=info.id,
            site_id__in=site_ids,
            category__isnull=True,
            status__in=audience.statuses,
        ).values_list("site_id", "period")
    )
    rows = [
        EventRow(day, amount)
        for site_id, day, amount in RareEvent.objects.filter(
            measure_id=info.id, site_id__in=site_ids
        )
        .order_by("occurred_on", "id")
        .values_list("site_id", "occurred_on", "opportunities")
        if (site_id, align(info.frequency, day)) in visible
    ]
    series = intervals(chart, rows)
    dated = audience.unsuppressed or not audience.rule.is_active
    if not dated and series:
        shown = disclosure.disclose_count(float(len(rows)), audience.rule)
        if shown.suppressed:
            return EventSeries(
                [],
                _(
                    "Too few events to show their intervals without risking identifying "
                    "someone (the organization's disclosure rule); the counts per period "
                    "are shown on the run and c charts."
                ),
            )
    points = []
    seen: dict[str, int] = {}
    for number, interval in enumerate(series, start=1):
        label = interval.ended_on.isoformat() if dated else _("Event %(n)s") % {"n": number}
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:  # two events on one day: the chart's labels stay distinct
            label = f"{label} ({seen[label]})"
        points.append(
            SeriesPoint(interval.ended_on, label, Figure(interval.value), None, interval.value)
        )
    return EventSeries(points)


def subgroup_values(
    info: MeasureInfo, arrays: MeasureArrays
) -> list[tuple[int, SeriesPoint, list[float]]]:
    """For each period with at least two sites' values: its index, a point to label it
    and the sites' values (disclosed: a hidden value is left out)."""
    out = []
    for i, period in enumerate(arrays.periods):
        values = []
        for k in range(len(arrays.site_ids)):
            figure = figure_at(arrays.site_num, arrays.site_num_sup, (k, i))
            if figure.value is not None:
                values.append(float(figure.value))
        if len(values) >= 2:
            label = period_label(info.frequency, period)
            out.append((i, SeriesPoint(period, label, Figure(None), None, None), values))
    return out


def subgroups_fit(info: MeasureInfo, arrays: MeasureArrays) -> bool:
    """Whether xbar and s charts across sites can be offered for this measure."""
    if info.value_type != "continuous":
        return False
    return len(subgroup_values(info, arrays)) >= MIN_SUBGROUP_PERIODS


def subgroup_arguments(
    info: MeasureInfo, arrays: MeasureArrays, chart: str, method: str
) -> tuple[list[SeriesPoint], dict]:
    """The periods plotted and the engine's arguments of an xbar or s chart."""
    groups = subgroup_values(info, arrays)
    xs: list[int] = []
    ys: list[float] = []
    for position, (_i, _point, values) in enumerate(groups, start=1):
        xs += [position] * len(values)
        ys += values
    args: dict = {"chart": chart, "method": method, "x": xs, "y": ys}
    if info.baseline_periods and 2 <= info.baseline_periods <= len(groups):
        args["freeze"] = info.baseline_periods
    return [g[1] for g in groups], args


def chart_views(
    *,
    info: MeasureInfo,
    audience: Audience,
    arrays: MeasureArrays,
    all_site_ids: list[int],
    site_id: int | None,
) -> tuple[tuple[str, ...], dict]:
    """The charts offered for one view of a measure (a site, or the whole CoP when
    ``site_id`` is None) and how to draw those that are not one figure per period.

    Every chart offered is one the engine can draw from this view's data: the g chart
    only for one site (its opportunities are counted per site), the xbar and s charts
    only for the whole CoP of a continuous measure whose sites' values fit them."""
    from measurement.spc import SpcInputError, analyse

    options = tuple(info.charts)
    drawers: dict = {}
    if info.is_rare_events:
        if site_id is None:
            options = tuple(c for c in options if c != "g")
        site_ids = [site_id] if site_id is not None else all_site_ids

        def draw_events(chart: str, method: str):
            found = event_series(info=info, audience=audience, site_ids=site_ids, chart=chart)
            note = found.withheld
            if chart == "t":
                # A t chart takes times above zero (qicharts2 refuses 0): events on one
                # day are said, not dropped silently.
                zero = sum(1 for p in found.points if not p.y)
                if zero:
                    found.points = [p for p in found.points if p.y]
                    note = ngettext(
                        "%(n)s interval of 0 days (two events on one day) cannot be drawn "
                        "on a t chart and is left out of it.",
                        "%(n)s intervals of 0 days (two events on one day) cannot be drawn "
                        "on a t chart and are left out of it.",
                        zero,
                    ) % {"n": zero}
            result = None
            if len(found.points) >= 2:
                try:
                    args: dict = {"chart": chart, "method": method}
                    args["y"] = [p.y for p in found.points]
                    if method == "mdc" and info.direction in ("up", "down"):
                        args["direction"] = info.direction
                    result = analyse(**args)
                except SpcInputError:
                    result = None
            return found.points, result, note

        drawers = {"t": draw_events, "g": draw_events}
    elif site_id is None and subgroups_fit(info, arrays):
        options = options + SUBGROUP_CHARTS

        def draw_subgroups(chart: str, method: str):
            points, args = subgroup_arguments(info, arrays, chart, method)
            try:
                result = analyse(**args)
            except SpcInputError:
                return points, None, ""
            for point, spc in zip(points, result["points"], strict=True):
                point.y = spc["y"]
                point.num = Figure(spc["y"])
            return points, result, ""

        drawers = {"xbar": draw_subgroups, "s": draw_subgroups}
    return options, drawers
