"""Interrupted imports: staleness detection (on the page, the status API, the list and
the periodic sweep), "Check again" / "Import again", the staging-file sweep, and that a
slow run with a fresh heartbeat or a held run lock is never failed.

The clock is moved with time-machine to instants built from the batch's own stamps, so
nothing depends on the day the tests run. The end-to-end case with a real worker killed
by SIGKILL is ``test_worker_killed.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from copcore.models import AuditEvent
from measurement import heartbeat, services
from measurement.models import ImportBatch, Observation
from measurement.tasks import sweep_imports
from measurement.tests.helpers import FIXTURES, data_world, upload

pytestmark = pytest.mark.django_db

STALE = dt.timedelta(seconds=120)  # the default MEASUREMENT_IMPORT_STALE_SECONDS
QUEUE_TIMEOUT = dt.timedelta(hours=1)  # the default MEASUREMENT_IMPORT_QUEUE_TIMEOUT_SECONDS
Status = ImportBatch.Status


@pytest.fixture
def data(world):
    return data_world(world)


def _clear_leftover_staging(*organizations) -> None:
    """Remove files an earlier run left under the same organization ids (rolled-back
    tests keep their files; ids come round again with a new test database)."""
    for organization in organizations:
        folder = f"measurement/staging/{organization.pk}"
        if default_storage.exists(folder):
            for leftover in default_storage.listdir(folder)[1]:
                default_storage.delete(f"{folder}/{leftover}")


def _page(world, batch) -> str:
    return f"/o/{world.org_a.slug}/data/imports/{batch.pk}/"


def _get(world, batch_id: int) -> ImportBatch:
    with scope(organization=world.org_a):
        return ImportBatch.objects.get(pk=batch_id)


def _stage(batch: ImportBatch, content: bytes = b"rows\n") -> str:
    name = f"measurement/staging/{batch.organization_id}/test-{batch.pk}.tsv"
    return default_storage.save(name, ContentFile(content))


def _set(batch: ImportBatch, **fields) -> ImportBatch:
    with scopes_disabled():
        ImportBatch.objects.filter(pk=batch.pk).update(**fields)
        batch.refresh_from_db()
    return batch


def _verbs(world, batch) -> list[str]:
    with scope(organization=world.org_a):
        return list(
            AuditEvent.objects.filter(target_id=str(batch.pk))
            .order_by("pk")
            .values_list("verb", flat=True)
        )


def _observations(world) -> int:
    with scope(organization=world.org_a):
        return Observation.objects.count()


def _stopped_check(world, settings) -> tuple[ImportBatch, str, dt.datetime]:
    """valid.csv at "Checking 12%" with a half-written staging file: the process doing
    the check died at ``last``."""
    settings.MEASUREMENT_INLINE_IMPORT_BYTES = 10  # queued for a worker, not run here
    batch = upload(world, "valid.csv")
    assert batch.status == Status.UPLOADED
    settings.MEASUREMENT_INLINE_IMPORT_BYTES = 256 * 1024
    last = timezone.now()
    staged = _stage(batch)
    batch = _set(
        batch,
        status=Status.VALIDATING,
        progress_done=12,
        progress_total=100,
        heartbeat_at=last,
        staged_file=staged,
    )
    return batch, staged, last


def _stopped_import(world, settings) -> tuple[ImportBatch, dt.datetime]:
    """valid.csv checked, its import taken by a worker that died at ``last``."""
    batch = upload(world, "valid.csv")
    settings.MEASUREMENT_INLINE_IMPORT_BYTES = 10
    with scope(organization=world.org_a):
        services.import_batch_request_commit(actor=world.steward, batch=batch, on_existing="skip")
    settings.MEASUREMENT_INLINE_IMPORT_BYTES = 256 * 1024
    last = timezone.now()
    batch = _set(batch, status=Status.COMMITTING, heartbeat_at=last)
    assert default_storage.exists(batch.staged_file)
    return batch, last


# The upload's page ----------------------------------------------------------------------


def test_a_stopped_check_is_failed_when_its_page_is_opened_and_can_be_checked_again(
    world, data, settings, client_for, django_capture_on_commit_callbacks
):
    batch, staged, last = _stopped_check(world, settings)
    steward = client_for(world.steward)
    with time_machine.travel(last + STALE - dt.timedelta(seconds=5), tick=False):
        html = steward.get(_page(world, batch)).content.decode()
    assert "Checking" in html and "12%" in html and 'http-equiv="refresh"' in html
    assert _get(world, batch.pk).status == Status.VALIDATING  # slow is not dead

    with (
        time_machine.travel(last + STALE + dt.timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        html = steward.get(_page(world, batch)).content.decode()
    assert "The check stopped before it finished" in html and "Nothing was saved." in html
    assert "Check again" in html and "Import again" not in html
    assert 'http-equiv="refresh"' not in html and "<progress" not in html
    failed = _get(world, batch.pk)
    assert (failed.status, failed.failed_step, failed.failure_reason) == (
        Status.FAILED,
        ImportBatch.Step.CHECK,
        ImportBatch.FailureReason.STOPPED,
    )
    assert failed.staged_file == "" and not default_storage.exists(staged)
    assert _verbs(world, batch)[-1] == "measurement.import_interrupted"

    with django_capture_on_commit_callbacks(execute=True):
        response = steward.post(f"{_page(world, batch)}retry/", follow=True)
    html = response.content.decode()
    assert "The stored file is being checked again." in html and "Import 5 rows" in html
    assert _get(world, batch.pk).status == Status.VALIDATED
    assert _verbs(world, batch)[-2:] == ["measurement.import_retried", "measurement.import_checked"]


def test_a_stopped_import_offers_import_again_which_imports_every_row(
    world, data, settings, client_for, django_capture_on_commit_callbacks
):
    batch, last = _stopped_import(world, settings)
    steward = client_for(world.steward)
    with time_machine.travel(last + STALE + dt.timedelta(seconds=1), tick=False):
        html = steward.get(_page(world, batch)).content.decode()
    assert "The import stopped before it finished" in html
    assert "no row of this file was imported" in html and "Import again" in html
    assert 'http-equiv="refresh"' not in html
    failed = _get(world, batch.pk)
    assert (failed.status, failed.failed_step) == (Status.FAILED, ImportBatch.Step.IMPORT)
    assert default_storage.exists(failed.staged_file)  # kept for "Import again"
    assert _observations(world) == 0

    with django_capture_on_commit_callbacks(execute=True):
        html = steward.post(f"{_page(world, batch)}retry/", follow=True).content.decode()
    assert "The data has been imported." in html
    imported = _get(world, batch.pk)
    assert (imported.status, imported.inserted_count, _observations(world)) == (
        Status.COMMITTED,
        5,
        5,
    )
    assert not default_storage.exists(failed.staged_file)


def test_the_reason_and_the_action_are_in_the_readers_language(world, data, settings, client_for):
    batch, last = _stopped_import(world, settings)
    world.steward.language = "fr"
    world.steward.save()
    with time_machine.travel(last + STALE + dt.timedelta(seconds=1), tick=False):
        html = client_for(world.steward).get(_page(world, batch)).content.decode()
    assert "aucune ligne de ce fichier n" in html and "Importer à nouveau" in html
    assert "The import stopped" not in html


def test_import_again_checks_first_when_the_checked_rows_are_gone(
    world, data, settings, client_for, django_capture_on_commit_callbacks
):
    batch, last = _stopped_import(world, settings)
    default_storage.delete(batch.staged_file)
    with time_machine.travel(last + STALE + dt.timedelta(seconds=1), tick=False):
        client_for(world.steward).get(_page(world, batch))
    with django_capture_on_commit_callbacks(execute=True):
        html = (
            client_for(world.steward)
            .post(f"{_page(world, batch)}retry/", follow=True)
            .content.decode()
        )
    assert "The stored file is being checked again." in html and "Import 5 rows" in html
    assert _get(world, batch.pk).status == Status.VALIDATED and _observations(world) == 0


def test_a_queued_import_no_worker_takes_is_failed_after_the_queue_timeout(
    world, data, settings, client_for
):
    batch = upload(world, "valid.csv")
    settings.MEASUREMENT_INLINE_IMPORT_BYTES = 10
    with scope(organization=world.org_a):
        services.import_batch_request_commit(actor=world.steward, batch=batch, on_existing="skip")
    queued = _get(world, batch.pk)
    assert queued.status == Status.QUEUED
    steward = client_for(world.steward)
    with time_machine.travel(queued.heartbeat_at + QUEUE_TIMEOUT / 2, tick=False):
        assert "Waiting to import" in steward.get(_page(world, batch)).content.decode()
    with time_machine.travel(queued.heartbeat_at + QUEUE_TIMEOUT + STALE, tick=False):
        html = steward.get(_page(world, batch)).content.decode()
    assert "The import never started" in html and "Import again" in html
    assert _get(world, batch.pk).failure_reason == ImportBatch.FailureReason.NOT_STARTED


def test_the_status_api_and_the_list_page_fail_a_stopped_upload(world, data, settings, client_for):
    batch, _staged, last = _stopped_check(world, settings)
    steward = client_for(world.steward)
    url = f"/api/v1/o/{world.org_a.slug}/imports/{batch.pk}/"
    with time_machine.travel(last + dt.timedelta(seconds=30), tick=False):
        assert steward.get(url).json()["status"] == "validating"
    with time_machine.travel(last + STALE + dt.timedelta(seconds=1), tick=False):
        body = steward.get(url).json()
    assert (body["status"], body["failed_step"], body["failure_reason"]) == (
        "failed",
        "check",
        "stopped",
    )

    second, _staged, last = _stopped_check(world, settings)
    with time_machine.travel(last + STALE + dt.timedelta(seconds=1), tick=False):
        html = steward.get(f"/o/{world.org_a.slug}/communities/sepsis/data/imports/").content
    assert _get(world, second.pk).status == Status.FAILED
    assert "Failed" in html.decode()


def test_only_stewards_start_an_upload_again_and_only_a_failed_one(
    world, data, settings, client_for
):
    batch, last = _stopped_import(world, settings)
    retry = f"{_page(world, batch)}retry/"
    assert client_for(world.outsider).post(retry).status_code == 404
    assert client_for(world.sponsor).post(retry).status_code == 404
    html = client_for(world.steward).post(retry, follow=True).content.decode()
    assert "Only a failed upload can be started again." in html
    assert _get(world, batch.pk).status == Status.COMMITTING


def test_import_again_of_a_file_imported_meanwhile_is_a_duplicate(
    world, data, settings, client_for, django_capture_on_commit_callbacks
):
    batch, last = _stopped_import(world, settings)
    with time_machine.travel(last + STALE + dt.timedelta(seconds=1), tick=False):
        client_for(world.steward).get(_page(world, batch))
    again = upload(world, "valid.csv")  # the same file, uploaded and imported again
    with scope(organization=world.org_a), django_capture_on_commit_callbacks(execute=True):
        services.import_batch_request_commit(actor=world.steward, batch=again, on_existing="skip")
    html = client_for(world.steward).post(f"{_page(world, batch)}retry/", follow=True).content
    assert "This file has already been imported." in html.decode()
    assert _get(world, batch.pk).status == Status.DUPLICATE and _observations(world) == 5


# A slow run is not a dead one ---------------------------------------------------------------


def _hold_run_lock(batch_id: int, held: threading.Event, release: threading.Event) -> None:
    try:
        with heartbeat.running(batch_id):
            held.set()
            release.wait(30)
    finally:
        connections.close_all()


def test_an_old_heartbeat_with_the_run_lock_held_is_not_failed(world, data, settings):
    """A run whose heartbeat thread fell behind but whose session is alive (it holds the
    batch's run lock) is slow, not dead; once the session is gone it is failed."""
    settings.MEASUREMENT_IMPORT_HEARTBEAT_SECONDS = 60  # no beat during this test
    # (Not run in this test's session: a run inside the test's transaction keeps the
    # lock until the transaction ends.)
    last = timezone.now()
    batch = _batch_in(
        world, world.org_a, world.community_a, status=Status.COMMITTING, heartbeat_at=last
    )
    held, release = threading.Event(), threading.Event()
    worker = threading.Thread(target=_hold_run_lock, args=(batch.pk, held, release))
    worker.start()
    try:
        assert held.wait(10)
        late = last + dt.timedelta(seconds=heartbeat.stale_seconds() + 1)
        with scope(organization=world.org_a):
            batches = ImportBatch.objects.all()
            assert services.import_batches_fail_stopped(batches=batches, now=late) == []
            assert _get(world, batch.pk).status == Status.COMMITTING
            release.set()
            worker.join(10)
            assert services.import_batches_fail_stopped(batches=batches, now=late) == [batch.pk]
    finally:
        release.set()
        worker.join(10)
    assert _get(world, batch.pk).status == Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_a_slow_import_keeps_its_heartbeat_fresh_and_is_never_failed(world, settings):
    """A real commit blocked for "ten minutes" (the observation table is locked, the clock
    moved on) keeps stamping its heartbeat from its own thread and connection; opening
    the page and the sweep leave it alone, and it then imports every row."""
    data_world(world)
    _clear_leftover_staging(world.org_a, world.org_b)
    settings.MEASUREMENT_IMPORT_HEARTBEAT_SECONDS = 0.2
    batch = upload(world, "valid.csv")
    # As import_batch_request_commit leaves it for the worker (not enqueued here).
    batch = _set(batch, status=Status.QUEUED, committed_by=world.steward, progress_total=5)

    def run_commit() -> None:
        try:
            with scope(organization=world.org_a):
                services.import_batch_commit(batch_id=batch.pk)
        finally:
            connections.close_all()

    commit = threading.Thread(target=run_commit)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE measurement_observation IN SHARE MODE")
        commit.start()
        try:
            claimed = _wait_until(lambda: _get(world, batch.pk).status == Status.COMMITTING)
            assert claimed
            started = _get(world, batch.pk).heartbeat_at
            later = started + dt.timedelta(minutes=10)
            with time_machine.travel(later, tick=True):
                assert _wait_until(lambda: _get(world, batch.pk).heartbeat_at >= later)
                with scope(organization=world.org_a):
                    stopped = services.import_batches_fail_stopped(
                        batches=ImportBatch.objects.all()
                    )
                    assert sweep_imports.delay().get() == {"failed": 0, "staging_removed": 0}
            assert stopped == []
            assert _get(world, batch.pk).status == Status.COMMITTING
        finally:
            pass  # leaving the block releases the table lock
    commit.join(30)
    assert _get(world, batch.pk).status == Status.COMMITTED
    assert _observations(world) == 5


def _wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


# The periodic sweep ---------------------------------------------------------------------------


def _batch_in(world, organization, community, **fields) -> ImportBatch:
    with scope(organization=organization):
        batch = ImportBatch(
            organization=organization,
            community=community,
            uploaded_by=world.steward,
            source=ImportBatch.Source.CSV,
            checksum=os.urandom(8).hex(),
            original_name="sweep.csv",
            **{"report": {"number_reading": {"convention": "point", "basis": "column"}}, **fields},
        )
        batch.file.save("sweep.csv", ContentFile((FIXTURES / "valid.csv").read_bytes()))
        batch.save()
        staged = _stage(batch)
        batch.staged_file = staged
        batch.save(update_fields=["staged_file"])
    return batch


def _unnamed(organization, name: str, modified: dt.datetime) -> str:
    saved = default_storage.save(f"measurement/staging/{organization.pk}/{name}", ContentFile(b"x"))
    os.utime(default_storage.path(saved), (modified.timestamp(), modified.timestamp()))
    return saved


def test_the_sweep_fails_stopped_runs_and_removes_unused_staging_files_once(
    world, data, django_capture_on_commit_callbacks
):
    now = timezone.now()
    days = dt.timedelta(days=1)
    a, b = world.org_a, world.org_b
    _clear_leftover_staging(a, b)
    batches = {
        "stopped_check": _batch_in(
            world, a, world.community_a, status=Status.VALIDATING, heartbeat_at=now - 2 * STALE
        ),
        "running_import": _batch_in(
            world, a, world.community_a, status=Status.COMMITTING, heartbeat_at=now - STALE / 2
        ),
        "committed": _batch_in(world, a, world.community_a, status=Status.COMMITTED),
        "checked_today": _batch_in(
            world, a, world.community_a, status=Status.VALIDATED, heartbeat_at=now - days
        ),
        "checked_long_ago": _batch_in(
            world, a, world.community_a, status=Status.VALIDATED, heartbeat_at=now - 8 * days
        ),
        "stopped_import_recent": _batch_in(
            world,
            a,
            world.community_a,
            status=Status.FAILED,
            failed_step="import",
            failure_reason="stopped",
            heartbeat_at=now - days,
        ),  # fmt: skip
        "stopped_import_old": _batch_in(
            world,
            a,
            world.community_a,
            status=Status.FAILED,
            failed_step="import",
            failure_reason="stopped",
            heartbeat_at=now - 8 * days,
        ),  # fmt: skip
        "queued_in_b": _batch_in(
            world,
            b,
            world.community_b,
            status=Status.QUEUED,
            heartbeat_at=now - QUEUE_TIMEOUT - STALE,
        ),  # fmt: skip
    }
    staged = {key: batch.staged_file for key, batch in batches.items()}
    orphan_old = _unnamed(a, "orphan-old.tsv", now - 2 * QUEUE_TIMEOUT)
    orphan_new = _unnamed(a, "orphan-new.tsv", now - STALE)

    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert sweep_imports.delay().get() == {"failed": 2, "staging_removed": 4}
    with scopes_disabled():
        state = {key: ImportBatch.objects.get(pk=batch.pk) for key, batch in batches.items()}
    assert (state["stopped_check"].status, state["stopped_check"].failed_step) == (
        "failed",
        "check",
    )
    assert state["running_import"].status == Status.COMMITTING
    assert state["checked_today"].status == Status.VALIDATED
    assert (state["checked_long_ago"].status, state["checked_long_ago"].failure_reason) == (
        "failed",
        "expired",
    )
    assert (state["queued_in_b"].status, state["queued_in_b"].failure_reason) == (
        "failed",
        "not_started",
    )
    removed = {"stopped_check", "committed", "checked_long_ago", "stopped_import_old"}
    for key, name in staged.items():
        assert default_storage.exists(name) == (key not in removed), key
        assert (state[key].staged_file == "") == (key in removed), key
    assert not default_storage.exists(orphan_old) and default_storage.exists(orphan_new)
    # Audited against each batch, in its own organization.
    with scopes_disabled():
        events = AuditEvent.objects.filter(verb__startswith="measurement.import_")
        by_target = {(e.target_id, e.verb): e.organization_id for e in events}
    assert by_target[(str(batches["queued_in_b"].pk), "measurement.import_interrupted")] == b.pk
    assert by_target[(str(batches["committed"].pk), "measurement.import_staging_removed")] == a.pk
    with scope(organization=a):
        unnamed = AuditEvent.objects.get(verb="measurement.import_staging_removed", target_id="")
    assert unnamed.data == {"files": [orphan_old], "reason": "unnamed"}

    # Idempotent: nothing more to do, nothing more audited.
    count = events.count()
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert sweep_imports.delay().get() == {"failed": 0, "staging_removed": 0}
    with scopes_disabled():
        assert AuditEvent.objects.filter(verb__startswith="measurement.import_").count() == count
    # The expired check can be checked again from its stored file.
    assert services.import_batch_retry_step(state["checked_long_ago"]) == ImportBatch.Step.CHECK


def test_rows_staged_before_the_number_reader_are_checked_again_not_imported(world, data):
    stopped = {"status": Status.FAILED, "failed_step": "import", "failure_reason": "stopped"}
    trusted = _batch_in(world, world.org_a, world.community_a, **stopped)
    older = _batch_in(world, world.org_a, world.community_a, report={}, **stopped)
    assert services.import_batch_retry_step(trusted) == ImportBatch.Step.IMPORT
    assert services.import_batch_retry_step(older) == ImportBatch.Step.CHECK


def test_the_sweep_is_in_the_beat_schedule():
    from copcore.celery import app

    entry = app.conf.beat_schedule["measurement-sweep-imports"]
    assert entry["task"] == "measurement.tasks.sweep_imports" == sweep_imports.name
    assert entry["schedule"] <= heartbeat.queue_timeout_seconds()
