"""Signs of life of a running check or import, so that one whose process died is seen.

A check or an import runs in one process (a Celery worker, or the web request for small
files). If that process is killed nothing half-written remains, but the batch would stay
"Checking" or "Importing" for ever. Two signals tell a slow job from a dead one; the
services in ``measurement.services.import_recovery`` read both:

* the **heartbeat**: ``ImportBatch.heartbeat_at``, stamped every
  ``MEASUREMENT_IMPORT_HEARTBEAT_SECONDS`` by a daemon thread of the working process
  (with the progress, when the work reports it). The thread has its own database
  connection, so it keeps stamping while the import's single long transaction or one
  long SQL statement runs, and it dies with its process;
* the **run lock**: a PostgreSQL advisory lock on the batch, held by the working
  session for the whole run. PostgreSQL releases it as soon as that session ends (the
  process was killed, the connection dropped), so an old heartbeat with the lock still
  held is a slow job, never a dead one. The lock also keeps two workers (a redelivered
  task and an "Import again") from running the same batch at once: the second waits,
  then finds the batch finished.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from measurement.models import WORKING_STATUSES, ImportBatch

logger = logging.getLogger(__name__)

# The advisory-lock namespace of import batches (the first key of PostgreSQL's
# two-key form); the second key is the batch id.
LOCK_NAMESPACE = 0x494D  # "IM"


def heartbeat_seconds() -> float:
    """How often a running check or import stamps its heartbeat."""
    return float(getattr(settings, "MEASUREMENT_IMPORT_HEARTBEAT_SECONDS", 15))


def stale_seconds() -> float:
    """A running batch with no heartbeat for this long has stopped (at least 3 beats)."""
    return max(
        float(getattr(settings, "MEASUREMENT_IMPORT_STALE_SECONDS", 120)),
        3 * heartbeat_seconds(),
    )


def queue_timeout_seconds() -> float:
    """A batch still waiting for a worker after this long will not be started."""
    return max(
        float(getattr(settings, "MEASUREMENT_IMPORT_QUEUE_TIMEOUT_SECONDS", 3600)),
        stale_seconds(),
    )


def _lock_key(batch_id: int) -> tuple[int, int]:
    return LOCK_NAMESPACE, batch_id % 2**31


@contextmanager
def _run_lock(batch_id: int) -> Iterator[None]:
    """Hold the batch's run lock on this thread's connection, waiting for it if another
    session runs the batch. Inside a transaction the lock lasts as long as that
    transaction (so an error can never leave it behind on a reused connection)."""
    key = _lock_key(batch_id)
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", key)
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        except DatabaseError:
            # Ending the session is the one sure way to release a session lock.
            connection.close()


def run_lock_free(batch_id: int) -> bool:
    """True when no other session runs the batch. Call it inside a transaction: when
    free, the lock is held until that transaction ends, so no run starts meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", _lock_key(batch_id))
        row = cursor.fetchone()
    return bool(row and row[0])


class _Beat(threading.Thread):
    """Stamps ``heartbeat_at`` (and the progress) every interval until stopped.

    The first stamp comes one interval after the start (starting a run stamps it), so
    short runs never open the extra connection. A row locked at that moment (the run's
    own final write) is skipped, never waited for; ``FOR NO KEY UPDATE`` does not
    conflict with the key-share locks that the foreign-key checks of the inserted rows
    take on the batch (from the end of the INSERT until the commit).
    """

    def __init__(self, batch_id: int, progress: Callable[[], int] | None) -> None:
        super().__init__(name=f"import-heartbeat-{batch_id}", daemon=True)
        self.batch_id = batch_id
        self.progress = progress
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(heartbeat_seconds()):
                try:
                    self.stamp()
                except DatabaseError:
                    logger.warning("heartbeat of import %s not written", self.batch_id)
                    connection.close()  # a fresh connection at the next beat
        finally:
            connections.close_all()  # this thread's connections only

    def stamp(self) -> None:
        fields: dict[str, object] = {"heartbeat_at": timezone.now()}
        if self.progress is not None:
            fields["progress_done"] = self.progress()
        with scopes_disabled(), transaction.atomic():
            free = (
                ImportBatch.objects.filter(pk=self.batch_id)
                .select_for_update(no_key=True, skip_locked=True)
                .values("pk")
            )
            ImportBatch.objects.filter(pk__in=free, status__in=WORKING_STATUSES).update(**fields)


@contextmanager
def running(batch_id: int, progress: Callable[[], int] | None = None) -> Iterator[None]:
    """Run the body as the batch's one running job: hold its run lock and keep its
    heartbeat (and ``progress()``, when given) fresh until the body ends."""
    with _run_lock(batch_id):
        beat = _Beat(batch_id, progress)
        beat.start()
        try:
            yield
        finally:
            beat.stopping.set()
            beat.join(timeout=10)
