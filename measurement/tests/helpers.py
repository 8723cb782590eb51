"""Test data for the measurement app: measures, a stratifier and enrolled sites in org A."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from measurement import services
from measurement.models import ImportBatch, Measure, Site

FIXTURES = Path(__file__).parent / "fixtures"


def data_world(world) -> SimpleNamespace:
    """Org A's sepsis CoP with sites GH (wave 1) and CH (wave 2, mentored by GH), a
    ``sex`` stratifier and three measures: ``bundle`` (monthly proportion, stratified by
    sex), ``falls`` (monthly count) and ``ssi`` (weekly rate per 1,000)."""
    community = world.community_a
    actor = world.convener
    with scope(organization=world.org_a):
        sex = services.stratifier_create(
            actor=actor,
            organization=world.org_a,
            code="sex",
            name="Sex",
            categories=[("f", "Female"), ("m", "Male")],
        )
        site_c = Site.objects.create(organization=world.org_a, name="Community Hospital", code="CH")
        services.enrolment_save(
            actor=actor, community=community, site=world.site_a, wave=1,
            enrolled_on=dt.date(2023, 1, 1),
        )  # fmt: skip
        services.enrolment_save(
            actor=actor, community=community, site=site_c, wave=2,
            enrolled_on=dt.date(2023, 6, 1), mentor_site=world.site_a,
        )  # fmt: skip
        common = {"kind": Measure.Kind.PROCESS, "direction": Measure.Direction.UP}
        bundle = services.measure_save(
            actor=actor, community=community, code="bundle", name="Sepsis bundle",
            value_type=Measure.ValueType.PROPORTION, frequency=Measure.Frequency.MONTHLY,
            chart_type=Measure.ChartType.P, stratifiers=[sex], **common,
        )  # fmt: skip
        falls = services.measure_save(
            actor=actor, community=community, code="falls", name="Falls",
            value_type=Measure.ValueType.COUNT, frequency=Measure.Frequency.MONTHLY,
            chart_type=Measure.ChartType.C, kind=Measure.Kind.BALANCING,
            direction=Measure.Direction.DOWN,
        )  # fmt: skip
        ssi = services.measure_save(
            actor=actor, community=community, code="ssi", name="Surgical site infections",
            value_type=Measure.ValueType.RATE, rate_multiplier=1000, rate_unit="procedures",
            frequency=Measure.Frequency.WEEKLY, chart_type=Measure.ChartType.U,
            kind=Measure.Kind.OUTCOME, direction=Measure.Direction.DOWN,
        )  # fmt: skip
    return SimpleNamespace(
        community=community, sex=sex, site_gh=world.site_a, site_ch=site_c,
        bundle=bundle, falls=falls, ssi=ssi,
    )  # fmt: skip


def upload(world, content: bytes | str, name: str = "data.csv", user=None) -> ImportBatch:
    """Upload a file as the steward and run its dry run (inline); returns the batch."""
    if isinstance(content, str):
        path = FIXTURES / content
        content, name = path.read_bytes(), path.name
    with scope(organization=world.org_a):
        batch = services.import_batch_create(
            actor=user or world.steward,
            community=world.community_a,
            upload=SimpleUploadedFile(name, content),
        )
        services.import_batch_start(batch=batch)
        batch.refresh_from_db()
    return batch


def codes(batch: ImportBatch, kind: str = "errors") -> list[tuple[int, str, str]]:
    return [(m["line"], m["column"], m["code"]) for m in batch.report.get(kind, [])]


def length_of_stay(world) -> Measure:
    """``los``: a monthly continuous measure (mean length of stay in days), whose values
    may have decimals, unlike the counts, numerators and denominators."""
    with scope(organization=world.org_a):
        return services.measure_save(
            actor=world.convener, community=world.community_a, code="los",
            name="Length of stay", value_type=Measure.ValueType.CONTINUOUS,
            frequency=Measure.Frequency.MONTHLY, chart_type=Measure.ChartType.I,
            kind=Measure.Kind.BALANCING, direction=Measure.Direction.DOWN,
        )  # fmt: skip
