"""The sepsis CoP's rare-events measure: "Days between C. difficile infections", with
the date of each infection at each site over the past ~18 months (relative to today).

Infections come every few weeks until the change package (about ten months ago), then
months apart, so the t chart of a site (and of the whole CoP) shows special causes of
improvement. Patient-days between infections are recorded with each event (g chart).
The events' counts per period are approved, so sponsors see them."""

from __future__ import annotations

import hashlib

from communities.models import Community
from copcore.demo.clock import days_ago
from copcore.demo.people import STEWARD, Cast
from measurement import services as measurement
from measurement.models import Measure, Observation, RareEvent

CODE = "cdiff-days"
SPAN_DAYS = 540
CHANGE_DAYS_AGO = 300
# Mean days between infections before and after the change, per site.
GAPS = {"NGH": (18, 70), "SBH": (22, 85), "HSC": (30, 110), "RCMHT": (45, 150),
        "EAOS": (50, 160)}  # fmt: skip
BEDS = {"NGH": 70, "SBH": 55, "HSC": 30, "RCMHT": 16, "EAOS": 12}


def _noise(*parts) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def event_days_ago(site: str) -> list[int]:
    """The days-ago of each infection at a site, oldest first (a pure function)."""
    before, after = GAPS[site]
    out, ago, k = [], SPAN_DAYS - int(_noise("start", site) * 20), 0
    while ago > 3:
        out.append(ago)
        mean = before if ago > CHANGE_DAYS_AGO else after
        ago -= max(1, round(mean * (0.4 + 1.2 * _noise(site, k))))
        k += 1
    return out


def measure(cast: Cast, community: Community) -> Measure:
    found = Measure.objects.filter(community=community, code=CODE).first()
    if found is not None:
        return found
    return measurement.measure_save(
        actor=cast.convener, community=community, code=CODE,
        name="Days between C. difficile infections", kind=Measure.Kind.OUTCOME,
        reaim_dimension=Measure.ReAim.EFFECTIVENESS,
        numerator_definition="Each new hospital-onset C. difficile infection (its date).",
        data_source="Infection control", value_type=Measure.ValueType.RARE_EVENTS,
        opportunity_unit="patient-days", frequency=Measure.Frequency.MONTHLY,
        direction=Measure.Direction.UP, chart_type="t",
    )  # fmt: skip


def events(cast: Cast, community: Community) -> Measure:
    """Record the infections (once) and approve their counts per month."""
    cdiff = measure(cast, community)
    if RareEvent.objects.filter(measure=cdiff).exists():
        return cdiff
    steward = cast[STEWARD]
    for code, beds in BEDS.items():
        site = cast.sites[code]
        previous: int | None = None
        for ago in event_days_ago(code):
            gap: int | None = (previous - ago) if previous is not None else None
            measurement.rare_event_record(
                actor=steward, community=community, measure=cdiff, site=site,
                occurred_on=days_ago(ago),
                category="hospital-onset" if _noise("cat", code, ago) < 0.8 else "community-onset",
                opportunities=gap * beds if gap is not None else None, sync=False,
            )  # fmt: skip
            previous = ago
        measurement.counts_sync(actor=steward, measure=cdiff, site=site)
    pending = Observation.objects.filter(measure=cdiff, status=Observation.Status.SUBMITTED)
    measurement.observations_approve(
        actor=cast.convener, community=community,
        observation_ids=list(pending.values_list("pk", flat=True)),
    )  # fmt: skip
    return cdiff
