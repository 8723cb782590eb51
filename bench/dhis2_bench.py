"""DHIS2 pull benchmark: 12 months x 50 sites x 5 measures (four proportions from a
numerator and a denominator data element, one count) pulled from the stub DHIS2 server
on 127.0.0.1 through the real connector: analytics request, comparison with what is
stored, the import check, the commit, then a second (idempotent) pull that finds
nothing new. Results go to ``bench/results/dhis2.json``.

Each run starts from an empty bench CoP (its observations and pulls are removed first).
Environment: ``DATABASE_URL`` as for the project (the embedded database when unset).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from bench.common import bench_community, bench_organization, setup_django

ORG_SLUG = "bench-dhis2"
N_SITES = 50
N_MONTHS = 12
N_RATIO = 4
RESULTS = Path(__file__).parent / "results" / "dhis2.json"
TOKEN = "d2pat_benchToken000000000000000000000000001"


def _world(user, organization):
    from measurement import services
    from measurement.models import Measure, Site, SiteEnrolment

    community, _ = bench_community(organization=organization, owner=user, slug="dhis2-bench")
    sites = []
    for i in range(N_SITES):
        site, _ = Site.objects.get_or_create(
            organization=organization, code=f"D{i:03d}", defaults={"name": f"Facility {i}"}
        )
        if not SiteEnrolment.objects.filter(community=community, site=site).exists():
            services.enrolment_save(
                actor=user, community=community, site=site, wave=1,
                enrolled_on=dt.date(2000, 1, 1),
            )  # fmt: skip
        sites.append(site)
    measures = []
    for i in range(N_RATIO + 1):
        code = f"d{i}"
        measure = Measure.objects.filter(community=community, code=code).first()
        if measure is None:
            ratio = i < N_RATIO
            measure = services.measure_save(
                actor=user, community=community, code=code, name=f"DHIS2 measure {i}",
                kind=Measure.Kind.PROCESS, direction=Measure.Direction.UP,
                value_type=Measure.ValueType.PROPORTION if ratio else Measure.ValueType.COUNT,
                frequency=Measure.Frequency.MONTHLY,
                chart_type=Measure.ChartType.P if ratio else Measure.ChartType.C,
            )  # fmt: skip
        measures.append(measure)
    return community, sites, measures


def _reset(community) -> None:
    from measurement.models import Dhis2Mapping, ImportBatch, Observation

    Observation.objects.filter(measure__community=community).delete()
    ImportBatch.objects.filter(community=community).delete()
    Dhis2Mapping.objects.filter(community=community).delete()


def main() -> None:
    setup_django()
    from django.test.utils import override_settings
    from django.utils import timezone
    from django_scopes import scope

    from measurement import services
    from measurement.dhis2 import pulls
    from measurement.dhis2 import services as dhis2
    from measurement.dhis2.stub import StubDhis2, serve
    from measurement.dhis2_periods import format_dhis2_period

    user, organization = bench_organization(
        slug=ORG_SLUG, name="DHIS2 bench", email="bench-dhis2@example.org",
        display_name="DHIS2 bench",
    )  # fmt: skip
    app = StubDhis2(token=TOKEN)
    periods = pulls.periods_for("monthly", N_MONTHS, timezone.localdate())
    for s in range(N_SITES):
        ou = f"ou{s:09d}"
        app.org_units.append({"id": ou, "code": f"OU{s}", "displayName": f"Facility {s}"})
        for p, start in enumerate(periods):
            pe = format_dhis2_period(start, "monthly")
            for m in range(N_RATIO):
                app.values[(f"de{m}Num0000", ou, pe, "")] = 10 + (s + p + m) % 20
                app.values[(f"de{m}Den0000", ou, pe, "")] = 40 + (s * p + m) % 15
            app.values[("deCount0000", ou, pe, "")] = (s + 2 * p) % 9
    with scope(organization=organization), serve(app) as url, override_settings(DHIS2_RETRIES=0):
        community, sites, measures = _world(user, organization)
        _reset(community)
        connection = dhis2.connection_save(
            actor=user, organization=organization, base_url=url, auth="token", secret=TOKEN
        )
        assert dhis2.connection_test(actor=user, connection=connection).ok
        mapping = dhis2.mapping_save(
            actor=user, community=community, schedule="manual", lookback_periods=N_MONTHS
        )
        for s, site in enumerate(sites):
            dhis2.site_map_add(actor=user, mapping=mapping, site=site, org_unit=f"ou{s:09d}")
        for m, measure in enumerate(measures):
            if m < N_RATIO:
                dhis2.measure_map_add(
                    actor=user, mapping=mapping, measure=measure,
                    numerator_item=f"de{m}Num0000", denominator_item=f"de{m}Den0000",
                )  # fmt: skip
            else:
                dhis2.measure_map_add(
                    actor=user, mapping=mapping, measure=measure, value_item="deCount0000"
                )
        started = time.perf_counter()
        pull = pulls.pull_run(actor=user, mapping=mapping)
        pulled = time.perf_counter() - started
        assert pull.batch is not None and pull.batch.status == "validated", pull.status
        started = time.perf_counter()
        batch = services.import_batch_request_commit(
            actor=user, batch=pull.batch, on_existing="skip"
        )
        committed = time.perf_counter() - started
        started = time.perf_counter()
        again = pulls.pull_run(actor=user, mapping=mapping)
        second = time.perf_counter() - started
    figures = {
        "sites": N_SITES,
        "months": N_MONTHS,
        "measures": len(measures),
        "analytics_values": pull.received_rows,
        "rows": pull.new_rows,
        "pull_and_check_seconds": round(pulled, 2),
        "commit_seconds": round(committed, 2),
        "rows_inserted": batch.inserted_count,
        "second_pull_seconds": round(second, 2),
        "second_pull_status": again.status,
        "second_pull_unchanged": again.unchanged_rows,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for key, value in figures.items():
        print(f"{key:>24}: {value}")
