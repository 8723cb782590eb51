"""Every write of the dashboards: keyword-only, atomic, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import Organization, User
from copcore.services import audit_record
from dashboards.models import (
    ChartNote,
    CostRecord,
    DisclosureRule,
    ExpectedResultReview,
    MeasureChartPreference,
    ReachShare,
    ReAimProfile,
)
from dashboards.selectors import METHODS, disclosure_rule_get
from measurement.models import Measure, Site, StratifierCategory


@transaction.atomic
def disclosure_rule_save(
    *,
    actor: User,
    organization: Organization,
    mode: str,
    small_max: int,
    rounding_base: int,
    hide_zero: bool,
    secondary_suppression: bool,
) -> DisclosureRule:
    """Set the organization's disclosure rule (one per organization)."""
    rule = disclosure_rule_get(organization=organization) or DisclosureRule(
        organization=organization
    )
    rule.mode = mode
    rule.small_max = small_max
    rule.rounding_base = rounding_base
    rule.hide_zero = hide_zero
    rule.secondary_suppression = secondary_suppression
    rule.updated_by = actor
    rule.full_clean()
    rule.save()
    audit_record(
        organization=organization,
        actor=actor,
        verb="measurement.disclosure_rule_saved",
        target=rule,
        data={
            "mode": mode,
            "small_max": small_max,
            "rounding_base": rounding_base,
            "hide_zero": hide_zero,
            "secondary_suppression": secondary_suppression,
        },
    )
    return rule


@transaction.atomic
def chart_preference_save(
    *, actor: User, measure: Measure, chart_type: str, method: str
) -> MeasureChartPreference:
    """Remember the person's chart type and rules for a measure."""
    from dashboards.forms import preference_charts

    allowed = preference_charts(measure)
    errors = {}
    if chart_type not in allowed:
        errors["chart_type"] = [_("This chart does not suit this measure.")]
    if method not in METHODS:
        errors["method"] = [_("Unknown rules.")]
    elif method == "mdc" and chart_type == "run":
        errors["method"] = [_("Making Data Count needs a control chart, not a run chart.")]
    if errors:
        raise ValidationError(errors)
    preference, _created = MeasureChartPreference.objects.update_or_create(
        measure=measure,
        user=actor,
        defaults={
            "organization": measure.organization,
            "chart_type": chart_type,
            "method": method,
        },
    )
    audit_record(
        organization=measure.organization,
        actor=actor,
        verb="measurement.chart_preference_saved",
        target=measure,
        data={"chart_type": chart_type, "method": method},
    )
    return preference


@transaction.atomic
def chart_note_add(
    *,
    actor: User,
    measure: Measure,
    period: dt.date,
    text: str,
    site: Site | None = None,
) -> ChartNote:
    """Add a note to a measure's chart at a date (optionally for one site)."""
    if not text.strip():
        raise ValidationError({"text": [_("Write the note.")]})
    if site is not None and site.organization_id != measure.organization_id:
        raise ValidationError({"site": [_("Choose one of the CoP's sites.")]})
    note = ChartNote(
        organization=measure.organization,
        community=measure.community,
        measure=measure,
        site=site,
        period=period,
        text=text.strip(),
        author=actor,
    )
    note.full_clean()
    note.save()
    audit_record(
        organization=measure.organization,
        actor=actor,
        verb="measurement.chart_note_added",
        target=note,
        data={"measure": measure.code, "period": period.isoformat()},
    )
    return note


@transaction.atomic
def chart_note_delete(*, actor: User, note: ChartNote, reason: str = "") -> None:
    """Delete a chart note. Deleting someone else's note (a manager tidying the chart)
    needs a reason, recorded in the audit event with the note's text so its author
    can be told why and the note can be written again."""
    reason = reason.strip()
    if note.author_id not in (None, actor.pk) and not reason:
        raise ValidationError(
            {"reason": [_("Say why you are deleting someone else's note: it is recorded.")]}
        )
    audit_record(
        organization=note.organization,
        actor=actor,
        verb="measurement.chart_note_deleted",
        target=note,
        data={
            "measure_id": note.measure_id,
            "period": note.period.isoformat(),
            "author_id": note.author_id,
            "text": note.text,
            "reason": reason,
        },
    )
    note.delete()


@transaction.atomic
def reaim_profile_save(*, actor: User, community: Community, **fields) -> ReAimProfile:
    """Record the RE-AIM figures no measure holds (eligible population, sites invited,
    staff). Blank stays blank: it is reported as missing."""
    profile = ReAimProfile.objects.filter(community=community).first() or ReAimProfile(
        organization=community.organization, community=community
    )
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.updated_by = actor
    if (
        profile.staff_eligible is not None
        and profile.staff_participating is not None
        and profile.staff_participating > profile.staff_eligible
    ):
        raise ValidationError(
            {"staff_participating": [_("More staff take part than could: check the figures.")]}
        )
    profile.full_clean()
    profile.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.reaim_profile_saved",
        target=profile,
        data={k: v for k, v in fields.items() if isinstance(v, int | str | type(None))},
    )
    return profile


@transaction.atomic
def reach_shares_set(
    *, actor: User, community: Community, shares: dict[int, int | None]
) -> list[ReachShare]:
    """Set the eligible population per stratifier category (None removes it)."""
    categories = {
        c.pk: c
        for c in StratifierCategory.objects.filter(
            organization=community.organization, pk__in=list(shares)
        )
    }
    if set(shares) - set(categories):
        raise ValidationError(_("Unknown category."))
    kept = []
    for cat_id, count in shares.items():
        if count is None:
            ReachShare.objects.filter(community=community, category_id=cat_id).delete()
            continue
        if count < 0:
            raise ValidationError(_("Counts cannot be negative."))
        share, _created = ReachShare.objects.update_or_create(
            community=community,
            category=categories[cat_id],
            defaults={"organization": community.organization, "eligible_count": count},
        )
        kept.append(share)
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.reach_shares_set",
        target=community,
        data={str(k): v for k, v in shares.items()},
    )
    return kept


@transaction.atomic
def cost_record_add(
    *,
    actor: User,
    community: Community,
    incurred_on: dt.date,
    amount: Decimal,
    currency: str,
    description: str,
    site: Site | None = None,
) -> CostRecord:
    record = CostRecord(
        organization=community.organization,
        community=community,
        site=site,
        incurred_on=incurred_on,
        amount=amount,
        currency=currency.upper(),
        description=description,
        recorded_by=actor,
    )
    record.full_clean()
    record.save()
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.cost_recorded",
        target=record,
        data={"amount": str(amount), "currency": record.currency},
    )
    return record


@transaction.atomic
def cost_record_delete(*, actor: User, record: CostRecord) -> None:
    audit_record(
        organization=record.organization,
        actor=actor,
        verb="measurement.cost_deleted",
        target=record,
        data={"amount": str(record.amount), "currency": record.currency},
    )
    record.delete()


@transaction.atomic
def expected_result_review_save(
    *, actor: User, community: Community, position: int, status: str, note: str = ""
) -> ExpectedResultReview:
    """Say where one of the CoP's expected results stands."""
    if status not in ExpectedResultReview.Status.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    review, _created = ExpectedResultReview.objects.update_or_create(
        community=community,
        position=position,
        defaults={
            "organization": community.organization,
            "status": status,
            "note": note,
            "updated_by": actor,
        },
    )
    audit_record(
        organization=community.organization,
        actor=actor,
        verb="measurement.expected_result_reviewed",
        target=review,
        data={"position": position, "status": status},
    )
    return review
