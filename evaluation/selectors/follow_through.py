"""The follow-through chain: barrier, strategy, PDSA test and measure, with each measure's
current signal."""

from __future__ import annotations

from dataclasses import dataclass, field

from communities.models import Community
from evaluation import measures
from evaluation.models import (
    CfirRating,
    CfirRound,
    StrategyChoice,
)
from measurement.models import Measure

# --------------------------------------------------------------------------- follow-through


@dataclass
class StrategyLine:
    choice: StrategyChoice
    tests: list
    measures: list[tuple[Measure, measures.Signal]]


@dataclass
class FollowThroughRow:
    barrier: CfirRating
    strategies: list[StrategyLine] = field(default_factory=list)

    @property
    def has_strategy(self) -> bool:
        return bool(self.strategies)

    @property
    def has_test(self) -> bool:
        return any(s.tests for s in self.strategies)

    @property
    def has_measure(self) -> bool:
        return any(s.measures for s in self.strategies)

    @property
    def complete(self) -> bool:
        return self.has_strategy and self.has_test and self.has_measure


def follow_through(
    *, community: Community, audience, cfir_round: CfirRound | None = None
) -> list[FollowThroughRow]:
    """Every barrier of the round (default: the latest) with its strategies, their PDSA
    tests and measures (chosen directly or through the tests) and each measure's
    current signal as ``audience`` (a ``dashboards.selectors.Audience``) may see it.
    A fixed number of queries."""
    if cfir_round is None:
        cfir_round = (
            CfirRound.objects.filter(community=community).order_by("-held_on", "-id").first()
        )
        if cfir_round is None:
            return []
    barriers = list(
        CfirRating.objects.filter(round=cfir_round, rating__lt=0)
        .select_related("construct__domain", "site")
        .prefetch_related(
            "strategies__strategy__cluster",
            "strategies__tests__measures",
            "strategies__measures",
        )
        .order_by("rating", "construct__position", "site__name")
    )
    measure_ids = {
        m.pk
        for b in barriers
        for c in b.strategies.all()
        for m in list(c.measures.all()) + [m for t in c.tests.all() for m in t.measures.all()]
    }
    signals = measures.signals(community=community, audience=audience, measure_ids=measure_ids)
    rows = []
    for barrier in barriers:
        row = FollowThroughRow(barrier=barrier)
        for choice in barrier.strategies.all():
            tests = list(choice.tests.all())
            watched: dict[int, Measure] = {m.pk: m for m in choice.measures.all()}
            for test in tests:
                for measure in test.measures.all():
                    watched.setdefault(measure.pk, measure)
            row.strategies.append(
                StrategyLine(
                    choice=choice,
                    tests=tests,
                    measures=[(m, signals[m.pk]) for m in watched.values()],
                )
            )
        rows.append(row)
    return rows
