"""A measure's chart as its page, downloads, API, emails and printouts show it: the
chosen chart and rules, annotations (PDSA tests and notes) and the specification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from communities.models import Community
from copcore import l10n
from dashboards import charts, disclosure
from dashboards.charts.render import point_class_labels
from dashboards.models import (
    ChartNote,
)
from dashboards.selectors.audience import METHODS, audience_for, require_view
from dashboards.selectors.figures import SeriesPoint, measure_arrays, site_series, total_series
from dashboards.selectors.meta import MeasureInfo, community_meta
from dashboards.selectors.spc import analyse_series, chart_rows, runs_signal_parts
from measurement.models import (
    EVENT_CHARTS,
    Measure,
    chart_label,
)
from measurement.periods import align, period_label

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
    phases: list[dict[str, Any]] = field(default_factory=list)
    x_title: str = ""  # "Event" for event charts; the period otherwise
    note: str = ""  # why the chart shown is not the one asked for, or why it is withheld
    options: tuple[str, ...] = ()  # the charts offered for this view of the measure

    @property
    def summary(self) -> str:
        """One sentence for the chart's text alternative: the chart, its points and
        what the rules found."""
        plotted = sum(1 for r in self.rows if r["y"] is not None)
        special = sum(1 for r in self.rows if r["y"] is not None and r["point_class"] != "common")
        runs = bool(runs_signal_parts(self.result))
        text = _("%(chart)s of %(n)s points: %(special)s special-cause points; %(runs)s.") % {
            "chart": chart_label(self.chart),
            "n": plotted,
            "special": special,
            "runs": _("a runs signal") if runs else _("no runs signal"),
        }
        return text

    def table(self) -> tuple[list[str], list[list[Any]]]:
        columns = [self.x_title or _("Period")]
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
    return f"{point_class_labels()[row['point_class']]} ({row['signal_label']})"


def chart_choice(
    info: MeasureInfo,
    preference: tuple[str, str] | None,
    options: tuple[str, ...] | None = None,
) -> tuple[str, str]:
    """The chart and rules to draw: the person's preference when it is among ``options``
    (by default the charts the engine draws for the measure), else the default chart."""
    allowed = options if options is not None else info.charts
    chart, method = info.default_chart, "anhoej"
    if chart not in allowed and allowed:
        chart = allowed[0]
    if preference and preference[0] in allowed and preference[1] in METHODS:
        chart, method = preference
    if method == "mdc" and chart == "run":
        method = "anhoej"
    return chart, method


#: Draws a chart that is not one figure per period: (chart, method) -> (points, SPC
#: result, note). Used for event charts (t, g) and subgroup charts (xbar, s).
Drawer = Callable[[str, str], tuple[list[SeriesPoint], dict[str, Any] | None, str]]


def annotations_for(
    *, info: MeasureInfo, organization, user, membership, site_id: int | None, notes_url: str
) -> list[dict[str, Any]]:
    """PDSA tests linked to the measure (those the person may see) and members' notes,
    numbered in date order, each with the link back to its page."""
    found: list[dict[str, Any]] = []
    from knowledge import selectors as knowledge_selectors

    if hasattr(knowledge_selectors, "tests_of_change_for_measure"):
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
    options: tuple[str, ...] | None = None,
    drawers: dict[str, Drawer] | None = None,
) -> MeasureChart:
    """Analyse a series with the chosen chart and rules and build its specification.

    ``options``: the charts offered for this view (default: the measure's drawable
    charts); ``drawers``: how to draw those that are not one figure per period. A
    preference that is not among the options is not silently replaced: the chart says
    which chart it shows instead and why (``note``)."""
    offered = options if options is not None else info.charts
    chart, method = chart_choice(info, preference, offered)
    note = ""
    if preference and preference[0] != chart:
        note = _(
            "Your chosen chart (%(chosen)s) cannot be drawn for this view of the measure, "
            "so its default chart (%(chart)s) is shown."
        ) % {"chosen": chart_label(preference[0]), "chart": chart_label(chart)}
    x_title = ""
    drawer = (drawers or {}).get(chart)
    if drawer is not None:
        points, result, drawn_note = drawer(chart, method)
        note = " ".join(n for n in (note, drawn_note) if n)
        if chart in EVENT_CHARTS:
            x_title = _("Event")
    else:
        result = analyse_series(info, points, chart, method)
    # Event charts plot the time (or cases) between events: the measure's direction.
    # Figures per period of a rare-events measure are counts: the other way.
    direction = info.direction if drawer is not None else info.period_direction
    rows = chart_rows(points, result, method, direction)
    labels = {p.label for p in points}
    phases = [
        {"period": period_label(info.frequency, align(info.frequency, d)), "reason": reason}
        for d, reason in info.phases
        if period_label(info.frequency, align(info.frequency, d)) in labels
    ]
    shown = [a for a in annotations if a["period"] in labels]
    unit = _y_unit(info, chart)
    y_title = f"{info.name} ({unit})" if unit else info.name
    if chart in EVENT_CHARTS and drawer is not None:
        y_title = unit[:1].upper() + unit[1:]  # "Days between events": the name is above
    goal = info.plotted_goal if chart not in EVENT_CHARTS + ("s",) else None
    spec = charts.control_chart_spec(
        title=f"{info.name}: {scope_label}"
        + (f" · {chart_label(chart)}" if drawer is not None else ""),
        y_title=y_title,
        rows=rows,
        goal=goal,
        phases=phases,
        annotations=shown,
        runs_signal_parts=runs_signal_parts(result),
        show_limits=chart != "run",
        goal_label=_("Goal: %(goal)s") % {"goal": goal_display(info)} if goal is not None else "",
        x_title=x_title,
    )
    return MeasureChart(
        info=info, points=points, chart=chart, method=method, rows=rows, result=result,
        spec=spec, annotations=shown, scope_label=scope_label, phases=phases,
        x_title=x_title, note=note, options=tuple(offered),
    )  # fmt: skip


def _y_unit(info: MeasureInfo, chart: str) -> str:
    if chart == "t":
        return _("days between events")
    if chart == "g":
        return _("%(unit)s between events") % {"unit": info.opportunity_unit}
    if chart == "s":
        return _("standard deviation of the sites")
    return info.unit


def goal_display(info: MeasureInfo) -> str:
    """The goal as the chart's axis reads it, in the reader's language: "80%" on a
    percent axis (also for a goal recorded as the fraction 0.8), "12.5" otherwise."""
    goal = info.plotted_goal
    if goal is None:
        return ""
    digits = 0 if float(goal).is_integer() else 1
    if info.value_type == Measure.ValueType.PROPORTION:
        return l10n.percent(goal, digits)
    return l10n.number(goal, digits)


def chart_for_recipient(
    *, user, community: Community, measure_id: int, site_id: int | None = None
) -> tuple[MeasureChart, str]:
    """A measure's chart for an email or a printout: the figures this recipient may see
    (disclosure applied exactly as on the page), the measure's default chart, and the
    SVG from the same renderer as the pages. Raises Http404 if they may not see it."""
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
    from dashboards.selectors.rare_events import chart_views

    options, drawers = chart_views(
        info=info, audience=audience, arrays=arrays,
        all_site_ids=[s.id for s in meta.sites], site_id=site_id,
    )  # fmt: skip
    chart = measure_chart(
        info=info, points=points, preference=None, annotations=[], scope_label=label,
        options=options, drawers=drawers,
    )  # fmt: skip
    return chart, charts.render_chart_svg(chart.spec)
