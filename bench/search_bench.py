"""The one search at a network's scale: 1,000,000 indexed documents in 200 CoPs of one
organization, queried through the real ``knowledge.search.query.search`` (visibility,
count, ranked page of 20, kind and CoP facets, highlighted snippets).

The rows are generated in PostgreSQL (``generate_series``; text from a fixed vocabulary
with a skewed word frequency, vectors built by ``to_tsvector``), so the set-up takes
minutes, not hours; the GIN index is the migration's. The reader is a member of 10 of
the 200 CoPs (80% of documents are CoP-only, 15% organization-wide, 5% private to
their authors), given to the query as the same ``Viewer`` a request builds.

Figures: p50 / p95 in ms per typical query, and each p95 as a ratio to the p95 of a bare
``SELECT`` of 20 rows by primary key on the same table. Results go to
``bench/results/search.json``.

Environment: ``SEARCH_BENCH_DOCS`` (default 1,000,000), ``SEARCH_BENCH_RUNS`` (default
30 per query); ``DATABASE_URL`` as for the project. The bench organization is reused
while it holds the wanted number of documents.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from pathlib import Path

from bench.common import bench_organization, setup_django

DOCS = int(os.environ.get("SEARCH_BENCH_DOCS", "1000000"))
RUNS = int(os.environ.get("SEARCH_BENCH_RUNS", "30"))
COMMUNITIES = 200
MEMBER_OF = 10
ORG_SLUG = "bench-search"
RESULTS = Path(__file__).parent / "results" / "search.json"
DOMAIN = [
    "sepsis",
    "lactate",
    "antibiotic",
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
    "telehealth",
    "delirium",
    "falls",
    "pressure",
    "ulcer",
    "hygiene",
    "checklist",
    "protocol",
    "pathway",
    "nurse",
    "physician",
    "pharmacist",
    "grab",
    "bag",
    "ward",
    "night",
    "dose",
    "infection",
    "readmission",
    "reminder",
    "clinic",
]
QUERIES = [
    '"grab bag"',
    "sepsis",
    "lactate escalation",
    "antibio*",
    "night dose -ward",
    "readmission reminder clinic",
]
KIND_FILTERED = ("sepsis", "test")


def _vocabulary(size: int = 3000) -> list[str]:
    """Pronounceable pseudo-words, with the domain words spread through the ranks."""
    rng = random.Random(7)
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < size - len(DOMAIN):
        words.add(
            "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
        )
    vocabulary = sorted(words)
    for index, word in enumerate(DOMAIN):
        vocabulary.insert(40 + index * 60, word)
    return vocabulary


def _populate(organization, owner) -> float:
    """Communities and documents, made in SQL; returns the seconds it took."""
    from django.db import connection
    from django_scopes import scope

    from communities.models import Community

    started = time.perf_counter()
    with scope(organization=organization):
        have = Community.objects.filter(organization=organization).count()
        Community.objects.bulk_create(
            Community(organization=organization, name=f"Bench CoP {n}", slug=f"bench-{n}")
            for n in range(have, COMMUNITIES)
        )
        community_ids = list(
            Community.objects.filter(organization=organization)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    kinds = ["asset", "note", "test", "post", "thread", "session", "decision", "transcript"]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM knowledge_searchdocument WHERE organization_id = %s", [organization.pk]
        )
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            """
            INSERT INTO knowledge_searchdocument
              (organization_id, community_id, kind, object_id, url, author_id, tags, date,
               config, title, body, search_vector, audience, permission, reader_ids,
               curators_see)
            SELECT %(org)s, c[1 + (g %% %(n_c)s)], k[1 + (g %% %(n_k)s)], 100000000 + g,
                   '/bench/' || g, %(owner)s, '{}', now() - (g %% 1000) * interval '1 hour',
                   'english', t.title, t.body,
                   setweight(to_tsvector('english', t.title), 'A')
                     || setweight(to_tsvector('english', t.body), 'B'),
                   CASE WHEN g %% 20 = 0 THEN 'private'
                        WHEN g %% 20 < 4 THEN 'organization' ELSE 'community' END,
                   CASE WHEN g %% 3 = 0 THEN 'view_discussions' ELSE 'view' END,
                   CASE WHEN g %% 20 = 0 THEN ARRAY[(g %% 5000)::int] ELSE '{}' END,
                   g %% 2 = 0
            FROM generate_series(1, %(docs)s) AS g,
                 (SELECT %(words)s::text[] AS w, %(communities)s::bigint[] AS c,
                         %(kinds)s::text[] AS k) AS v,
                 LATERAL (
                   SELECT string_agg(w[1 + floor(%(n_w)s * power(random(), 1.3))::int + 0 * i], ' ')
                            FILTER (WHERE i <= 6) AS title,
                          string_agg(w[1 + floor(%(n_w)s * power(random(), 1.3))::int + 0 * i], ' ')
                            AS body
                   FROM generate_series(1, 30 + (g %% 2) * 0) AS i
                   WHERE g > 0
                 ) AS t
            """,
            {
                "org": organization.pk,
                "owner": owner.pk,
                "docs": DOCS,
                "words": _vocabulary(),
                "n_w": len(_vocabulary()),
                "communities": community_ids,
                "n_c": len(community_ids),
                "kinds": kinds,
                "n_k": len(kinds),
            },
        )
        cursor.execute("ANALYZE knowledge_searchdocument")
    return time.perf_counter() - started


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def main() -> None:
    setup_django()
    from django.db import connection
    from django_scopes import scope, scopes_disabled

    from communities.models import Community
    from knowledge.models import SearchDocument
    from knowledge.search.query import SearchFilters, search
    from knowledge.selectors.access import Viewer

    owner, organization = bench_organization(
        slug=ORG_SLUG, name="Search bench", email="search-bench@example.org",
        display_name="Search Bench",
    )  # fmt: skip
    with scopes_disabled():
        count = SearchDocument.objects.filter(organization=organization).count()
    populate_seconds = None
    if count != DOCS:
        print(f"generating {DOCS:,} documents in {COMMUNITIES} CoPs…", flush=True)
        from django.db import transaction

        with transaction.atomic():
            populate_seconds = round(_populate(organization, owner), 1)
        print(f"  done in {populate_seconds} s", flush=True)
    with scope(organization=organization):
        ids = list(
            Community.objects.filter(organization=organization)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        member_of = frozenset(ids[:: COMMUNITIES // MEMBER_OF][:MEMBER_OF])
        viewer = Viewer(
            user=owner,
            organization=organization,
            is_org_member=True,
            is_org_admin=False,
            community_ids={"view": member_of, "view_discussions": member_of},
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(id), max(id) FROM knowledge_searchdocument WHERE organization_id = %s",
                [organization.pk],
            )
            low, high = cursor.fetchone()
        rng = random.Random(3)
        baseline = []
        for _ in range(RUNS * 3):
            page_ids = [rng.randint(low, high) for _ in range(20)]
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT * FROM knowledge_searchdocument WHERE id = ANY(%s)", [page_ids]
                )
                cursor.fetchall()
            baseline.append((time.perf_counter() - started) * 1000)
        base = _percentiles(baseline)
        figures = {}
        cases = [(q, SearchFilters()) for q in QUERIES]
        cases.append((KIND_FILTERED[0], SearchFilters(kind=KIND_FILTERED[1])))
        for query, filters in cases:
            samples = []
            total = 0
            for _ in range(RUNS):
                started = time.perf_counter()
                answer = search(viewer=viewer, query=query, filters=filters)
                samples.append((time.perf_counter() - started) * 1000)
                total = answer.total
            label = query + (f" (kind={filters.kind})" if filters.kind else "")
            stats = _percentiles(samples)
            stats["visible_matches"] = total
            stats["p95_ratio_to_pk_select"] = round(stats["p95_ms"] / max(base["p95_ms"], 0.01), 1)
            figures[label] = stats
            print(f"  {label:32} {stats}", flush=True)
    result = {
        "documents": DOCS,
        "communities": COMMUNITIES,
        "reader_member_of": MEMBER_OF,
        "runs_per_query": RUNS,
        "generation_seconds": populate_seconds,
        "pk_select_20_rows": base,
        "queries": figures,
        "worst_p95_ms": max(f["p95_ms"] for f in figures.values()),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
