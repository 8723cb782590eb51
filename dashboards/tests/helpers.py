"""Test data for the dashboards: a CoP with sites, stratified measures and approved
observations whose small counts are known, so disclosure can be checked exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django_scopes import scope

from measurement import services
from measurement.models import Measure, Observation, Site
from measurement.periods import next_period

START = dt.date(2023, 1, 1)


def months(n: int, start: dt.date = START) -> list[dt.date]:
    out = [start]
    while len(out) < n:
        out.append(next_period("monthly", out[-1]))
    return out


def observe(world, measure, site, period, numerator=None, denominator=None, value=None,
            category=None, status=Observation.Status.APPROVED):  # fmt: skip
    return Observation.objects.create(
        organization=world.org_a,
        measure=measure,
        site=site,
        period=period,
        category=category,
        numerator=None if numerator is None else Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        value=None if value is None else Decimal(value),
        status=status,
    )


def dash_world(world, n_months: int = 24) -> SimpleNamespace:
    """Org A's sepsis CoP: three sites (GH, CH, RH), a ``sex`` stratifier and

    * ``bundle``: monthly proportion, stratified, Effectiveness, higher is better,
      goal 90; GH has 100 patients a month, CH 40, RH 20; the numerators are chosen so
      that some site counts and some category counts are small (1 to 7);
    * ``falls``: monthly count, Balancing.
    Everything is approved, except one submitted and one draft row at the end.
    """
    actor = world.convener
    community = world.community_a
    with scope(organization=world.org_a):
        sex = services.stratifier_create(
            actor=actor, organization=world.org_a, code="sex", name="Sex",
            categories=[("f", "Female"), ("m", "Male")],
        )  # fmt: skip
        female, male = list(sex.categories.order_by("position"))
        site_ch = Site.objects.create(
            organization=world.org_a, name="Community Hospital", code="CH"
        )
        site_rh = Site.objects.create(organization=world.org_a, name="Rural Hospital", code="RH")
        sites = [world.site_a, site_ch, site_rh]
        for site in sites:
            services.enrolment_save(
                actor=actor, community=community, site=site, wave=1, enrolled_on=START
            )
        bundle = services.measure_save(
            actor=actor, community=community, code="bundle", name="Sepsis bundle",
            kind=Measure.Kind.OUTCOME, reaim_dimension=Measure.ReAim.EFFECTIVENESS,
            value_type=Measure.ValueType.PROPORTION, frequency=Measure.Frequency.MONTHLY,
            direction=Measure.Direction.UP, chart_type=Measure.ChartType.P,
            goal=Decimal("90"), stratifiers=[sex], baseline_periods=12,
        )  # fmt: skip
        falls = services.measure_save(
            actor=actor, community=community, code="falls", name="Falls",
            kind=Measure.Kind.BALANCING, value_type=Measure.ValueType.COUNT,
            frequency=Measure.Frequency.MONTHLY, direction=Measure.Direction.DOWN,
            chart_type=Measure.ChartType.C,
        )  # fmt: skip
        periods = months(n_months)
        sizes = {world.site_a.pk: 100, site_ch.pk: 40, site_rh.pk: 20}
        for i, period in enumerate(periods):
            improved = i >= 12
            for site in sites:
                n = sizes[site.pk]
                rate = (0.85 if improved else 0.6) + 0.02 * ((i * 7 + site.pk) % 3)
                num = round(n * rate) if site.code != "RH" else (3 + i % 4)
                observe(world, bundle, site, period, num, n)
                f_num = num // 2 if site.code != "RH" else 1 + i % 2
                observe(world, bundle, site, period, f_num, n // 2, category=female)
                observe(world, bundle, site, period, num - f_num, n - n // 2, category=male)
                observe(world, falls, site, period, value=2 + (i + site.pk) % 5)
        last = next_period("monthly", periods[-1])
        observe(world, bundle, world.site_a, last, 90, 100, status=Observation.Status.SUBMITTED)
        observe(world, falls, world.site_a, last, value=4, status=Observation.Status.DRAFT)
    return SimpleNamespace(
        community=community, sex=sex, female=female, male=male, sites=sites,
        site_gh=world.site_a, site_ch=site_ch, site_rh=site_rh,
        bundle=bundle, falls=falls, periods=periods,
    )  # fmt: skip
