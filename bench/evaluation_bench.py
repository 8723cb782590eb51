"""Evaluation benchmark: the CFIR heat map, survey and NoMAD results and the results
record of a large CoP, with their query counts.

The CoP: ``EVAL_BENCH_SITES`` sites (default 40), every one of the 67 CFIR rows rated
at each in two rounds; a periodic survey (single, multiple, scale, text) and a NoMAD
round with ``EVAL_BENCH_RESPONSES`` anonymous responses each (default 400); a
proportion measure with 24 monthly values per site. Built once in the database of
``DATABASE_URL`` (organization ``bench-evaluation``) and reused. Times are medians of
five runs; results go to ``bench/results/evaluation.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import time
from pathlib import Path

from bench.common import bench_community, bench_organization, setup_django

SITES = int(os.environ.get("EVAL_BENCH_SITES", "40"))
RESPONSES = int(os.environ.get("EVAL_BENCH_RESPONSES", "400"))
ORG_SLUG = "bench-evaluation"
RESULTS = Path(__file__).parent / "results" / "evaluation.json"


def _world():
    """The organization, CoP, sites, rounds, surveys and measure (built once)."""
    import random

    from django_scopes import scope

    from evaluation import services
    from evaluation.models import (
        Answer,
        CfirConstruct,
        CfirRating,
        CfirRound,
        Question,
        Response,
        Survey,
    )
    from measurement.models import Measure, Observation, Site, SiteEnrolment

    rng = random.Random(7)
    user, organization = bench_organization(
        slug=ORG_SLUG,
        name="Evaluation bench",
        email="bench-evaluation@example.org",
        display_name="Evaluation bench",
    )
    with scope(organization=organization):
        community, _ = bench_community(organization=organization, owner=user)
        if CfirRound.objects.filter(community=community).count() >= 2:
            return organization, community
        sites = [
            Site.objects.create(organization=organization, name=f"Site {i:03d}", code=f"S{i:03d}")
            for i in range(SITES)
        ]
        SiteEnrolment.objects.bulk_create(
            SiteEnrolment(
                organization=organization,
                community=community,
                site=s,
                enrolled_on=dt.date(2024, 1, 1),
            )
            for s in sites
        )
        constructs = list(CfirConstruct.objects.all())
        for index, title in enumerate(("Baseline", "Midpoint")):
            cfir_round = services.cfir_round_create(
                actor=user, community=community, title=title, held_on=dt.date(2025, 1 + index, 1)
            )
            CfirRating.objects.bulk_create(
                CfirRating(
                    organization=organization,
                    round=cfir_round,
                    site=s,
                    construct=c,
                    rating=rng.choice([-2, -1, 0, 1, 2, None]),
                    evidence="interview notes",
                )
                for s in sites
                for c in constructs
            )
        measure = Measure.objects.create(
            organization=organization,
            community=community,
            code="bench",
            name="Bench proportion",
            kind="process",
            value_type="proportion",
            frequency="monthly",
            direction="up",
            chart_type="p",
        )
        Observation.objects.bulk_create(
            Observation(
                organization=organization,
                measure=measure,
                site=s,
                period=dt.date(2023 + m // 12, 1 + m % 12, 1),
                numerator=rng.randint(20, 80),
                denominator=100,
                status="approved",
            )
            for s in sites
            for m in range(24)
        )
        survey = services.survey_create(
            actor=user, community=community, title="Bench survey", purpose="periodic"
        )
        services.question_add(
            actor=user, survey=survey, kind="single", text="Useful?", options=["Yes", "No"]
        )
        services.question_add(
            actor=user, survey=survey, kind="multiple", text="What?", options=["A", "B", "C"]
        )
        services.question_add(actor=user, survey=survey, kind="scale", text="Score?")
        services.question_add(actor=user, survey=survey, kind="text", text="Comments?")
        nomad_round = services.nomad_round_create(actor=user, community=community)
        for each in (survey, nomad_round):
            services.survey_open(actor=user, survey=each)
            questions = list(Question.objects.filter(survey=each))
            responses = Response.objects.bulk_create(
                Response(organization=organization, survey=each, site=rng.choice(sites))
                for _ in range(RESPONSES)
            )
            answers = []
            for response in responses:
                for q in questions:
                    fields: dict = {}
                    if q.kind == "single":
                        fields["choices"] = [rng.choice(q.options)]
                    elif q.kind == "multiple":
                        fields["choices"] = rng.sample(q.options, 2)
                    elif q.kind in ("scale", "agreement"):
                        fields["number"] = rng.randint(q.scale_min, q.scale_max)
                    else:
                        fields["text"] = f"comment {rng.randint(1, 10**6)}"
                    answers.append(
                        Answer(organization=organization, response=response, question=q, **fields)
                    )
            Answer.objects.bulk_create(answers, batch_size=5000)
            Survey.objects.filter(pk=each.pk).update(status="closed")
    return organization, community


def _timed(fn, runs: int = 5) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    return statistics.median(times) * 1000, queries


def main() -> None:
    setup_django()
    from django_scopes import scope

    from evaluation import record, selectors
    from evaluation.models import CfirRound, ResultsRecord, Survey

    started = time.perf_counter()
    organization, community = _world()
    setup_seconds = time.perf_counter() - started
    figures: dict = {"sites": SITES, "responses_per_survey": RESPONSES}
    with scope(organization=organization):
        latest = CfirRound.objects.filter(community=community).order_by("-held_on").first()
        assert latest is not None  # seeded above
        survey = Survey.objects.get(community=community, purpose="periodic")
        nomad_round = Survey.objects.get(community=community, purpose="nomad")
        for name, fn in (
            ("heat_map", lambda: selectors.heat_map(cfir_round=latest)),
            ("survey_results", lambda: selectors.survey_results(survey=survey)),
            ("nomad_results", lambda: selectors.nomad_results(survey=nomad_round)),
        ):
            ms, queries = _timed(fn)
            figures[name] = {"median_ms": round(ms, 1), "queries": queries}
        entry = ResultsRecord.objects.create(organization=organization, community=community)
        ms, queries = _timed(lambda: record.build_package(record=entry), runs=3)
        package = record.build_package(record=entry)
        figures["results_record"] = {
            "median_ms": round(ms, 1),
            "queries": queries,
            "zip_bytes": len(package.data),
            "files": len(package.manifest["files"]),
        }
        entry.delete()
    figures["setup_seconds"] = round(setup_seconds, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
