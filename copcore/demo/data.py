"""The sepsis CoP's measures: 24 months of monthly data at five sites ending last month
(approved, so sponsors see it), an equity breakdown whose small cells the disclosure
rule hides, a phase break and chart notes at the change, data due for last month at
two sites, rows waiting for approval and an import with row errors.

Values are a pure function of (measure, site, month, change month), so months added by
a later run continue the same series."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import Community
from copcore.demo.clock import add_months, last_month, months_between
from copcore.demo.people import STEWARD, Cast
from dashboards import services as dashboards
from dashboards.models import ChartNote, DisclosureRule, ReAimProfile
from measurement import services as measurement
from measurement.models import (
    ImportBatch,
    ImportProfile,
    Measure,
    Observation,
    PhaseBreak,
    SiteEnrolment,
    Stratifier,
)

MONTHS = 24
WAVES = {"NGH": 1, "SBH": 1, "HSC": 1, "RCMHT": 2, "EAOS": 2}
MENTORS = {"RCMHT": "NGH", "EAOS": "HSC"}
SITE_SIZE = {"NGH": 70, "SBH": 55, "HSC": 30, "RCMHT": 16, "EAOS": 12}
DUE_SITES = ("RCMHT", "EAOS")  # last month's C. difficile figures not in yet
PENDING_SITE = "HSC"  # last month's C. difficile figure submitted, waiting for approval
QUINTILES = [("q1", "1 (most deprived)"), ("q2", "2"), ("q3", "3"), ("q4", "4"),
             ("q5", "5 (least deprived)")]  # fmt: skip
QUINTILE_SHARE = (0.40, 0.28, 0.19, 0.11, 0.02)

MEASURES: list[dict[str, Any]] = [
    {
        "code": "bundle", "name": "Sepsis Six bundle completed within one hour",
        "kind": Measure.Kind.PROCESS, "reaim_dimension": Measure.ReAim.IMPLEMENTATION,
        "numerator_definition": "Patients with all six elements given within 60 minutes.",
        "denominator_definition": "Adult inpatients with a positive sepsis screen.",
        "data_source": "Electronic observations and prescribing", "value_type": "proportion",
        "frequency": "monthly", "direction": "up", "goal": Decimal("0.8"), "chart_type": "p",
    },
    {
        "code": "mortality", "name": "Sepsis mortality within 30 days",
        "kind": Measure.Kind.OUTCOME, "reaim_dimension": Measure.ReAim.EFFECTIVENESS,
        "numerator_definition": "Deaths within 30 days of a positive screen.",
        "denominator_definition": "Adult inpatients with a positive sepsis screen.",
        "data_source": "Patient administration system", "value_type": "proportion",
        "frequency": "monthly", "direction": "down", "chart_type": "p",
    },
    {
        "code": "cdiff", "name": "C. difficile infections per 10,000 bed days",
        "kind": Measure.Kind.BALANCING,
        "numerator_definition": "New hospital-onset C. difficile infections.",
        "denominator_definition": "Occupied bed days.", "data_source": "Infection control",
        "value_type": "rate", "rate_multiplier": 10000, "rate_unit": "bed days",
        "frequency": "monthly", "direction": "down", "chart_type": "u",
    },
]  # fmt: skip


def _noise(*parts) -> float:
    """A stable number in [0, 1) from the parts (no random state to keep)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _figures(code: str, site: str, period: dt.date, change: dt.date) -> tuple[int, int]:
    patients = SITE_SIZE[site] + int(_noise("n", site, period) * SITE_SIZE[site] * 0.3)
    after = period >= change
    wobble = _noise(code, site, period)
    if code == "bundle":
        rate = (0.74 if after else 0.47) + 0.12 * (wobble - 0.5)
        return round(patients * rate), patients
    if code == "mortality":
        rate = (0.10 if after else 0.15) + 0.05 * (wobble - 0.5)
        return max(0, round(patients * rate)), patients
    bed_days = patients * 95
    return round(bed_days / 10000 * (2.6 + 1.5 * wobble)), bed_days


def measures_and_sites(cast: Cast, community: Community) -> dict[str, Measure]:
    convener = cast.convener
    first = add_months(last_month(), -(MONTHS - 1))
    enrolled = set(
        SiteEnrolment.objects.filter(community=community).values_list("site__code", flat=True)
    )
    for code, wave in WAVES.items():
        if code in enrolled:
            continue
        measurement.enrolment_save(
            actor=convener, community=community, site=cast.sites[code], wave=wave,
            enrolled_on=first if wave == 1 else add_months(first, 12),
            mentor_site=cast.sites[MENTORS[code]] if code in MENTORS else None,
        )  # fmt: skip
    if not hasattr(community, "data_policy"):
        measurement.data_policy_update(
            actor=convener, community=community, requires_approval=True, data_lead=convener
        )
    if DisclosureRule.objects.filter(organization=cast.organization).first() is None:
        dashboards.disclosure_rule_save(
            actor=convener, organization=cast.organization, mode=DisclosureRule.Mode.ROUND,
            small_max=7, rounding_base=5, hide_zero=False, secondary_suppression=True,
        )  # fmt: skip
    stratifier = Stratifier.objects.filter(organization=cast.organization, code="imd").first()
    if stratifier is None:
        stratifier = measurement.stratifier_create(
            actor=convener, organization=cast.organization, code="imd",
            name="Deprivation quintile (IMD)", categories=QUINTILES,
            description="Quintile of the Index of Multiple Deprivation of home address.",
        )  # fmt: skip
    found = {m.code: m for m in Measure.objects.filter(community=community)}
    for fields in MEASURES:
        if fields["code"] not in found:
            found[fields["code"]] = measurement.measure_save(
                actor=convener, community=community,
                stratifiers=[stratifier] if fields["code"] == "bundle" else [], **fields,
            )  # fmt: skip
    return found


def change_month(cast: Cast, measures: dict[str, Measure]) -> dt.date:
    """The month the change package reached every site: a phase of the bundle chart.
    Set once (eight months before the first seeding's last month, after the grab-bag
    cycles were adopted) and read back after."""
    bundle = measures["bundle"]
    existing = PhaseBreak.objects.filter(measure=bundle).order_by("starts_on").first()
    if existing is not None:
        return existing.starts_on
    change = add_months(last_month(), -8)
    measurement.phase_break_add(
        actor=cast.convener, measure=bundle, starts_on=change,
        reason="Sepsis Six trolleys and antibiotic grab bags at every site",
    )  # fmt: skip
    return change


def _present(community: Community) -> set[tuple[str, str, dt.date, str]]:
    rows = Observation.objects.filter(measure__community=community).values_list(
        "measure__code", "site__code", "period", "category__code"
    )
    return {(m, s, p, c or "") for m, s, p, c in rows}


def observations(cast: Cast, community: Community, measures: dict[str, Measure]) -> None:
    """Fill every missing month up to last month (approved), leaving last month's
    C. difficile figure due at two sites and waiting for approval at a third."""
    change = change_month(cast, measures)
    last = last_month()
    present = _present(community)
    first = min([p for _m, _s, p, _c in present] + [add_months(last, -(MONTHS - 1))])
    rows = []
    for period in months_between(first, last):
        for site in WAVES:
            for code in ("bundle", "mortality", "cdiff"):
                if code == "cdiff" and period == last and site in (*DUE_SITES, PENDING_SITE):
                    continue
                numerator, denominator = _figures(code, site, period, change)
                if (code, site, period, "") not in present:
                    rows.append(_row(code, site, period, numerator, denominator))
                if code == "bundle":
                    rows += _strata(site, period, numerator, denominator, present)
    _import_approved(cast, community, rows)
    _pending_row(cast, community, measures["cdiff"], last, change)


def _row(code, site, period, numerator, denominator, stratifier="", category=""):
    return {"measure_code": code, "site_code": site, "period": period.isoformat(),
            "stratifier": stratifier, "category": category,
            "numerator": numerator, "denominator": denominator}  # fmt: skip


def _strata(site, period, numerator, denominator, present) -> list[dict]:
    """The bundle by deprivation quintile: lower completion where deprivation is higher
    (the equity gap), and so few patients from the least deprived quintile (the
    catchment is deprived) that the disclosure rule hides those cells."""
    rows, left = [], denominator
    rate = numerator / denominator
    for index, (code, _label) in enumerate(QUINTILES):
        last = index == len(QUINTILES) - 1
        cell_d = max(0, left) if last else round(denominator * QUINTILE_SHARE[index])
        left -= cell_d
        cell_n = min(cell_d, round(cell_d * rate * (0.88 + 0.06 * index)))
        if cell_d and ("bundle", site, period, code) not in present:
            rows.append(_row("bundle", site, period, cell_n, cell_d, "imd", code))
    return rows


def _import_approved(cast: Cast, community: Community, rows: list[dict]) -> None:
    steward = cast[STEWARD]
    for start in range(0, len(rows), measurement.API_MAX_ROWS):
        result = measurement.observations_import_rows(
            actor=steward, community=community, rows=rows[start : start + measurement.API_MAX_ROWS]
        )
        if result.report.error_count:
            raise RuntimeError(f"demo data refused: {result.report.errors[:3]}")
        if result.batch is not None:
            measurement.observations_approve(
                actor=cast.convener, community=community, batch=result.batch
            )


def _pending_row(cast: Cast, community: Community, cdiff: Measure, last, change) -> None:
    site = cast.sites[PENDING_SITE]
    if Observation.objects.filter(measure=cdiff, site=site, period=last).exists():
        return
    numerator, denominator = _figures("cdiff", PENDING_SITE, last, change)
    measurement.observations_save_grid(
        actor=cast[STEWARD], community=community, site=site, period=last, submit=True,
        entries=[measurement.GridEntry(measure=cdiff, category=None,
                                       numerator=str(numerator), denominator=str(denominator),
                                       comment="Two cases under review by infection control.")],
    )  # fmt: skip


def import_with_errors(cast: Cast, community: Community) -> None:
    """Last month's C. difficile file from the wave-2 sites, with mistakes to fix."""
    if ImportBatch.objects.filter(community=community, status=ImportBatch.Status.INVALID).exists():
        return
    period = last_month().isoformat()
    lines = [
        "measure_code,site_code,period,stratifier,category,numerator,denominator,value,comment",
        f"cdiff,RCMHT,{period},,,1,1480,,",
        f"cdiff,EAOS,{period},,,-1,1120,,entered as minus one by mistake",
        f"cdiff,EAST,{period},,,0,990,,site code mistyped",
        f"cdiff,RCMHT,{period[:7]}-31,,,0,1400,,",
        f"c-diff,EAOS,{period},,,2,1150,,",
    ]
    upload = SimpleUploadedFile(
        f"cdiff-wave2-{period[:7]}.csv", ("\n".join(lines) + "\n").encode(), "text/csv"
    )
    batch = measurement.import_batch_create(actor=cast[STEWARD], community=community, upload=upload)
    measurement.import_batch_start(batch=batch)


def import_with_own_names(cast: Cast, community: Community) -> None:
    """A regional export that names its columns and codes its own way (``Indicador``,
    ``cdif``, ``HRC``): the CoP's import profile reads most of it; one hospital the CoP
    does not have (``HNORTE``) is left to map, and the steward has asked for it."""
    if ImportProfile.objects.filter(community=community).exists():
        return
    steward = cast[STEWARD]
    measurement.import_profile_save(
        actor=steward,
        community=community,
        columns={
            "Indicador": "measure_code",
            "Establecimiento": "site_code",
            "Mes": "period",
            "Numerador": "numerator",
            "Denominador": "denominator",
        },
        measures={"cdif": "cdiff"},
        sites={"HRC": "RCMHT"},
    )
    month = last_month().strftime("%m/%Y")
    lines = [
        "Indicador;Establecimiento;Mes;Numerador;Denominador",
        f"cdif;HRC;{month};1;1480",
        f"cdif;HNORTE;{month};0;870",
    ]
    upload = SimpleUploadedFile(
        f"indicadores-region-{last_month().isoformat()[:7]}.csv",
        ("\r\n".join(lines) + "\r\n").encode(),
        "text/csv",
    )
    batch = measurement.import_batch_create(actor=steward, community=community, upload=upload)
    measurement.import_batch_start(batch=batch)
    measurement.import_code_request_create(actor=steward, batch=batch, kind="site", code="HNORTE")


def chart_annotations(cast: Cast, community: Community, measures: dict[str, Measure]) -> None:
    change = change_month(cast, measures)
    notes = [
        ("bundle", change, None, "Sepsis Six trolleys and grab bags at every site"),
        ("bundle", add_months(change, -2), "SBH", "Screening tool trial on two SBH wards"),
        ("mortality", add_months(change, 3), None, "Outreach team extended to nights at NGH"),
        ("cdiff", add_months(change, 1), None, "Watching for harm from more antibiotics"),
    ]
    for code, period, site, text in notes:
        measure = measures[code]
        if ChartNote.objects.filter(measure=measure, text=text).exists():
            continue
        dashboards.chart_note_add(
            actor=cast[STEWARD], measure=measure, period=period, text=text,
            site=cast.sites[site] if site else None,
        )  # fmt: skip


def reaim(cast: Cast, community: Community) -> None:
    if ReAimProfile.objects.filter(community=community).exists():
        return
    dashboards.reaim_profile_save(
        actor=cast.convener, community=community, eligible_population=2400,
        eligible_description="Adult inpatients with a positive sepsis screen, per year",
        participants_reached=2050, sites_invited=6, staff_eligible=420,
        staff_participating=265,
    )  # fmt: skip
