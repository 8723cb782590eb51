"""Recording rare events (one row per event) and keeping their counts per period.

Each change to a site's events rewrites that site's event counts as the measure's
observations (value = numerator = events in the period, 0 for a period without any,
from the site's enrolment to the last complete period or the latest event), submitted
for review like any data. So approval, the dashboards' count figures with disclosure
control, digests, RE-AIM and exports need nothing special, and the t and g charts read
the events themselves (``dashboards.selectors.rare_events``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from copcore.models import User
from copcore.services import audit_record
from measurement import access
from measurement.models import ImportBatch, Measure, Observation, RareEvent, Site, SiteEnrolment
from measurement.periods import align, last_complete_period, periods_between
from measurement.rare_events import counts_by_period

CATEGORY_MAX = 80


class EventRowsInvalid(ValidationError):
    """Rows of a batch of events at fault: ``rows`` maps a row number to its field
    errors. Nothing of the batch was saved."""

    def __init__(self, rows: dict[str, dict[str, str]]) -> None:
        super().__init__(_("%(n)s event(s) have errors: nothing was saved.") % {"n": len(rows)})
        self.rows = rows


def _clean(
    *, measure: Measure, site: Site, occurred_on: dt.date | None, category: str, opportunities
) -> tuple[dt.date, str, Decimal | None]:
    """The event's fields checked; a ValidationError names each field at fault."""
    errors: dict[str, str] = {}
    if measure.value_type != Measure.ValueType.RARE_EVENTS:
        errors["measure"] = _("This measure does not record rare events.")
    today = timezone.localdate()
    if occurred_on is None:
        errors["occurred_on"] = _("Give the date of the event.")
    elif occurred_on > today:
        errors["occurred_on"] = _("The date of the event cannot be in the future.")
    category = (category or "").strip()
    if len(category) > CATEGORY_MAX:
        errors["category"] = _("Keep the category under %(n)s characters.") % {"n": CATEGORY_MAX}
    amount: Decimal | None = None
    if opportunities not in (None, ""):
        try:
            amount = Decimal(str(opportunities))
        except InvalidOperation:
            errors["opportunities"] = _("Give a number (or leave it blank).")
        else:
            if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
                errors["opportunities"] = _("Give a number of 0 or more.")
                amount = None
    if errors:
        raise ValidationError(errors)
    assert occurred_on is not None
    return occurred_on, category, amount


def _require_site(community: Community, site: Site) -> None:
    if not SiteEnrolment.objects.filter(community=community, site=site).exists():
        raise PermissionDenied


def counts_sync(
    *, actor: User | None, measure: Measure, site: Site, batch: ImportBatch | None = None
) -> int:
    """Rewrite the site's event counts as observations; returns the rows changed.

    A period whose count is unchanged keeps its status (an approved count stays
    approved); a changed count is submitted again for review."""
    dates = list(
        RareEvent.objects.filter(measure=measure, site=site).values_list("occurred_on", flat=True)
    )
    enrolment = SiteEnrolment.objects.filter(community=measure.community, site=site).first()
    starts = [align(measure.frequency, d) for d in dates]
    if enrolment is not None:
        starts.append(align(measure.frequency, enrolment.enrolled_on))
    if not starts:
        return 0
    last = max(
        [last_complete_period(measure.frequency, timezone.localdate())]
        + [align(measure.frequency, d) for d in dates]
    )
    periods = list(periods_between(measure.frequency, min(starts), last))
    counts = counts_by_period(dates, periods, lambda d: align(measure.frequency, d))
    existing = {
        o.period: o
        for o in Observation.objects.filter(measure=measure, site=site, category__isnull=True)
    }
    now = timezone.now()
    changed = 0
    for period, count in counts.items():
        figure = Decimal(count).quantize(Decimal("0.0001"))
        row = existing.pop(period, None)
        if row is not None and row.value == figure and row.numerator == figure:
            continue
        row = row or Observation(
            organization=measure.organization, measure=measure, site=site, period=period
        )
        row.numerator = row.value = figure
        row.denominator = None
        row.status = Observation.Status.SUBMITTED
        row.submitted_at = now
        row.entered_by = actor
        row.reviewed_by = None
        row.reviewed_at = None
        row.batch = batch  # an imported file's counts are approved with its batch
        row.save()
        changed += 1
    # Counts outside the span (an event moved or deleted) go: no events there now.
    stale = [o.pk for o in existing.values()]
    if stale:
        Observation.objects.filter(pk__in=stale).delete()
        changed += len(stale)
    return changed


@transaction.atomic
def rare_event_record(
    *,
    actor: User,
    community: Community,
    measure: Measure,
    site: Site,
    occurred_on: dt.date | None,
    category: str = "",
    opportunities: Decimal | str | float | None = None,
    batch: ImportBatch | None = None,
    sync: bool = True,
) -> RareEvent:
    """Record one event (date, site, optional category and opportunities)."""
    access.require(access.can_submit(actor, community))
    if measure.community_id != community.pk:
        raise PermissionDenied
    _require_site(community, site)
    day, category, amount = _clean(
        measure=measure, site=site, occurred_on=occurred_on,
        category=category, opportunities=opportunities,
    )  # fmt: skip
    event = RareEvent.objects.create(
        organization=community.organization, community=community, measure=measure,
        site=site, occurred_on=day, category=category, opportunities=amount,
        entered_by=actor, batch=batch,
    )  # fmt: skip
    if sync:
        counts_sync(actor=actor, measure=measure, site=site)
    if batch is None:
        audit_record(
            organization=community.organization, actor=actor,
            verb="measurement.rare_event_recorded", target=event,
            data={"community": community.slug, "measure": measure.code, "site": site.code,
                  "date": day.isoformat()},
        )  # fmt: skip
    return event


@transaction.atomic
def rare_event_delete(*, actor: User, community: Community, event: RareEvent) -> None:
    """Delete a mistaken event; the counts of its period are recomputed."""
    access.require(access.can_submit(actor, community))
    if event.community_id != community.pk:
        raise PermissionDenied
    measure, site, day = event.measure, event.site, event.occurred_on
    event.delete()
    counts_sync(actor=actor, measure=measure, site=site)
    audit_record(
        organization=community.organization, actor=actor,
        verb="measurement.rare_event_deleted", target=site,
        data={"community": community.slug, "measure": measure.code, "site": site.code,
              "date": day.isoformat()},
    )  # fmt: skip


@transaction.atomic
def rare_events_record_many(
    *,
    actor: User,
    community: Community,
    measure: Measure,
    rows: list[dict],
    batch: ImportBatch | None = None,
) -> list[RareEvent]:
    """Record several events (``site_code``, ``occurred_on``, ``category``,
    ``opportunities``) all together or not at all: a ValidationError names each row at
    fault (``rows``: {row number: {field: message}}) and nothing is saved."""
    access.require(access.can_submit(actor, community))
    sites = {
        e.site.code.casefold(): e.site
        for e in SiteEnrolment.objects.filter(community=community).select_related("site")
    }
    problems: dict[str, dict[str, str]] = {}
    cleaned = []
    for number, row in enumerate(rows, start=1):
        site = sites.get(str(row.get("site_code", "")).strip().casefold())
        if site is None:
            problems[str(number)] = {
                "site_code": _("Unknown site “%(code)s”: it is not enrolled in this community.")
                % {"code": row.get("site_code", "")}
            }
            continue
        try:
            day, category, amount = _clean(
                measure=measure, site=site, occurred_on=row.get("occurred_on"),
                category=row.get("category", ""), opportunities=row.get("opportunities"),
            )  # fmt: skip
        except ValidationError as error:
            problems[str(number)] = {k: " ".join(v) for k, v in error.message_dict.items()}
            continue
        cleaned.append((site, day, category, amount))
    if problems:
        raise EventRowsInvalid(problems)
    created = RareEvent.objects.bulk_create(
        [
            RareEvent(
                organization=community.organization,
                community=community,
                measure=measure,
                site=site,
                occurred_on=day,
                category=category,
                opportunities=amount,
                entered_by=actor,
                batch=batch,
            )  # fmt: skip
            for site, day, category, amount in cleaned
        ]
    )
    for site in {site.pk: site for site, *_rest in cleaned}.values():
        counts_sync(actor=actor, measure=measure, site=site)
    audit_record(
        organization=community.organization, actor=actor,
        verb="measurement.rare_events_recorded", target=measure,
        data={"community": community.slug, "measure": measure.code, "rows": len(created),
              "batch": batch.pk if batch else None},
    )  # fmt: skip
    return created
