"""Dashboard benchmark: a CoP with 50 sites, 12 measures and 36 months of data with
5 strata each, served by gunicorn; requests per second of the CoP dashboard (as its
sponsor) beside those of a bare Django view rendering a static template, under the
same server, settings and load in the same run. Goal: the dashboard at 40% or more.

The bare view and its URL live here (``urlpatterns`` below, used as the served
ROOT_URLCONF in front of the project's own URLs), not in the project.

Also reported: the dashboard's query count cold (everything computed) and warm, and
the time of the cold computation. Results go to ``bench/results/dashboard.json``.

Environment: ``DATABASE_URL`` / ``REDIS_URL`` as for the project (the embedded
database and a per-process memory cache when unset); ``DASHBOARD_BENCH_REQUESTS``
(default 400 per target), ``DASHBOARD_BENCH_CONCURRENCY`` (4),
``DASHBOARD_BENCH_WORKERS`` (gunicorn workers, 2), ``DASHBOARD_BENCH_ROUNDS`` (5: the
two targets alternate in rounds so a change in the machine's load affects both).
"""

from __future__ import annotations

import datetime as dt
import functools
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import ROOT, bench_community, bench_organization, setup_django

RESULTS = Path(__file__).parent / "results" / "dashboard.json"
ORG_SLUG = "bench-dashboard"
COMMUNITY_SLUG = "bench"
SPONSOR_EMAIL = "bench-dashboard-sponsor@example.org"
N_SITES, N_MEASURES, N_MONTHS, N_STRATA = 50, 12, 36, 5
REQUESTS = int(os.environ.get("DASHBOARD_BENCH_REQUESTS", "400"))
CONCURRENCY = int(os.environ.get("DASHBOARD_BENCH_CONCURRENCY", "4"))
WORKERS = int(os.environ.get("DASHBOARD_BENCH_WORKERS", "2"))
ROUNDS = int(os.environ.get("DASHBOARD_BENCH_ROUNDS", "5"))
BARE_PATH = "/bench/bare/"

BARE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare page</title></head>
<body><header><h1>Bare page</h1></header><main>
<p>A static template rendered by a bare Django view: the baseline of the dashboard
benchmark. It goes through the same middleware and server as the dashboard.</p>
<table><caption>Static</caption><tr><th scope="col">a</th><th scope="col">b</th></tr>
<tr><td>1</td><td>2</td></tr></table></main></body></html>"""


# ---------------------------------------------------------------- served application


def _bare_view(request):
    from django.http import HttpResponse

    return HttpResponse(_bare_template().render({}))


@functools.cache
def _bare_template():
    """The bare page's template, compiled once."""
    from django.template import engines

    return engines["django"].from_string(BARE_TEMPLATE)


def __getattr__(name: str):
    """``application`` (for gunicorn) and ``urlpatterns`` (the served URLconf) are
    built on first use, once Django is set up."""
    if name == "urlpatterns":
        from django.urls import include, path

        return [
            path("bench/bare/", _bare_view, name="bench_bare"),
            path("", include("copcore.urls")),
        ]
    if name == "application":
        _setup_django()
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        settings.ROOT_URLCONF = "bench.dashboard_bench"
        return get_wsgi_application()
    raise AttributeError(name)


def _setup_django() -> None:
    os.environ.setdefault("DEBUG", "0")
    setup_django()


# ---------------------------------------------------------------- data


def _load() -> dict:
    """The bench organization and CoP with its data (created once, then reused)."""
    import numpy as np
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_scopes import scope, scopes_disabled

    from communities.services import role_assign
    from copcore.models import User
    from copcore.permissions import CommunityRole
    from copcore.services import membership_add
    from measurement import services
    from measurement.models import Measure, Observation, Site, SiteEnrolment, Stratifier
    from measurement.periods import next_period

    admin, organization = bench_organization(
        slug=ORG_SLUG,
        name="Dashboard bench",
        email="bench-dashboard@example.org",
        display_name="Dashboard bench",
    )
    with scopes_disabled():
        sponsor, _ = User.objects.get_or_create(
            email=SPONSOR_EMAIL, defaults={"display_name": "Bench sponsor"}
        )
    with scope(organization=organization):
        community, created = bench_community(
            organization=organization, owner=admin, slug=COMMUNITY_SLUG
        )
        if created:
            membership_add(actor=admin, organization=organization, user=sponsor)
            role_assign(actor=admin, community=community, user=sponsor, role=CommunityRole.SPONSOR)
        stratifier = Stratifier.objects.filter(organization=organization, code="imd").first()
        if stratifier is None:
            stratifier = services.stratifier_create(
                actor=admin, organization=organization, code="imd", name="Deprivation quintile",
                categories=[(f"q{k}", f"Quintile {k}") for k in range(1, N_STRATA + 1)],
            )  # fmt: skip
        categories = list(stratifier.categories.order_by("position"))
        sites = []
        for i in range(N_SITES):
            site, _ = Site.objects.get_or_create(
                organization=organization, code=f"S{i:03d}", defaults={"name": f"Site {i:03d}"}
            )
            if not SiteEnrolment.objects.filter(community=community, site=site).exists():
                services.enrolment_save(
                    actor=admin, community=community, site=site, wave=1 + i // 20,
                    enrolled_on=dt.date(2020, 1, 1),
                )  # fmt: skip
            sites.append(site)
        measures = []
        for i in range(N_MEASURES):
            measure = Measure.objects.filter(community=community, code=f"m{i:02d}").first()
            if measure is None:
                kind = ("proportion", "count", "rate")[i % 3]
                measure = services.measure_save(
                    actor=admin, community=community, code=f"m{i:02d}", name=f"Measure {i:02d}",
                    kind=Measure.Kind.OUTCOME if i < 4 else Measure.Kind.PROCESS,
                    reaim_dimension=("effectiveness", "reach", "adoption", "implementation",
                                     "maintenance", "")[i % 6],
                    value_type=kind, frequency=Measure.Frequency.MONTHLY,
                    direction=Measure.Direction.UP if i % 2 else Measure.Direction.DOWN,
                    chart_type={"proportion": "p", "count": "c", "rate": "u"}[kind],
                    rate_multiplier=1000 if kind == "rate" else None, rate_unit="bed days",
                    goal=80 if kind == "proportion" else None, stratifiers=[stratifier],
                    baseline_periods=12,
                )  # fmt: skip
            measures.append(measure)
        existing = Observation.objects.filter(measure__community=community).count()
        expected = N_SITES * N_MEASURES * N_MONTHS * (1 + N_STRATA)
        if existing != expected:
            Observation.objects.filter(measure__community=community).delete()
            rng = np.random.default_rng(7)
            periods = [dt.date(2022, 1, 1)]
            while len(periods) < N_MONTHS:
                periods.append(next_period("monthly", periods[-1]))
            batch = []
            for measure in measures:
                for site in sites:
                    size = int(rng.integers(20, 400))
                    for t, period in enumerate(periods):
                        shift = 0.15 if t >= 18 else 0.0
                        den = int(rng.poisson(size))
                        if measure.value_type == "proportion":
                            num = int(rng.binomial(den, min(0.95, 0.55 + shift)))
                        elif measure.value_type == "rate":
                            den = den * 10
                            num = int(rng.poisson(max(den * 0.004, 0.5)))
                        else:
                            num = int(rng.poisson(5 + 10 * (1 - shift)))
                        shares = rng.dirichlet(np.ones(N_STRATA))
                        nums = rng.multinomial(num, shares)
                        dens = rng.multinomial(den, shares) if den else np.zeros(N_STRATA, int)
                        rows = [(None, num, den)] + list(zip(categories, nums, dens, strict=True))
                        for category, n_value, d_value in rows:
                            count = measure.value_type == "count"
                            batch.append(
                                Observation(
                                    organization=organization, measure=measure, site=site,
                                    period=period, category=category,
                                    numerator=None if count else int(n_value),
                                    denominator=None if count else max(int(d_value), 1),
                                    value=int(n_value) if count else None,
                                    status=Observation.Status.APPROVED,
                                )
                            )  # fmt: skip
                            if len(batch) >= 10000:
                                Observation.objects.bulk_create(batch)
                                batch = []
            if batch:
                Observation.objects.bulk_create(batch)
    session = SessionStore()
    session[SESSION_KEY] = str(sponsor.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = sponsor.get_session_auth_hash()
    session.create()
    return {"organization": organization, "community": community, "sponsor": sponsor,
            "session_key": session.session_key}  # fmt: skip


def _queries(world: dict) -> dict:
    """Query counts and time of the dashboard in-process: cold (computed) and warm."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from copcore import versioned_cache as cache

    client = Client()
    client.force_login(world["sponsor"], backend="django.contrib.auth.backends.ModelBackend")
    url = f"/o/{ORG_SLUG}/communities/{COMMUNITY_SLUG}/dashboard/"
    cache.clear()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as cold:
        response = client.get(url)
    cold_seconds = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    return {"cold_queries": len(cold), "warm_queries": len(warm),
            "cold_seconds": round(cold_seconds, 3)}  # fmt: skip


# ---------------------------------------------------------------- load


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, cookie: str) -> tuple[int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


def _drive(port: int, path: str, cookie: str, total: int, concurrency: int) -> dict:
    """``total`` requests from ``concurrency`` threads; requests per second overall."""
    counter = {"left": total, "errors": 0, "bytes": 0}
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if counter["left"] <= 0:
                    return
                counter["left"] -= 1
            status, size = _get(port, path, cookie)
            with lock:
                counter["bytes"] = size
                if status != 200:
                    counter["errors"] += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"requests": total, "errors": counter["errors"], "seconds": round(seconds, 3),
            "requests_per_second": round(total / seconds, 1),
            "response_bytes": counter["bytes"]}  # fmt: skip


def _total(runs: list[dict]) -> dict:
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    return {
        "requests": requests,
        "errors": sum(r["errors"] for r in runs),
        "seconds": round(seconds, 3),
        "requests_per_second": round(requests / seconds, 1),
        "rounds_requests_per_second": [r["requests_per_second"] for r in runs],
        "response_bytes": runs[-1]["response_bytes"],
    }


def main() -> dict:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("sync_roles", verbosity=0)
    started = time.perf_counter()
    world = _load()
    load_seconds = time.perf_counter() - started
    in_process = _queries(world)
    port = _free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=os.environ["DJANGO_SETTINGS_MODULE"], DEBUG="0")
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "bench.dashboard_bench:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--worker-class", "sync",
        "--log-level", "warning", "--timeout", "300",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    cookie = f"{settings.SESSION_COOKIE_NAME}={world['session_key']}"
    dashboard_path = f"/o/{ORG_SLUG}/communities/{COMMUNITY_SLUG}/dashboard/"
    try:
        deadline = time.time() + 120
        while True:
            try:
                if _get(port, BARE_PATH, cookie)[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.5)
        status, _size = _get(port, dashboard_path, cookie)
        if status != 200:
            raise RuntimeError(f"dashboard answered {status}")
        warmup = max(20, WORKERS * 10)
        _drive(port, BARE_PATH, cookie, warmup, CONCURRENCY)
        _drive(port, dashboard_path, cookie, warmup, CONCURRENCY)
        # Alternate the two in rounds so that changes in the machine's load (it may be
        # shared) fall on both alike; totals are requests over summed seconds.
        rounds: dict[str, list[dict]] = {"bare": [], "dashboard": []}
        per_round = max(REQUESTS // ROUNDS, 1)
        for _round in range(ROUNDS):
            rounds["bare"].append(_drive(port, BARE_PATH, cookie, per_round, CONCURRENCY))
            rounds["dashboard"].append(_drive(port, dashboard_path, cookie, per_round, CONCURRENCY))
        bare = _total(rounds["bare"])
        dashboard = _total(rounds["dashboard"])
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    ratio = dashboard["requests_per_second"] / bare["requests_per_second"]
    result = {
        "benchmark": "dashboard",
        "data": {"sites": N_SITES, "measures": N_MEASURES, "months": N_MONTHS,
                 "strata": N_STRATA,
                 "observations": N_SITES * N_MEASURES * N_MONTHS * (1 + N_STRATA)},
        "server": {"gunicorn_workers": WORKERS, "worker_class": "sync",
                   "settings": os.environ["DJANGO_SETTINGS_MODULE"], "debug": False,
                   "cache": settings.CACHES["default"]["BACKEND"]},
        "load": {"requests_per_target": REQUESTS, "concurrency": CONCURRENCY,
                 "rounds": ROUNDS},
        "bare_view": bare,
        "dashboard": dashboard,
        "ratio": round(ratio, 3),
        "goal_ratio": 0.4,
        "goal_met": ratio >= 0.4,
        "dashboard_in_process": in_process,
        "data_load_seconds": round(load_seconds, 1),
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
