"""Communities benchmark: the three busiest pages with realistic volumes, in process.

A bench organization with 150 communities (two expected results each); its main CoP
has 300 people holding roles, 40 workstream threads and one long thread of 1,000
posts. Measured with Django's test client (the whole middleware and template stack,
no network): the query count and the median / 95th percentile time of the CoP list,
the CoP page, and the first and last pages of the long thread; plus the cost of
rendering a post's Markdown safely (Markdown + nh3). Results go to
``bench/results/communities.json``.

Environment: ``DATABASE_URL`` as for the project (the embedded database when unset);
``COMMUNITIES_BENCH_REPEAT`` (requests per page, default 40). The bench organization
is reused between runs.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from bench.common import bench_organization, setup_django

ORG_SLUG = "bench-communities"
RESULTS = Path(__file__).parent / "results" / "communities.json"
N_COMMUNITIES, N_PEOPLE, N_THREADS, N_POSTS = 150, 300, 40, 1000
REPEAT = int(os.environ.get("COMMUNITIES_BENCH_REPEAT", "40"))
SAMPLE_POST = (
    "We tried **qSOFA** on admission for two weeks:\n\n"
    "- 42 patients screened\n- 5 escalations, 1 missed\n\n"
    "See [the protocol](https://example.org/protocol) and ask @[Bench Person 1]."
)


def _world():
    """The bench organization, its main CoP, its convener and the long thread."""
    from django_scopes import scope

    from communities import services
    from communities.models import Community, Post, Thread
    from copcore.models import OrganizationMembership, User
    from copcore.permissions import CommunityRole
    from copcore.rendering import render_markdown

    convener, organization = bench_organization(
        slug=ORG_SLUG,
        name="Communities bench",
        email="bench-communities@example.org",
        display_name="Bench Convener",
    )
    with scope(organization=organization):
        existing = Community.objects.filter(organization=organization).count()
        for i in range(existing, N_COMMUNITIES):
            community = services.community_create(
                actor=convener,
                organization=organization,
                name=f"Bench CoP {i:03}",
                slug=f"bench-{i:03}",
            )
            services.expected_results_set(
                actor=convener, community=community, results=[("Result A", ""), ("B", "")]
            )
        main = Community.objects.get(organization=organization, slug="bench-000")
        people = list(User.objects.filter(email__startswith="bench-person-"))
        for i in range(len(people), N_PEOPLE):
            person = User.objects.create_user(
                email=f"bench-person-{i}@example.org", display_name=f"Bench Person {i}"
            )
            OrganizationMembership.objects.create(organization=organization, user=person)
            people.append(person)
        if main.role_assignments.count() < N_PEOPLE:
            for person in people:
                services.role_assign(
                    actor=convener, community=main, user=person, role=CommunityRole.MEMBER
                )
        workstream = main.workstreams.first() or services.workstream_create(
            actor=convener, community=main, name="General"
        )
        for i in range(Thread.objects.filter(community=main).count(), N_THREADS):
            services.thread_create(
                actor=people[i], workstream=workstream, title=f"Thread {i}", body=SAMPLE_POST
            )
        long_thread = Thread.objects.filter(community=main).order_by("id").first()
        missing = N_POSTS - Post.objects.filter(thread=long_thread).count()
        if missing > 0:
            html = render_markdown(SAMPLE_POST, mentions=True)
            Post.objects.bulk_create(
                [
                    Post(
                        organization=organization,
                        community=main,
                        thread=long_thread,
                        author=people[i % len(people)],
                        body=SAMPLE_POST,
                        body_html=html,
                    )
                    for i in range(missing)
                ]
            )
    return organization, main, convener, long_thread


def _measure(client, url: str) -> dict:
    from django.db import connection

    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "url": url,
        "queries": len(executed),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
    }


def main() -> None:
    setup_django()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from copcore.rendering import render_markdown

    started = time.perf_counter()
    organization, main_cop, convener, long_thread = _world()
    setup_seconds = time.perf_counter() - started
    client = Client()
    client.force_login(convener, backend="django.contrib.auth.backends.ModelBackend")
    base = f"/o/{ORG_SLUG}/communities/{main_cop.slug}"
    last_page = (N_POSTS + 1 + 99) // 100
    pages = {
        "cop_list": _measure(client, f"/o/{ORG_SLUG}/"),
        "cop_page": _measure(client, f"{base}/"),
        "thread_first_page": _measure(client, f"{base}/threads/{long_thread.pk}/"),
        "thread_last_page": _measure(client, f"{base}/threads/{long_thread.pk}/?page={last_page}"),
    }
    renders = []
    for _ in range(200):
        t0 = time.perf_counter()
        render_markdown(SAMPLE_POST, mentions=True)
        renders.append((time.perf_counter() - t0) * 1000)
    result = {
        "volumes": {
            "communities": N_COMMUNITIES,
            "people_with_roles": N_PEOPLE,
            "threads": N_THREADS,
            "posts_in_long_thread": N_POSTS,
        },
        "requests_per_page": REPEAT,
        "setup_seconds": round(setup_seconds, 1),
        "pages": pages,
        "markdown_render_median_ms": round(statistics.median(renders), 3),
        # Times depend on the machine's load; the query counts do not.
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for name, figures in pages.items():
        print(
            f"{name:18} {figures['queries']:3} queries  median {figures['median_ms']:7.1f} ms"
            f"  p95 {figures['p95_ms']:7.1f} ms"
        )
    print(f"markdown render median {result['markdown_render_median_ms']} ms")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
