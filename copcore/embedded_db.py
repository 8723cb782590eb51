"""Embedded PostgreSQL for machines without a database server.

When ``DATABASE_URL`` is unset, the platform runs on a private PostgreSQL
started by the ``pgserver`` package with its data under ``.data/pg``. pgserver
serialises start-up with an inter-process lock and reuses a running server,
so the web server, the Celery worker and the test runner share one instance.
The server is left running on exit (``cleanup_mode=None``) so data survives
restarts and the next process attaches in milliseconds; ``make db-stop``
stops it.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".data" / "pg"
DATABASE_NAME = "cop"


def _data_dir() -> Path:
    return Path(os.environ.get("COP_EMBEDDED_PGDATA", DEFAULT_DATA_DIR))


def embedded_database_url() -> str:
    """Start (or attach to) the embedded server and return a URL for its database."""
    # pgserver keeps its inter-process lock in the runtime directory: keep it beside the data.
    runtime_dir = BASE_DIR / ".data" / "run"
    runtime_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import fasteners
        import pgserver

        data_dir = _data_dir()
        data_dir.mkdir(parents=True, exist_ok=True)
        # Processes starting together are serialised: on a fresh machine pgserver,
        # run as root, creates its system user, and two concurrent ``useradd`` calls
        # fail; nor may two processes both create the database.
        with fasteners.InterProcessLock(str(data_dir.parent / "start.lock")):
            server = pgserver.get_server(data_dir, cleanup_mode=None)
            query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608
            if "(1 row)" not in server.psql(query):
                server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server.get_uri(DATABASE_NAME)


def database_url() -> str:
    """The URL the platform uses: ``DATABASE_URL`` when set, else the embedded server."""
    return os.environ.get("DATABASE_URL") or embedded_database_url()


def stop_embedded_server() -> bool:
    """Stop the embedded server if it runs (``make db-stop``); True if it was running."""
    # pgserver creates its command functions at import time with setattr, so they
    # are invisible to static analysis.
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]

    data_dir = _data_dir()
    if not (data_dir / "postmaster.pid").exists():
        return False
    # pgserver runs PostgreSQL as its own system user when started by root.
    run_as = {"user": "pgserver"} if hasattr(os, "geteuid") and os.geteuid() == 0 else {}
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, **run_as)
    return True
