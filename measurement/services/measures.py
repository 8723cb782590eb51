"""Writes of measures (with their operational definitions) and their phase breaks.
Keyword-only, typed, atomic and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import User
from copcore.services import audit_record
from copcore.spreadsheet import check_code
from measurement.models import (
    Measure,
    Observation,
    PhaseBreak,
    Stratifier,
    chart_problem,
)
from measurement.periods import align

MEASURE_FIELDS = (
    "code", "name", "kind", "reaim_dimension", "numerator_definition",
    "denominator_definition", "inclusions", "exclusions", "data_source", "value_type",
    "rate_multiplier", "rate_unit", "frequency", "direction", "goal", "chart_type",
    "baseline_periods", "is_active", "opportunity_unit",
)  # fmt: skip


@transaction.atomic
def measure_save(
    *,
    actor: User,
    community: Community,
    measure: Measure | None = None,
    stratifiers: Iterable[Stratifier] = (),
    **fields: Any,
) -> Measure:
    """Create (``measure`` None) or update a measure and its operational definition."""
    creating = measure is None
    measure = measure or Measure(organization=community.organization, community=community)
    if (
        not creating
        and fields.get("value_type", measure.value_type) != measure.value_type
        and Measure.ValueType.RARE_EVENTS in (fields.get("value_type"), measure.value_type)
        and Observation.objects.filter(measure=measure).exists()
    ):
        raise ValidationError(
            {
                "value_type": _(
                    "A measure with data cannot become or stop being a rare-events measure."
                )
            }
        )
    if (
        not creating
        and fields.get("frequency", measure.frequency) != measure.frequency
        and Observation.objects.filter(measure=measure).exists()
    ):
        raise ValidationError(
            {"frequency": _("The frequency cannot change once data has been entered.")}
        )
    for name, value in fields.items():
        if name not in MEASURE_FIELDS:
            raise ValueError(name)
        setattr(measure, name, value)
    check_code("code", measure.code)
    if measure.value_type == Measure.ValueType.RATE and not measure.rate_multiplier:
        raise ValidationError({"rate_multiplier": _("A rate needs a multiplier (e.g. 1000).")})
    if measure.value_type != Measure.ValueType.RATE:
        measure.rate_multiplier = None
    if measure.value_type != Measure.ValueType.RARE_EVENTS:
        measure.opportunity_unit = ""
    problem = chart_problem(
        measure.value_type,
        measure.chart_type,
        counts_opportunities=bool(measure.opportunity_unit),
    )
    if problem:
        raise ValidationError({"chart_type": problem})
    measure.replaced_chart_type = ""  # saved by a person: the chart is their choice now
    if (
        Measure.objects.filter(community=community, code=measure.code)
        .exclude(pk=measure.pk)
        .exists()
    ):
        raise ValidationError({"code": _("Another measure of this CoP uses this code.")})
    stratifier_list = list(stratifiers)
    if any(s.organization_id != community.organization_id for s in stratifier_list):
        raise ValidationError({"stratifiers": _("Choose stratifiers of this organization.")})
    measure.full_clean(exclude=["organization", "community", "stratifiers"])
    measure._history_user = actor  # read by simple-history outside a request
    measure.save()
    measure.stratifiers.set(stratifier_list)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.measure_created" if creating else "measurement.measure_updated",
        target=measure,
        data={"code": measure.code, "community": community.slug},
    )
    return measure


@transaction.atomic
def phase_break_add(
    *, actor: User, measure: Measure, starts_on: dt.date, reason: str
) -> PhaseBreak:
    """Start a new phase of the measure's chart at a period, with the change that caused it."""
    aligned = align(measure.frequency, starts_on)
    if aligned != starts_on:
        raise ValidationError(
            {
                "starts_on": _("Choose the first day of a period: %(date)s.")
                % {"date": aligned.isoformat()}
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say what changed.")})
    if PhaseBreak.objects.filter(measure=measure, starts_on=starts_on).exists():
        raise ValidationError({"starts_on": _("A phase already starts with this period.")})
    phase_break = PhaseBreak.objects.create(
        organization=measure.organization,
        measure=measure,
        starts_on=starts_on,
        reason=reason.strip(),
        created_by=actor,
    )
    audit_record(
        organization=measure.organization,
        actor=actor,
        verb="measurement.phase_break_added",
        target=measure,
        data={"starts_on": starts_on.isoformat(), "reason": phase_break.reason},
    )
    return phase_break


# Data-entry grid --------------------------------------------------------------------
