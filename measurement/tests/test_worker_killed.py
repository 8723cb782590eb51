"""A background import whose worker *process* is killed (SIGKILL) in the middle of the
commit of a 200,000-row file, on the real Redis, PostgreSQL and storage.

What must hold: no row is written; while the dead job's heartbeat is fresh the upload
still shows "Importing", once it is older than ``MEASUREMENT_IMPORT_STALE_SECONDS`` the
upload's page marks it failed with its message and an "Import again" button; pressing it
imports every row with a new worker. Skips without ``REDIS_URL``; CI sets it.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_scopes import scope

from copcore.models import AuditEvent
from measurement import heartbeat, services
from measurement.models import ImportBatch, Measure, Observation, Site

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis: set REDIS_URL")
ROOT = Path(__file__).resolve().parents[2]
ROWS = 200_000
N_SITES, N_MEASURES = 40, 25  # weekly counts: 1,000 rows a week, 200 weeks
INSERT_MARK = "INSERT INTO measurement_observation"


def _wait_for(predicate, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def _big_community(world):
    """Org A's CoP with 40 enrolled sites and 25 weekly count measures."""
    community = world.community_a
    with scope(organization=world.org_a):
        for s in range(N_SITES):
            site = Site.objects.create(organization=world.org_a, name=f"Site {s}", code=f"S{s:03d}")
            services.enrolment_save(
                actor=world.convener, community=community, site=site, wave=1,
                enrolled_on=dt.date(1999, 1, 1),
            )  # fmt: skip
        for m in range(N_MEASURES):
            services.measure_save(
                actor=world.convener, community=community, code=f"m{m:02d}",
                name=f"Measure {m}", kind=Measure.Kind.PROCESS, direction=Measure.Direction.UP,
                value_type=Measure.ValueType.COUNT, frequency=Measure.Frequency.WEEKLY,
                chart_type=Measure.ChartType.C,
            )  # fmt: skip
    return community


def _csv() -> bytes:
    first_monday = dt.date(2000, 1, 3)
    lines = ["measure_code,site_code,period,value\n"]
    for week in range(ROWS // (N_SITES * N_MEASURES)):
        period = (first_monday + dt.timedelta(weeks=week)).isoformat()
        for m in range(N_MEASURES):
            for s in range(N_SITES):
                lines.append(f"m{m:02d},S{s:03d},{period},{(week + m + s) % 7 + 3}\n")
    return "".join(lines).encode()


def _worker(queue: str, env: dict, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "copcore", "worker", "--pool", "solo",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle",
         "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _insert_backend() -> int | None:
    """The PostgreSQL backend running the import's INSERT right now, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE %s",
            [f"%{INSERT_MARK}%"],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def _batch(world, batch_id: int) -> ImportBatch:
    with scope(organization=world.org_a):
        return ImportBatch.objects.get(pk=batch_id)


def _rows(world) -> int:
    with scope(organization=world.org_a):
        return Observation.objects.count()


@needs_redis
def test_a_worker_killed_mid_commit_leaves_nothing_and_the_import_runs_again(
    world, client_for, settings, tmp_path
):
    from copcore.celery import app

    settings.MEASUREMENT_INLINE_IMPORT_BYTES = 10  # every file goes to the worker
    community = _big_community(world)
    with scope(organization=world.org_a):
        batch = services.import_batch_create(
            actor=world.steward, community=community, upload=SimpleUploadedFile("big.csv", _csv())
        )
        batch = services.import_batch_validate(batch_id=batch.pk)  # the check, in this process
    assert (batch.status, batch.valid_rows) == (ImportBatch.Status.VALIDATED, ROWS), batch.report
    staged = batch.staged_file

    queue = f"test-kill-import-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "copcore.settings.development",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "DEBUG": "false",
        "CONN_MAX_AGE": "0",
        "MEASUREMENT_IMPORT_HEARTBEAT_SECONDS": "1",  # several beats during the commit
    }
    previous = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    previous["broker_url"] = app.conf.broker_url
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    first = second = None
    steward = client_for(world.steward)
    page = f"/o/{world.org_a.slug}/data/imports/{batch.pk}/"
    try:
        first = _worker(queue, env, log)
        with scope(organization=world.org_a):
            services.import_batch_request_commit(
                actor=world.steward, batch=batch, on_existing="skip"
            )  # queued at once (autocommit)

        # Mid-commit: the worker's backend is running the INSERT of the upsert, and the
        # heartbeat thread has stamped the batch *during* that INSERT.
        pid = _wait_for(_insert_backend, timeout=240)
        assert pid, log_path.read_text()[-3000:]
        during = _batch(world, batch.pk).heartbeat_at
        assert _wait_for(lambda: _batch(world, batch.pk).heartbeat_at > during, timeout=20)
        # ...with the progress: the staging file is loaded, the write is under way.
        assert _batch(world, batch.pk).progress_done == ROWS // 2
        assert _insert_backend() == pid, "the INSERT ended before the kill: use more rows"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)

        # PostgreSQL ends the dead worker's session and rolls its transaction back.
        assert _wait_for(lambda: not _backend_alive(pid), timeout=240)
        assert _rows(world) == 0
        stopped = _batch(world, batch.pk)
        assert stopped.status == ImportBatch.Status.COMMITTING
        assert default_storage.exists(staged)

        # A fresh heartbeat: the page still shows the import running and refreshing.
        with time_machine.travel(stopped.heartbeat_at + dt.timedelta(seconds=1), tick=False):
            html = steward.get(page).content.decode()
        assert "Importing" in html and 'http-equiv="refresh"' in html
        assert _batch(world, batch.pk).status == ImportBatch.Status.COMMITTING

        # Older than the threshold: opening the page marks it failed, with the way on.
        late = stopped.heartbeat_at + dt.timedelta(seconds=heartbeat.stale_seconds() + 1)
        with time_machine.travel(late, tick=False):
            html = steward.get(page).content.decode()
        assert "The import stopped before it finished" in html and "Import again" in html
        assert 'http-equiv="refresh"' not in html and "refreshes by itself" not in html
        failed = _batch(world, batch.pk)
        assert (failed.status, failed.failed_step, failed.failure_reason) == (
            ImportBatch.Status.FAILED,
            ImportBatch.Step.IMPORT,
            ImportBatch.FailureReason.STOPPED,
        )
        assert failed.staged_file == staged and _rows(world) == 0

        # "Import again" queues the checked rows; a new worker imports all of them.
        response = steward.post(f"{page}retry/")
        assert response.status_code == 302
        assert _batch(world, batch.pk).status == ImportBatch.Status.QUEUED
        second = _worker(queue, env, log)
        done = _wait_for(
            lambda: (
                _batch(world, batch.pk).status
                in (ImportBatch.Status.COMMITTED, ImportBatch.Status.FAILED)
            ),
            timeout=600,
            interval=0.5,
        )
        assert done, log_path.read_text()[-3000:]
    finally:
        app.conf.update(**previous)
        _stop(first)
        _stop(second)
        log.close()
    imported = _batch(world, batch.pk)
    assert imported.status == ImportBatch.Status.COMMITTED, imported.failure
    assert (imported.inserted_count, _rows(world)) == (ROWS, ROWS)
    assert not default_storage.exists(staged)
    with scope(organization=world.org_a):
        verbs = list(
            AuditEvent.objects.filter(target_id=str(batch.pk))
            .order_by("pk")
            .values_list("verb", flat=True)
        )
    assert verbs[-3:] == [
        "measurement.import_interrupted",
        "measurement.import_retried",
        "measurement.import_committed",
    ]
