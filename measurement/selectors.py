"""Reads of the measurement app: scoped, with their joins done here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from communities.selectors import community_get  # noqa: F401 - one lookup, re-exported
from copcore import l10n
from copcore.models import Organization
from measurement import access
from measurement.models import (
    ImportBatch,
    Measure,
    Observation,
    PhaseBreak,
    RareEvent,
    Site,
    SiteEnrolment,
    Stratifier,
)
from measurement.periods import (
    last_complete_period,
    next_period,
    period_label,
    previous_period,
)

VISIBLE_TO_ALL_WITHOUT_APPROVAL = (Observation.Status.SUBMITTED, Observation.Status.APPROVED)
DUE_WINDOW = {"weekly": 12, "monthly": 12, "quarterly": 4}


def observations_visible_to(*, user, community: Community) -> QuerySet[Observation]:
    """The CoP's observations this person may see: the one rule every page, export,
    API answer and dashboard uses.

    - data stewards and approvers (conveners, the data lead): every status;
    - participants with ``view_data``: approved data when the CoP requires approval,
      otherwise submitted and approved data (never drafts);
    - sponsors (``view_data`` without ``view_submitted``): approved data only;
    - nobody else: nothing.
    """
    observations = Observation.objects.filter(
        organization=community.organization, measure__community=community
    )
    if access.sees_unapproved(user, community):
        return observations
    if not user.has_perm(access.M.VIEW_DATA, community):
        return observations.none()
    return observations.filter(status__in=_statuses_for_viewer(user, community))


def _statuses_for_viewer(user, community: Community) -> tuple:
    """Statuses a viewer without steward or approver rights may see."""
    if access.data_policy(community).requires_approval or not user.has_perm(
        access.M.VIEW_SUBMITTED, community
    ):
        return (Observation.Status.APPROVED,)
    return VISIBLE_TO_ALL_WITHOUT_APPROVAL


def observations_visible_in_organization(*, user, organization: Organization) -> QuerySet:
    """Union of ``observations_visible_to`` over the organization's communities."""
    condition = Q(pk__in=[])
    for community in Community.objects.filter(organization=organization):
        if access.sees_unapproved(user, community):
            condition |= Q(measure__community=community)
        elif user.has_perm(access.M.VIEW_DATA, community):
            statuses = _statuses_for_viewer(user, community)
            condition |= Q(measure__community=community, status__in=statuses)
    return Observation.objects.filter(organization=organization).filter(condition)


def communities(*, organization: Organization) -> QuerySet[Community]:
    """The organization's CoPs by name, each with its data policy (the data home lists
    each with the person's rights, which read the policy)."""
    return (
        Community.objects.filter(organization=organization)
        .select_related("data_policy")
        .order_by("name")
    )


def sites_of_organization(*, organization: Organization) -> QuerySet[Site]:
    return Site.objects.filter(organization=organization).select_related("parent")


def site_get(*, organization: Organization, site_id: int) -> Site:
    site = Site.objects.filter(organization=organization, pk=site_id).first()
    if site is None:
        raise Http404
    return site


def enrolments(*, community: Community) -> QuerySet[SiteEnrolment]:
    return (
        SiteEnrolment.objects.filter(community=community)
        .select_related("site", "mentor_site")
        .order_by("wave", "site__name")
    )


def enrolled_site_get(*, community: Community, site_id: int) -> Site:
    """A site enrolled in the CoP, or 404 (stewards submit only for enrolled sites)."""
    enrolment = (
        SiteEnrolment.objects.filter(community=community, site_id=site_id)
        .select_related("site")
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment.site


def measures(*, community: Community, active_only: bool = False) -> QuerySet[Measure]:
    result = Measure.objects.filter(community=community).prefetch_related("stratifiers")
    if active_only:
        result = result.filter(is_active=True)
    return result.order_by("code")


def measure_get(*, community: Community, measure_id: int) -> Measure:
    measure = (
        Measure.objects.filter(community=community, pk=measure_id)
        .prefetch_related("stratifiers")
        .first()
    )
    if measure is None:
        raise Http404
    return measure


def measure_frequencies(*, community: Community) -> list[str]:
    """Frequencies of the CoP's active measures (the data-entry grid's choices)."""
    return list(
        Measure.objects.filter(community=community, is_active=True)
        .values_list("frequency", flat=True)
        .distinct()
    )


def grid_observations(
    *, measures: list[Measure], site: Site, period: dt.date
) -> dict[tuple[int, int], Observation]:
    """The observations the data-entry grid shows, by (measure id, category id or 0)."""
    return {
        (o.measure_id, o.category_id or 0): o
        for o in Observation.objects.filter(
            measure__in=measures, site=site, period=period
        ).select_related("category")
    }


def phase_breaks(*, measure: Measure) -> QuerySet[PhaseBreak]:
    return PhaseBreak.objects.filter(measure=measure).order_by("starts_on")


def stratifiers(*, organization: Organization) -> QuerySet[Stratifier]:
    return Stratifier.objects.filter(organization=organization).prefetch_related("categories")


def import_batches(*, community: Community) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(community=community).select_related("uploaded_by")


def import_batch_get(*, organization: Organization, batch_id: int) -> ImportBatch:
    batch = (
        ImportBatch.objects.filter(organization=organization, pk=batch_id)
        .select_related("community", "uploaded_by")
        .first()
    )
    if batch is None:
        raise Http404
    return batch


def import_batch_visible_get(*, user, organization: Organization, batch_id: int) -> ImportBatch:
    """An import batch for its status page or API: 404 unless the person works on the
    CoP's unapproved data (stewards and approvers), exactly like a missing batch."""
    batch = import_batch_get(organization=organization, batch_id=batch_id)
    if not access.sees_unapproved(user, batch.community):
        raise Http404
    return batch


def import_batch_twin(*, batch: ImportBatch) -> ImportBatch | None:
    """The earlier batch a duplicate upload repeats (recorded in its report), if any."""
    twin_id = batch.report.get("duplicate_of")
    if not twin_id:
        return None
    return ImportBatch.objects.filter(organization_id=batch.organization_id, pk=twin_id).first()


def observations_filtered(*, user, community: Community, filters: dict) -> QuerySet[Observation]:
    """The observations table: what ``user`` may see, narrowed by the filter form's
    cleaned data (measure, site, period_after, period_before, status; each optional)."""
    rows = observations_visible_to(user=user, community=community)
    lookups = {
        "measure": "measure",
        "site": "site",
        "period_after": "period__gte",
        "period_before": "period__lte",
        "status": "status",
    }
    conditions = {lookup: filters[name] for name, lookup in lookups.items() if filters.get(name)}
    return (
        rows.filter(**conditions)
        .select_related("measure", "site", "category__stratifier")
        .order_by("measure__code", "site__name", "-period", "category_id")
    )


def pending_review(*, community: Community) -> QuerySet[Observation]:
    return (
        Observation.objects.filter(
            measure__community=community, status=Observation.Status.SUBMITTED
        )
        .select_related("measure", "site", "category__stratifier", "entered_by")
        .order_by("measure__code", "site__name", "period", "category_id")
    )


def review_result(*, observation: Observation) -> str:
    """The figure a ratio row stands for, as its measure reads on charts: a proportion as
    a percentage, a rate per its multiplier, one decimal (``0.8%`` for 14 / 1,812), so a
    reviewer sees a slip at a glance. Other rows carry their own value: ''."""
    measure = observation.measure
    numerator, denominator = observation.numerator, observation.denominator
    if not measure.uses_ratio or numerator is None or not denominator:
        return ""
    ratio = float(numerator) / float(denominator)
    if measure.value_type == Measure.ValueType.PROPORTION:
        return l10n.percent(100 * ratio, 1)
    multiplier = measure.rate_multiplier or 1
    return _("%(value)s per %(n)s %(unit)s") % {
        "value": l10n.number(ratio * multiplier, 1),
        "n": l10n.figure(multiplier),
        "unit": measure.rate_unit,
    }


def pending_review_counts(*, community: Community) -> QuerySet:
    """Submitted rows per import batch (None = entered in the grid or the API)."""
    return (
        Observation.objects.filter(
            measure__community=community, status=Observation.Status.SUBMITTED
        )
        .values("batch_id")
        .annotate(n=Count("id"))
        .order_by("batch_id")
    )


# Due / missing data ---------------------------------------------------------------


@dataclass
class DueCell:
    period: dt.date
    label: str
    status: str  # "missing", "due", or an Observation status


@dataclass
class DueRow:
    measure: Measure
    cells: list[DueCell] = field(default_factory=list)
    missing: int = 0


@dataclass
class SiteDue:
    enrolment: SiteEnrolment
    rows: list[DueRow] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(row.missing for row in self.rows)


def due_data(
    *, community: Community, site_id: int | None = None, today: dt.date | None = None
) -> list[SiteDue]:
    """For each enrolled site (or one), each active measure and each period of the
    recent window since enrolment: whether a total was entered, and its status.

    Three queries whatever the number of sites, measures or periods: enrolments,
    measures, and the totals of the window (read as plain tuples).
    """
    today = today or timezone.localdate()
    enrolment_list = list(
        enrolments(community=community).filter(
            **({"site_id": site_id} if site_id is not None else {})
        )
    )
    measure_list = list(
        Measure.objects.filter(community=community, is_active=True).order_by("code")
    )
    if not enrolment_list or not measure_list:
        return [SiteDue(enrolment=e) for e in enrolment_list]
    windows: dict[str, list[dt.date]] = {}
    for frequency, size in DUE_WINDOW.items():
        periods = [last_complete_period(frequency, today)]
        while len(periods) < size:
            periods.insert(0, previous_period(frequency, periods[0]))
        windows[frequency] = periods
    earliest = min(p[0] for p in windows.values())
    statuses: dict[tuple[int, int, dt.date], str] = {}
    totals = Observation.objects.filter(
        measure__community=community,
        site_id__in=[e.site_id for e in enrolment_list],
        category__isnull=True,
        period__gte=earliest,
    ).values_list("measure_id", "site_id", "period", "status")
    for measure_id, site, period, total_status in totals:
        statuses[(measure_id, site, period)] = total_status
    result = []
    for enrolment in enrolment_list:
        site_due = SiteDue(enrolment=enrolment)
        for measure in measure_list:
            row = DueRow(measure=measure)
            periods = windows[measure.frequency]
            for period in periods:
                if enrolment.ends_on and period >= enrolment.ends_on:
                    continue
                if next_period(measure.frequency, period) <= enrolment.enrolled_on:
                    continue  # the period ended before the site joined: nothing was due
                status = statuses.get((measure.id, enrolment.site_id, period))
                if status is None:
                    status = "due" if period == periods[-1] else "missing"
                    row.missing += 1
                row.cells.append(
                    DueCell(
                        period=period, label=period_label(measure.frequency, period), status=status
                    )
                )
            site_due.rows.append(row)
        result.append(site_due)
    return result


def rare_events(*, measure: Measure, site: Site | None = None) -> QuerySet[RareEvent]:
    """A rare-events measure's events (of one site if given), newest first."""
    events = RareEvent.objects.filter(measure=measure).select_related("site", "entered_by")
    if site is not None:
        events = events.filter(site=site)
    return events.order_by("-occurred_on", "-id")


def rare_event_get(*, community: Community, measure: Measure, event_id: int) -> RareEvent:
    """One event of the measure in this CoP, or 404 (also for another tenant's)."""
    event = (
        RareEvent.objects.filter(community=community, measure=measure, pk=event_id)
        .select_related("site", "measure")
        .first()
    )
    if event is None:
        raise Http404
    return event
