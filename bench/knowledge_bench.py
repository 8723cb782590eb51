"""Knowledge search benchmark: full-text search over a repository of generated assets,
through the real services (versions, search documents) and the real selector (ranking,
highlighted snippets, visibility), plus the PostgreSQL plan to show the GIN index is used.

Figures: time to create the assets through the services, and the median / 95th
percentile latency of a first page of search results (20 rows) for a member.
Results go to ``bench/results/knowledge.json``.

Environment: ``KNOWLEDGE_BENCH_ASSETS`` (default 5,000); ``DATABASE_URL`` as for the
project (the embedded database when unset). The bench organization is reused between
runs and topped up to the wanted size.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from pathlib import Path

from bench.common import bench_community, bench_organization, setup_django

ASSETS = int(os.environ.get("KNOWLEDGE_BENCH_ASSETS", "5000"))
ORG_SLUG = "bench-knowledge"
RESULTS = Path(__file__).parent / "results" / "knowledge.json"
WORDS = [
    "sepsis",
    "lactate",
    "antibiotics",
    "triage",
    "screening",
    "handover",
    "huddle",
    "audit",
    "bundle",
    "fluids",
    "escalation",
    "outreach",
    "maternity",
    "haemorrhage",
    "oxytocin",
    "discharge",
    "follow-up",
    "telehealth",
    "capnography",
    "chlorhexidine",
    "delirium",
    "falls",
    "pressure",
    "ulcer",
    "hand",
    "hygiene",
    "checklist",
    "protocol",
    "pathway",
    "nurse",
    "physician",
    "pharmacist",
    "ward",
    "emergency",
    "community",
    "clinic",
]
QUERIES = ["lactate", "sepsis screening", "hand hygiene", "haemorrhage -oxytocin", "delirium"]


def _filler(index: int) -> str:
    consonants, vowels = "bcdfghklmnprstv", "aeiou"
    word = ""
    while True:
        index, c = divmod(index, len(consonants))
        index, v = divmod(index, len(vowels))
        word += consonants[c] + vowels[v]
        if index == 0:
            return word


FILLER = [_filler(i) for i in range(200, 20200)]


def _text(rng: random.Random, words: int, domain: int = 2) -> str:
    """Mostly filler words from a 20,000-word vocabulary, with a few domain words, so
    a domain word matches a realistic share of the documents."""
    chosen = [rng.choice(FILLER) for _ in range(words)] + rng.sample(WORDS, domain)
    rng.shuffle(chosen)
    return " ".join(chosen)


def _world():
    from django_scopes import scope, scopes_disabled

    from communities.services import role_assign
    from copcore.models import User
    from copcore.permissions import CommunityRole
    from copcore.services import membership_add

    owner, organization = bench_organization(
        slug=ORG_SLUG,
        name="Knowledge bench",
        email="bench-knowledge@example.org",
        display_name="Knowledge bench",
    )
    with scopes_disabled():
        reader, _ = User.objects.get_or_create(
            email="bench-knowledge-reader@example.org", defaults={"display_name": "Reader"}
        )
    with scope(organization=organization):
        community, created = bench_community(organization=organization, owner=owner)
        if created:
            membership_add(actor=owner, organization=organization, user=reader)
            role_assign(actor=owner, community=community, user=reader, role=CommunityRole.MEMBER)
    return organization, community, owner, reader


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection

    # Publishing emails the owner; keep the bench's mail in memory.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django_scopes import scope

    from knowledge import selectors, services
    from knowledge.models import Asset

    organization, community, owner, reader = _world()
    rng = random.Random(42)
    with scope(organization=organization):
        existing = Asset.objects.filter(organization=organization).count()
        started = time.perf_counter()
        for index in range(existing, ASSETS):
            asset = services.asset_create(
                actor=owner,
                organization=organization,
                community=community,
                kind=rng.choice(Asset.Kind.values),
                title=f"{_text(rng, 3, domain=1).capitalize()} {index}",
                summary=_text(rng, 20, domain=1),
                visibility=rng.choice(["community", "organization"]),
                body=_text(rng, 300),
            )
            services.asset_publish(actor=owner, asset=asset)
        created = ASSETS - existing
        create_seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_asset")  # fresh statistics after the inserts
        viewer = selectors.viewer_for(user=reader, organization=organization)
        latencies: dict[str, list[float]] = {}
        counts: dict[str, int] = {}
        for query in QUERIES:
            samples = []
            for _ in range(15):
                started = time.perf_counter()
                rows = list(selectors.asset_search(viewer=viewer, query=query)[:20])
                samples.append((time.perf_counter() - started) * 1000)
            latencies[query] = samples
            counts[query] = selectors.asset_search(viewer=viewer, query=query).count()
        with connection.cursor() as cursor:
            sql, params = selectors.asset_search(viewer=viewer, query="lactate")[
                :20
            ].query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    every = [sample for samples in latencies.values() for sample in samples]
    result = {
        "assets": ASSETS,
        "created_this_run": created,
        "create_seconds": round(create_seconds, 2),
        "create_per_asset_ms": round(create_seconds * 1000 / created, 2) if created else None,
        "search_first_page_ms_median": round(statistics.median(every), 2),
        "search_first_page_ms_p95": round(sorted(every)[int(len(every) * 0.95) - 1], 2),
        "per_query_median_ms": {q: round(statistics.median(s), 2) for q, s in latencies.items()},
        "matches": counts,
        "gin_index_used": "knowledge_asset_search_gin" in plan,
        "rows_returned_sample": len(rows),
    }
    if not created and RESULTS.exists():  # keep the creation figures of the run that made them
        previous = json.loads(RESULTS.read_text())
        for key in ("created_this_run", "create_seconds", "create_per_asset_ms"):
            result[key] = previous.get(key, result[key])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
