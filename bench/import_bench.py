"""Import benchmark: a generated 1,000,000-row CSV through the real import service
(dry run + atomic COPY/upsert commit), against ``psql \\copy`` of the same rows into
the same table, in the same run on the same machine.

Peak memory is the process's peak resident set size (``resource.getrusage``,
``ru_maxrss``), which includes Django itself; tracemalloc is not used because it
slows the Python pass by about half. Results go to ``bench/results/import.json``.

Environment: ``IMPORT_BENCH_ROWS`` (default 1,000,000); ``DATABASE_URL`` as for the
project (the embedded database when unset).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import bench_community, bench_organization, setup_django

ROWS = int(os.environ.get("IMPORT_BENCH_ROWS", "1000000"))
ORG_SLUG = "bench-import"
N_SITES = 50
N_MEASURES = 40  # half proportions, half counts; all weekly
RESULTS = Path(__file__).parent / "results" / "import.json"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _world():
    """The bench organization, CoP, sites and measures (created once, reused)."""
    from django_scopes import scope

    from measurement import services
    from measurement.models import Measure, Site, SiteEnrolment

    user, organization = bench_organization(
        slug=ORG_SLUG,
        name="Import bench",
        email="bench-import@example.org",
        display_name="Import bench",
    )
    with scope(organization=organization):
        community, _ = bench_community(organization=organization, owner=user)
        for i in range(N_SITES):
            site, _ = Site.objects.get_or_create(
                organization=organization, code=f"S{i:03d}", defaults={"name": f"Site {i}"}
            )
            if not SiteEnrolment.objects.filter(community=community, site=site).exists():
                services.enrolment_save(
                    actor=user, community=community, site=site, wave=1,
                    enrolled_on=dt.date(2000, 1, 1),
                )  # fmt: skip
        for i in range(N_MEASURES):
            if not Measure.objects.filter(community=community, code=f"m{i:02d}").exists():
                proportion = i % 2 == 0
                services.measure_save(
                    actor=user, community=community, code=f"m{i:02d}", name=f"Measure {i}",
                    kind=Measure.Kind.PROCESS, direction=Measure.Direction.UP,
                    value_type=Measure.ValueType.PROPORTION if proportion
                    else Measure.ValueType.COUNT,
                    frequency=Measure.Frequency.WEEKLY,
                    chart_type=Measure.ChartType.P if proportion else Measure.ChartType.C,
                )  # fmt: skip
        measures = {m.code: m for m in Measure.objects.filter(community=community)}
        sites = {s.code: s for s in Site.objects.filter(organization=organization)}
    return user, organization, community, measures, sites


def _generate(
    path: Path, raw_path: Path, organization_id, measures, sites, rows: int, tail: str
) -> None:
    """The upload (documented layout) and, for psql, the same rows as table columns
    (``tail``: the entered-by user and batch columns the import also writes)."""
    first_monday = dt.date(2000, 1, 3)
    n_weeks = -(-rows // (N_MEASURES * N_SITES))
    now = dt.datetime.now(dt.UTC).isoformat()
    written = 0
    with path.open("w", encoding="utf-8") as out, raw_path.open("w", encoding="utf-8") as raw:
        out.write(
            "measure_code,site_code,period,stratifier,category,numerator,denominator,value,comment\n"
        )
        for week in range(n_weeks):
            period = (first_monday + dt.timedelta(weeks=week)).isoformat()
            for m in range(N_MEASURES):
                code = f"m{m:02d}"
                measure_id = measures[code].id
                for s in range(N_SITES):
                    if written == rows:
                        return
                    site_code = f"S{s:03d}"
                    site_id = sites[site_code].id
                    if m % 2 == 0:
                        den = 40 + (week + s) % 30
                        num = (den * (week * 7 + m + s) % 100) // 100
                        out.write(f"{code},{site_code},{period},,,{num},{den},,\n")
                        values = f"{num},{den},"
                    else:
                        value = (week + m * 3 + s) % 17
                        out.write(f"{code},{site_code},{period},,,,,{value},\n")
                        values = f",,{value}"
                    raw.write(
                        f"{organization_id},{measure_id},{site_id},{period},,{values},"
                        f'"",submitted,"",{now},{now},{tail}\n'
                    )
                    written += 1


def _dedupe_set_mb(rows: int) -> float:
    """Memory of the "repeated within the file" set for ``rows`` distinct keys, packed
    as the row checker packs them (tracemalloc, measured apart from the timed run)."""
    import tracemalloc

    tracemalloc.start()
    seen: set[int] = set()
    first = dt.date(2000, 1, 3).toordinal()
    for i in range(rows):
        week, rest = divmod(i, N_MEASURES * N_SITES)
        measure, site = divmod(rest, N_SITES)
        seen.add((((first + 7 * week) * N_MEASURES + measure) * N_SITES + site) * 3)
    size = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del seen
    return size


def _clear(organization) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM measurement_observation WHERE organization_id = %s", [organization.id]
        )
        cursor.execute("VACUUM ANALYZE measurement_observation")


def _psql_copy(raw_path: Path) -> float:
    """Time ``psql \\copy`` of the same rows into the same table (a separate process)."""
    from copcore.embedded_db import database_url

    url = database_url()  # DATABASE_URL, or the embedded server's URL
    psql = shutil.which("psql") or "/usr/bin/psql"
    columns = (
        "organization_id, measure_id, site_id, period, category_id, numerator, denominator, "
        "value, comment, status, review_comment, updated_at, submitted_at, entered_by_id, "
        "batch_id"
    )
    command = f"\\copy measurement_observation ({columns}) FROM '{raw_path}' WITH (FORMAT csv)"
    started = time.perf_counter()
    subprocess.run([psql, url, "-v", "ON_ERROR_STOP=1", "-q", "-c", command], check=True)
    return time.perf_counter() - started


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.core.files.uploadedfile import UploadedFile
    from django_scopes import scope

    from measurement import services
    from measurement.models import ImportBatch, Observation

    settings.MEASUREMENT_INLINE_IMPORT_BYTES = 10**13  # run in this process, not a worker
    user, organization, community, measures, sites = _world()
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    upload_path, raw_path = workdir / "observations.csv", workdir / "raw.csv"
    try:
        _clear(organization)
        with scope(organization=organization):
            ImportBatch.objects.filter(community=community).delete()
            # The rows psql loads carry a user and a batch like the imported ones, so both
            # paths write the very same rows (and pay the same foreign-key checks).
            baseline = ImportBatch.objects.create(
                organization=organization, community=community, uploaded_by=user,
                source=ImportBatch.Source.CSV, checksum="psql-baseline",
                status=ImportBatch.Status.FAILED, original_name="psql baseline",
            )  # fmt: skip
        tail = f"{user.id},{baseline.id}"
        _generate(upload_path, raw_path, organization.id, measures, sites, ROWS, tail)
        size_mb = upload_path.stat().st_size / 1e6
        print(f"generated {ROWS:,} rows ({size_mb:.1f} MB)", flush=True)
        _clear(organization)

        # Raw COPY first (on an empty table), then clear and run the import the same way.
        copy_seconds = _psql_copy(raw_path)
        with scope(organization=organization):
            copied = Observation.objects.filter(organization=organization).count()
        assert copied == ROWS, copied
        _clear(organization)
        print(f"psql \\copy: {copy_seconds:.2f} s ({ROWS / copy_seconds:,.0f} rows/s)", flush=True)

        rss_before = _peak_rss_mb()
        with scope(organization=organization):
            started = time.perf_counter()
            with upload_path.open("rb") as handle:
                batch = services.import_batch_create(
                    actor=user,
                    community=community,
                    upload=UploadedFile(
                        handle,
                        name="bench.csv",
                        content_type="text/csv",
                        size=upload_path.stat().st_size,
                    ),
                )
            uploaded = time.perf_counter()
            batch = services.import_batch_validate(batch_id=batch.pk)
            validated = time.perf_counter()
            assert batch.status == ImportBatch.Status.VALIDATED, batch.report.get("errors")
            batch = services.import_batch_request_commit(
                actor=user, batch=batch, on_existing="skip"
            )
            finished = time.perf_counter()
            assert batch.status == ImportBatch.Status.COMMITTED, (batch.status, batch.failure)
            imported = Observation.objects.filter(organization=organization).count()
        assert imported == ROWS, imported
        peak = _peak_rss_mb()
        total = finished - started
        result = {
            "rows": ROWS,
            "file_mb": round(size_mb, 1),
            "import": {
                "upload_checksum_seconds": round(uploaded - started, 2),
                "dry_run_seconds": round(validated - uploaded, 2),
                "commit_seconds": round(finished - validated, 2),
                "total_seconds": round(total, 2),
                "rows_per_second": round(ROWS / total),
            },
            "psql_copy": {
                "seconds": round(copy_seconds, 2),
                "rows_per_second": round(ROWS / copy_seconds),
            },
            "ratio_import_to_copy": round(copy_seconds / total, 3),
            "peak_rss_mb": round(peak, 1),
            "dedupe_set_mb_tracemalloc": round(_dedupe_set_mb(ROWS), 1),
            "rss_before_import_mb": round(rss_before, 1),
            "memory_method": "resource.getrusage(RUSAGE_SELF).ru_maxrss (whole process)",
            "goals": {"peak_rss_mb_below": 500, "ratio_at_least": 0.5},
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        print(json.dumps(result, indent=2))
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        _clear(organization)
        with scope(organization=organization):
            ImportBatch.objects.filter(community=community).delete()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
