"""Disclosure control for pages outside the dashboards: the figures of single
observations (the data app's observation list, its API and CSV exports) as one person
may see them, taken from the dashboards' disclosed figures so that a figure hidden on
a dashboard is hidden there too and the two cannot be combined to recover it.

The measurement app reaches these through ``measurement.disclosers``, where the
dashboards app registers them when it starts (measurement never imports dashboards).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dashboards.disclosure import SUPPRESSED_MARK, disclose_count, disclose_rate, format_number
from dashboards.selectors.audience import audience_for
from dashboards.selectors.figures import figure_at, measure_arrays
from dashboards.selectors.meta import community_meta
from measurement.periods import align
from measurement.permissions import MeasurementPermission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from communities.models import Community
    from copcore.models import User
    from measurement.models import Observation


@dataclass(frozen=True)
class DisclosedObservation:
    """An observation's figures as the viewer may see them (display strings).

    ``hidden`` is True when the row could not be placed in the disclosed figures
    (e.g. a status the dashboards do not show that viewer): every figure is "*"."""

    pk: int
    numerator: str
    denominator: str
    value: str
    suppressed: bool
    hidden: bool = False


def disclosure_applies(*, user: User | AnonymousUser, community: Community) -> bool:
    """Whether the rule applies to this person in this CoP (not a data steward)."""
    return not user.has_perm(MeasurementPermission.VIEW_UNSUPPRESSED, community)


class ObservationDiscloser:
    """Per-row disclosure for one person and one CoP, for pages, the API and streaming
    CSV exports: ``figures(observation)`` gives the figures that person may see.

    For data stewards the figures are as recorded. For everyone else they come from
    the dashboards' disclosed figures of each measure (cached; computed once from all
    the visible observations of the measure with secondary suppression over every sum
    the platform shows), so a figure hidden on a dashboard is hidden in exports too and
    the two cannot be combined to recover it. Built with a fixed number of queries
    (all the CoP's measures are read together), whatever the number of rows.
    """

    def __init__(self, *, user: User | AnonymousUser, community: Community) -> None:
        self.applies = disclosure_applies(user=user, community=community)
        if not self.applies:
            return
        self.audience = audience_for(user=user, community=community)
        meta = community_meta(community, self.audience.token)
        self.infos = {m.id: m for m in meta.measures}
        self.arrays = measure_arrays(
            community=community, audience=self.audience, meta=meta, token=self.audience.token
        )

    def figures(self, o: Observation) -> DisclosedObservation:
        if not self.applies:
            return DisclosedObservation(
                o.pk, _raw(o.numerator), _raw(o.denominator), _raw(o.value), False
            )
        hidden = DisclosedObservation(o.pk, SUPPRESSED_MARK, SUPPRESSED_MARK,
                                      SUPPRESSED_MARK, True, True)  # fmt: skip
        info, data = self.infos.get(o.measure_id), self.arrays.get(o.measure_id)
        if info is None or data is None or o.status not in self.audience.statuses:
            return hidden
        period = align(info.frequency, o.period)
        if period not in data.periods or o.site_id not in data.site_ids:
            return hidden
        i, k = data.periods.index(period), data.site_ids.index(o.site_id)
        if o.category_id is None:
            num = figure_at(data.site_num, data.site_num_sup, (k, i))
            den = figure_at(data.site_den, data.site_den_sup, (k, i))
        elif o.category_id in data.category_ids:
            c = data.category_ids.index(o.category_id)
            num = figure_at(data.sc_num, data.sc_num_sup, (k, c, i))
            den = figure_at(data.sc_den, data.sc_den_sup, (k, c, i))
        else:
            return hidden
        if info.uses_ratio:
            return DisclosedObservation(
                o.pk, num.display, den.display,
                disclose_rate(num, den).display if o.value is not None else "",
                num.suppressed or den.suppressed,
            )  # fmt: skip
        if info.is_count:
            shown = num.display
            return DisclosedObservation(
                o.pk, shown if o.numerator is not None else "",
                "" if o.denominator is None else SUPPRESSED_MARK,
                shown if o.value is not None else "", num.suppressed,
            )  # fmt: skip
        # A continuous value: shown unless the number of people behind it is small.
        size = disclose_count(
            None if o.denominator is None else float(o.denominator), self.audience.rule
        )
        return DisclosedObservation(
            o.pk, SUPPRESSED_MARK if o.numerator is not None else "", size.display,
            SUPPRESSED_MARK if size.suppressed else _raw(o.value), size.suppressed,
        )  # fmt: skip


class OrganizationDiscloser:
    """:class:`ObservationDiscloser` for rows of several CoPs (organization-wide lists
    and exports): one per CoP, built when its first row arrives, so the queries grow
    with the number of CoPs shown, never with the number of rows."""

    def __init__(self, *, user: User | AnonymousUser) -> None:
        self.user = user
        self._by_community: dict[int, ObservationDiscloser] = {}

    def figures(self, o: Observation) -> DisclosedObservation:
        community = o.measure.community
        discloser = self._by_community.get(community.pk)
        if discloser is None:
            discloser = ObservationDiscloser(user=self.user, community=community)
            self._by_community[community.pk] = discloser
        return discloser.figures(o)


def disclose_observations(*, user, community, observations) -> dict[int, DisclosedObservation]:
    """:class:`ObservationDiscloser` for a list of rows: their figures by id."""
    discloser = ObservationDiscloser(user=user, community=community)
    return {o.pk: discloser.figures(o) for o in observations}


def _raw(value) -> str:
    return "" if value is None else format_number(float(value))
