"""Builders shared by the evaluation tests (and the isolation test's path values)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from copcore.permissions import CommunityRole
from copcore.testing import UserFactory, add_member, give_role
from evaluation import services
from evaluation.models import CfirConstruct, CfirRating, CfirRound, EricStrategy, StrategyChoice
from measurement.models import Measure, Observation, SiteEnrolment


def ensure_reference_data() -> None:
    """Reload the CFIR/ERIC reference rows when a transactional test (a live server, a
    real Celery worker) has flushed the database since the migrations ran."""
    import importlib

    from django.apps import apps

    from evaluation.models import CfirDomain, EricStrategy

    if CfirDomain.objects.exists() and EricStrategy.objects.exists():
        return
    migration = importlib.import_module("evaluation.migrations.0002_reference_data")
    migration.unload(apps, None)
    migration.load(apps, None)


@dataclass
class Chain:
    cfir_round: CfirRound
    barrier: CfirRating
    choice: StrategyChoice


def enrol(world, site=None):
    site = site or world.site_a
    return SiteEnrolment.objects.get_or_create(
        organization=world.org_a,
        community=world.community_a,
        site=site,
        defaults={"enrolled_on": dt.date(2025, 1, 1)},
    )[0]


def members(world, count: int, prefix: str = "p"):
    """``count`` new members of organization A, each a member of community A."""
    people = []
    for i in range(count):
        person = UserFactory(email=f"{prefix}{i}@a.example", display_name=f"Respondent {prefix}{i}")
        add_member(world.org_a, person)
        give_role(world.community_a, person, CommunityRole.MEMBER)
        people.append(person)
    return people


def make_barrier_chain(world, *, construct_code: str = "III.G") -> Chain:
    """A round with one barrier at site A and one ERIC strategy chosen for it (no test
    or measure yet). Call inside org A's scope."""
    ensure_reference_data()
    enrol(world)
    cfir_round = services.cfir_round_create(
        actor=world.convener,
        community=world.community_a,
        title="Baseline",
        held_on=dt.date(2026, 1, 15),
    )
    construct = CfirConstruct.objects.get(code=construct_code)
    services.cfir_ratings_save(
        actor=world.convener,
        cfir_round=cfir_round,
        site=world.site_a,
        entries=[(construct, -2, "Competing priorities on the ward")],
    )
    barrier = CfirRating.objects.get(round=cfir_round, construct=construct)
    choice = services.strategy_choose(
        actor=world.convener,
        barrier=barrier,
        strategy=EricStrategy.objects.get(name="Conduct cyclical small tests of change"),
    )
    return Chain(cfir_round=cfir_round, barrier=barrier, choice=choice)


def make_survey(world, *, anonymous: bool = True, purpose: str = "periodic"):
    survey = services.survey_create(
        actor=world.convener,
        community=world.community_a,
        title="Quarterly check",
        purpose=purpose,
        anonymous=anonymous,
    )
    question = services.question_add(
        actor=world.convener,
        survey=survey,
        kind="single",
        text="Is the CoP useful?",
        options=["Yes", "No"],
    )
    return survey, question


def make_measure(world, *, code: str = "screen", values: list[tuple[int, int]] | None = None):
    """A proportion measure of community A with monthly approved totals at site A."""
    measure = Measure.objects.create(
        organization=world.org_a,
        community=world.community_a,
        code=code,
        name="Patients screened",
        kind="process",
        value_type="proportion",
        frequency="monthly",
        direction="up",
        chart_type="p",
    )
    for index, (numerator, denominator) in enumerate(values or []):
        Observation.objects.create(
            organization=world.org_a,
            measure=measure,
            site=world.site_a,
            period=dt.date(2025, 1 + index % 12, 1).replace(year=2025 + index // 12),
            numerator=numerator,
            denominator=denominator,
            status="approved",
        )
    return measure
