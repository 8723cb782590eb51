"""The RE-AIM one-pager of a CoP: Reach, Effectiveness, Adoption, Implementation,
Maintenance (re-aim.org; Glasgow et al., Front Public Health 2019).

Measures are mapped to a dimension by their ``reaim_dimension``; the figures no
measure records come from the CoP's :class:`ReAimProfile`, :class:`ReachShare` and
:class:`CostRecord` rows, and PDSA cycles from the knowledge app. Every panel says
how complete its data is and what it cannot show. Counts of people come from the
disclosed figures (see dashboards.disclosure), so the page is safe for sponsors.

Definitions used for the figures (documented in docs/dashboards.md):

* **reached**: the recorded number of participants, or else the sum of the CoP
  totals of the Reach measures' numerators (count measures: their values) over all
  periods; reach proportion = reached / eligible population;
* **representativeness**: per category, its share of those reached divided by its
  share of the eligible population (1.0 = reached in proportion);
* **active site** (Adoption): an enrolled site that has reported at least one value;
* **still reporting** (Maintenance): a site with a value in one of the last
  ``RECENT_PERIODS`` periods of any measure, counted back from today;
* **improvement held** (Maintenance): for an Effectiveness or Maintenance measure with
  a direction, the site's last points covering six months (6 monthly, 26 weekly or 2
  quarterly points) are all on the improving side of its baseline median (baseline:
  the measure's baseline periods, else the first half of the series, at most 12);
* **cost per site**: all recorded costs (CoP-wide and per site) divided by the
  number of enrolled sites, per currency.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community
from copcore import l10n
from dashboards import disclosure
from dashboards.models import CostRecord, ReachShare, ReAimProfile
from dashboards.selectors.audience import Audience, data_token
from dashboards.selectors.figures import MeasureArrays, measure_arrays, site_series, total_series
from dashboards.selectors.meta import CommunityMeta, MeasureInfo, community_meta
from dashboards.selectors.summaries import MeasureSummary, summarise
from measurement.models import Measure
from measurement.periods import align, previous_period

RECENT_PERIODS = 3
MIN_POINTS = 10
HELD_POINTS = {"monthly": 6, "weekly": 26, "quarterly": 2}

DEFINITIONS = {
    "reach": gettext_lazy(
        "The number, proportion and representativeness of the eligible individuals who "
        "take part, with a real denominator, and why."
    ),
    "effectiveness": gettext_lazy(
        "The impact on the important outcomes, including negative effects and quality of "
        "life, and how it varies by subgroup."
    ),
    "adoption": gettext_lazy(
        "The number, proportion and representativeness of the settings and staff who take "
        "the intervention up, and why."
    ),
    "implementation": gettext_lazy("Fidelity, consistency, adaptations made, time and cost."),
    "maintenance": gettext_lazy(
        "At setting level, the change institutionalised into routine practice; at "
        "individual level, outcomes six or more months after the last contact."
    ),
}
TITLES = {
    "reach": gettext_lazy("Reach"),
    "effectiveness": gettext_lazy("Effectiveness"),
    "adoption": gettext_lazy("Adoption"),
    "implementation": gettext_lazy("Implementation"),
    "maintenance": gettext_lazy("Maintenance"),
}


@dataclass
class Figure:
    label: str
    value: str
    note: str = ""


@dataclass
class Panel:
    key: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    measures: list[MeasureSummary] = field(default_factory=list)
    inputs_present: int = 0
    inputs_total: int = 0
    cannot_show: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(TITLES[self.key])

    @property
    def definition(self) -> str:
        return str(DEFINITIONS[self.key])

    @property
    def completeness(self) -> str:
        return _("%(present)s of %(total)s inputs recorded") % {
            "present": self.inputs_present,
            "total": self.inputs_total,
        }

    @property
    def completeness_percent(self) -> int:
        if not self.inputs_total:
            return 0
        return round(100 * self.inputs_present / self.inputs_total)


@dataclass
class OnePager:
    community: Community
    panels: list[Panel]
    rule_text: str
    today: dt.date
    data: dict[str, Any]  # the figures as plain values (API, tests)


def _percent(part: float | None, whole: float | None) -> str:
    if part is None or not whole:
        return _("not known")
    return l10n.percent(100 * part / whole, 1)


def _over_whole(part: float, whole: float, over: str) -> str | None:
    """A share above 100% is never shown as one: ``over`` (a sentence naming both
    counts) says why instead: the figures recorded disagree, and the reader should
    know which two to check."""
    if part > whole:
        return over % {"part": l10n.number(part, 0), "whole": l10n.number(whole, 0)}
    return None


def _of_invited(part: int, invited: int | None, over: str) -> str:
    if not invited:
        return ""
    return _over_whole(part, invited, over) or _("%(percent)s of those invited") % {
        "percent": _percent(part, invited)
    }


def _count(value: float | None, audience: Audience) -> tuple[str, float | None]:
    """A count of people as a non-steward may see it."""
    if value is None:
        return _("not recorded"), None
    figure = disclosure.disclose_count(value, audience.rule)
    return figure.display, figure.value


def _has_value(arrays: MeasureArrays, k: int) -> list[bool]:
    return [
        bool(arrays.site_num_sup[k, i]) or arrays.site_num[k, i] == arrays.site_num[k, i]
        for i in range(len(arrays.periods))
    ]


def _recent_start(frequency: str, today: dt.date) -> dt.date:
    start = previous_period(frequency, align(frequency, today))
    for _step in range(RECENT_PERIODS - 1):
        start = previous_period(frequency, start)
    return start


def site_reporting(
    meta: CommunityMeta, arrays: dict[int, MeasureArrays], today: dt.date
) -> tuple[set[int], set[int]]:
    """(sites that have ever reported, sites that reported in the recent periods)."""
    ever: set[int] = set()
    recent: set[int] = set()
    for info in meta.measures:
        data = arrays[info.id]
        if not data.periods:
            continue
        start = _recent_start(info.frequency, today)
        for k, site_id in enumerate(data.site_ids):
            flags = _has_value(data, k)
            if any(flags):
                ever.add(site_id)
            if any(f and p >= start for f, p in zip(flags, data.periods, strict=True)):
                recent.add(site_id)
    return ever, recent


def improvement_held(info: MeasureInfo, arrays: MeasureArrays, site_id: int) -> bool:
    """Whether the site's last six months are all on the improving side of its
    baseline median (see the module docstring)."""
    if info.period_direction not in ("up", "down"):
        return False
    values = [p.y for p in site_series(info, arrays, site_id)]
    k = HELD_POINTS.get(info.frequency, 6)
    present = [v for v in values if v is not None]
    baseline_size = info.baseline_periods or min(12, len(values) // 2)
    baseline = [v for v in values[:baseline_size] if v is not None]
    if len(values) < baseline_size + k or not baseline:
        return False
    tail = [v for v in values[-k:] if v is not None]
    if len(tail) < k or len(present) < k:
        return False
    median = statistics.median(baseline)
    if info.period_direction == "up":
        return all(v > median for v in tail)
    return all(v < median for v in tail)


def _test_counts(community: Community) -> dict[str, int] | None:
    """PDSA cycles by status and adaptations, from the knowledge app (None if absent)."""
    try:
        from knowledge.models import TestOfChange
    except ImportError:  # pragma: no cover - the knowledge app is part of the platform
        return None
    from django.db.models import Count, Q

    row = TestOfChange.objects.filter(community=community).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status="done")),
        running=Count("id", filter=Q(status__in=["running", "studying"])),
        adapted=Count("id", filter=Q(act_decision="adapt")),
        adopted=Count("id", filter=Q(act_decision="adopt")),
        abandoned=Count("id", filter=Q(act_decision="abandon")),
    )
    return {k: int(v or 0) for k, v in row.items()}


def one_pager(
    *, community: Community, audience: Audience, today: dt.date | None = None
) -> OnePager:
    """The five panels, from a fixed number of queries."""
    today = today or timezone.localdate()
    token = audience.token or data_token(community.organization)
    meta = community_meta(community, token)
    arrays = measure_arrays(community=community, audience=audience, meta=meta, token=token)
    profile = ReAimProfile.objects.filter(community=community).first()
    shares = dict(
        ReachShare.objects.filter(community=community).values_list("category_id", "eligible_count")
    )
    costs = list(CostRecord.objects.filter(community=community).values_list("currency", "amount"))
    tests = _test_counts(community)

    by_dimension: dict[str, list[MeasureInfo]] = defaultdict(list)
    for info in meta.measures:
        by_dimension[info.reaim].append(info)
    summaries = {
        info.id: summarise(info, total_series(info, arrays[info.id]))
        for info in meta.measures
        if info.reaim
    }
    ever, recent = site_reporting(meta, arrays, today)
    data: dict[str, Any] = {}
    panels = [
        _reach(profile, shares, by_dimension["reach"], arrays, audience, summaries, data),
        _effectiveness(meta, by_dimension["effectiveness"], summaries, data),
        _adoption(meta, profile, ever, by_dimension["adoption"], summaries, data),
        _implementation(meta, tests, costs, by_dimension["implementation"], summaries, data),
        _maintenance(meta, recent, by_dimension, arrays, summaries, data),
    ]
    return OnePager(
        community=community,
        panels=panels,
        rule_text=audience.rule.describe(),
        today=today,
        data=data,
    )


def _reach(profile, shares, measures, arrays, audience, summaries, data) -> Panel:
    panel = Panel(key="reach", inputs_total=3)
    eligible = profile.eligible_population if profile else None
    recorded = profile.participants_reached if profile else None
    from_measures = None
    partial = False
    if recorded is None and measures:
        total = 0.0
        for info in measures:
            a = arrays[info.id]
            partial = partial or bool(a.total_num_sup.any())
            total += float(sum(v for v in a.total_num.tolist() if v == v))
        from_measures = total
    reached = recorded if recorded is not None else from_measures
    if eligible is not None:
        panel.inputs_present += 1
    else:
        panel.cannot_show.append(
            _("No eligible population is recorded, so the proportion reached is not known.")
        )
    if reached is not None:
        panel.inputs_present += 1
    else:
        panel.cannot_show.append(
            _("Neither a count of participants nor a Reach measure with data is recorded.")
        )
    reached_display, reached_value = _count(reached, audience)
    eligible_display, _v = (str(eligible), eligible) if eligible is not None else (
        _("not recorded"), None)  # fmt: skip
    source = (
        _("recorded by the data stewards")
        if recorded is not None
        else _("sum of the Reach measures' numerators")
        if from_measures is not None
        else ""
    )
    if partial:
        source += " " + _("(hidden small figures are not included)")
    panel.figures += [
        Figure(_("Participants reached"), reached_display, source),
        Figure(
            _("Eligible population"),
            eligible_display,
            profile.eligible_description if profile else "",
        ),  # fmt: skip
        Figure(
            _("Proportion reached"),
            (
                _over_whole(
                    reached_value,
                    eligible,
                    _(
                        "more reached than the eligible population recorded: %(part)s reached, "
                        "%(whole)s eligible"
                    ),
                )
                if reached_value is not None and eligible
                else None
            )
            or _percent(reached_value, eligible),
        ),
    ]
    data["reach"] = {
        "reached": reached_value,
        "eligible": eligible,
        "proportion": (reached_value / eligible)
        if reached_value is not None and eligible
        else None,
        "representativeness": [],
    }
    # Representativeness by stratifier of the Reach measures.
    rows_by_strat: dict[str, list[dict[str, Any]]] = {}
    for info in measures:
        a = arrays[info.id]
        for strat in info.stratifiers:
            reached_by_cat: dict[int, tuple[str, float | None]] = {}
            for cat_id, label in strat.categories:
                k = a.category_ids.index(cat_id)
                hidden = bool(a.cat_num_sup[k].any())
                reached = float(sum(v for v in a.cat_num[k].tolist() if v == v))
                reached_by_cat[cat_id] = (label, None if hidden else reached)
            known = [v for _l, v in reached_by_cat.values() if v is not None]
            reached_total = sum(known) if len(known) == len(reached_by_cat) else None
            eligible_total = sum(shares.get(c, 0) for c in reached_by_cat) or None
            rows = []
            for cat_id, (label, value) in reached_by_cat.items():
                share_reached = (
                    value / reached_total if value is not None and reached_total else None
                )
                share_eligible = (
                    shares[cat_id] / eligible_total if cat_id in shares and eligible_total else None
                )
                ratio = (
                    share_reached / share_eligible
                    if share_reached is not None and share_eligible
                    else None
                )
                rows.append(
                    {
                        "category": label,
                        "reached": disclosure.SUPPRESSED_MARK if value is None else
                        disclosure.format_number(value),
                        "share_reached": _percent(share_reached, 1) if share_reached is not None
                        else _("not known"),
                        "share_eligible": _percent(share_eligible, 1)
                        if share_eligible is not None else _("not recorded"),
                        "ratio": l10n.number(ratio, 2) if ratio is not None else "",
                        "ratio_value": ratio,
                    }
                )  # fmt: skip
            rows_by_strat[f"{info.name}: {strat.name}"] = rows
            data["reach"]["representativeness"].append(
                {"measure": info.code, "stratifier": strat.name, "rows": rows}
            )
    if rows_by_strat:
        if any(r["ratio_value"] is not None for rows in rows_by_strat.values() for r in rows):
            panel.inputs_present += 1
        else:
            panel.cannot_show.append(
                _(
                    "The eligible population by group is not recorded, so representativeness "
                    "cannot be judged."
                )  # fmt: skip
            )
        for title, rows in rows_by_strat.items():
            panel.tables.append({"title": title, "rows": rows, "kind": "representativeness"})
    else:
        panel.cannot_show.append(
            _(
                "No Reach measure is broken down by an equity stratifier, so "
                "representativeness cannot be shown."
            )  # fmt: skip
        )
    panel.cannot_show.append(
        _("Why people take part or not is not recorded on the platform (ask them).")
    )
    panel.measures = [summaries[m.id] for m in measures]
    return panel


def _effectiveness(meta, measures, summaries, data) -> Panel:
    panel = Panel(key="effectiveness", inputs_total=max(len(measures), 1))
    panel.measures = [summaries[m.id] for m in measures]
    enough = [s for s in panel.measures if s.n_points >= MIN_POINTS]
    panel.inputs_present = len(enough)
    if not measures:
        panel.cannot_show.append(_("No outcome measure is mapped to Effectiveness."))
    short = [s.info.name for s in panel.measures if s.n_points < MIN_POINTS]
    if short:
        panel.cannot_show.append(
            _("Fewer than %(n)s periods of data, too few to judge change: %(names)s.")
            % {"n": MIN_POINTS, "names": ", ".join(short)}
        )
    if not any(m.kind == Measure.Kind.BALANCING for m in meta.measures):
        panel.cannot_show.append(
            _("No balancing measure is defined, so negative effects are not watched.")
        )
    if measures and not any(m.stratifiers for m in measures):
        panel.cannot_show.append(
            _(
                "No outcome measure is broken down by subgroup, so variation between groups "
                "is not shown."
            )  # fmt: skip
        )
    panel.cannot_show.append(_("Quality of life is shown only if a measure records it."))
    counts: defaultdict[str, int] = defaultdict(int)
    for s in panel.measures:
        counts[s.state] += 1
    panel.figures = [
        Figure(_("Outcome measures"), str(len(measures))),
        Figure(_("Improving (special cause)"), str(counts["improvement"])),
        Figure(_("Concerning (special cause)"), str(counts["concern"])),
        Figure(_("Common cause variation"), str(counts["common"])),
    ]
    data["effectiveness"] = {
        "measures": [
            {
                "code": s.info.code,
                "state": s.state,
                "latest": s.latest_value,
                "variation_icon": s.variation_icon,
            }  # fmt: skip
            for s in panel.measures
        ],
        "counts": dict(counts),
    }
    return panel


def _adoption(meta, profile, ever, measures, summaries, data) -> Panel:
    panel = Panel(key="adoption", inputs_total=3)
    enrolled = len(meta.sites)
    active = len([s for s in meta.sites if s.id in ever])
    invited = profile.sites_invited if profile else None
    staff_eligible = profile.staff_eligible if profile else None
    staff_in = profile.staff_participating if profile else None
    panel.inputs_present = 1 if enrolled else 0
    if invited is not None:
        panel.inputs_present += 1
    else:
        panel.cannot_show.append(
            _("The number of sites invited is not recorded, so the adoption rate is not known.")
        )
    if staff_eligible is not None and staff_in is not None:
        panel.inputs_present += 1
    else:
        panel.cannot_show.append(_("Staff taking part (and who could) are not recorded."))
    if not enrolled:
        panel.cannot_show.append(_("No site is enrolled yet."))
    panel.cannot_show.append(
        _("Why settings take the change up or not is not recorded on the platform.")
    )
    panel.figures = [
        Figure(_("Sites invited"), str(invited) if invited is not None else _("not recorded")),
        Figure(
            _("Sites enrolled"),
            str(enrolled),
            _of_invited(
                enrolled,
                invited,
                _("more enrolled than were invited: %(part)s enrolled, %(whole)s invited"),
            ),
        ),
        Figure(
            _("Sites active (have reported data)"),
            str(active),
            _of_invited(
                active,
                invited,
                _("more active than were invited: %(part)s active, %(whole)s invited"),
            ),
        ),
        Figure(
            _("Staff taking part"),
            f"{staff_in} / {staff_eligible}"
            if staff_in is not None and staff_eligible
            else _("not recorded"),
            _percent(staff_in, staff_eligible) if staff_in is not None else "",
        ),  # fmt: skip
    ]
    waves: defaultdict[int, int] = defaultdict(int)
    for site in meta.sites:
        waves[site.wave] += 1
    if waves:
        panel.tables.append(
            {
                "title": _("Sites by wave"),
                "kind": "waves",
                "rows": [{"wave": w, "sites": n} for w, n in sorted(waves.items())],
            }
        )
    panel.measures = [summaries[m.id] for m in measures]
    data["adoption"] = {
        "invited": invited,
        "enrolled": enrolled,
        "active": active,
        "staff_eligible": staff_eligible,
        "staff_participating": staff_in,
        "adoption_rate": enrolled / invited if invited else None,
    }
    return panel


def _implementation(meta, tests, costs, measures, summaries, data) -> Panel:
    panel = Panel(key="implementation", inputs_total=3)
    if tests is not None and tests["total"]:
        panel.inputs_present += 1
        panel.figures += [
            Figure(_("PDSA cycles recorded"), str(tests["total"])),
            Figure(_("Cycles completed"), str(tests["done"])),
            Figure(_("Adaptations (act: adapt)"), str(tests["adapted"])),
        ]
    else:
        panel.cannot_show.append(_("No PDSA cycle is recorded yet."))
    panel.measures = [summaries[m.id] for m in measures]
    if measures:
        panel.inputs_present += 1
    else:
        panel.cannot_show.append(_("No fidelity measure is mapped to Implementation."))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in costs:
        totals[currency] += amount
    sites = len(meta.sites)
    per_site = {}
    if totals:
        panel.inputs_present += 1
        for currency, total in sorted(totals.items()):
            per = (total / sites).quantize(Decimal("0.01")) if sites else None
            per_site[currency] = per
            panel.figures.append(
                Figure(
                    _("Cost recorded (%(currency)s)") % {"currency": currency},
                    f"{total:,.2f}",
                    _("%(per)s per site") % {"per": f"{per:,.2f}"} if per is not None else "",
                )
            )
    else:
        panel.cannot_show.append(_("No cost is recorded, so cost per site is not known."))
    panel.cannot_show.append(_("Time spent is shown only where it is recorded as a cost."))
    data["implementation"] = {
        "tests": tests,
        "costs": {c: str(v) for c, v in totals.items()},
        "cost_per_site": {c: (str(v) if v is not None else None) for c, v in per_site.items()},
    }
    return panel


def _maintenance(meta, recent, by_dimension, arrays, summaries, data) -> Panel:
    panel = Panel(key="maintenance", inputs_total=2)
    enrolled = len(meta.sites)
    reporting = len([s for s in meta.sites if s.id in recent])
    outcome_measures = [
        m for m in by_dimension["effectiveness"] + by_dimension["maintenance"]
        if m.direction in ("up", "down")
    ]  # fmt: skip
    held_sites = []
    for site in meta.sites:
        held = [m.name for m in outcome_measures if improvement_held(m, arrays[m.id], site.id)]
        if held:
            held_sites.append({"site": site.name, "measures": ", ".join(held)})
    if enrolled:
        panel.inputs_present += 1
    if outcome_measures:
        panel.inputs_present += 1
    else:
        panel.cannot_show.append(
            _(
                "No Effectiveness or Maintenance measure with a direction of improvement, so "
                "sustained improvement cannot be judged."
            )  # fmt: skip
        )
    panel.cannot_show.append(
        _(
            "Outcomes of individuals six months after their last contact are not recorded "
            "(aggregate data only)."
        )  # fmt: skip
    )
    panel.figures = [
        Figure(
            _("Sites still reporting"),
            f"{reporting} / {enrolled}",
            _("a value in the last %(n)s periods") % {"n": RECENT_PERIODS},
        ),  # fmt: skip
        Figure(_("Sites whose improvement has held 6 months or more"), str(len(held_sites))),
    ]
    if held_sites:
        panel.tables.append({"title": _("Improvement held"), "kind": "held", "rows": held_sites})
    panel.measures = [summaries[m.id] for m in by_dimension["maintenance"]]
    data["maintenance"] = {
        "enrolled": enrolled,
        "still_reporting": reporting,
        "improvement_held": [row["site"] for row in held_sites],
    }
    return panel
