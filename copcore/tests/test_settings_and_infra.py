"""Settings, the embedded PostgreSQL, demo data and the Celery wiring."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _run_python(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("secret", ["", "insecure-development-key-change-me", "short"])
def test_production_refuses_a_missing_or_default_secret_key(secret):
    result = _run_python(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="copcore.settings.production",
        SECRET_KEY=secret,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_check_deploy_has_no_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "copcore.settings.production",
            "SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-0123456789",
            "ALLOWED_HOSTS": "cop.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_is_postgresql():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture
def embedded_data_dir():
    """A fresh data directory under .data/ (the server's system user must reach it,
    which a private pytest tmp directory does not allow)."""
    import shutil
    import uuid

    path = ROOT / ".data" / f"test-embedded-{uuid.uuid4().hex[:8]}"
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_embedded_server_is_shared_by_processes_and_keeps_data(embedded_data_dir):
    """Two processes start the embedded server at once on one data directory; both
    attach, and data written by one is read after the server was stopped and restarted."""
    env = {"COP_EMBEDDED_PGDATA": str(embedded_data_dir / "pg"), "DATABASE_URL": ""}
    writer = (
        "import psycopg2, sys; from copcore.embedded_db import embedded_database_url as u;"
        "c = psycopg2.connect(u()); c.autocommit = True; cur = c.cursor();"
        "cur.execute('CREATE TABLE IF NOT EXISTS t%s (n int)' % sys.argv[1]);"
        "cur.execute('INSERT INTO t%s VALUES (%s)' % (sys.argv[1], sys.argv[1]))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", writer, str(n)],
            cwd=ROOT,
            env={**os.environ, **env},
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
    stop = "from copcore.embedded_db import stop_embedded_server as s; assert s()"
    assert _run_python(stop, **env).returncode == 0
    reader = (
        "import psycopg2; from copcore.embedded_db import embedded_database_url as u;"
        "c = psycopg2.connect(u()); cur = c.cursor();"
        "cur.execute('SELECT n FROM t1 UNION ALL SELECT n FROM t2 ORDER BY n');"
        "print([r[0] for r in cur.fetchall()])"
    )
    result = _run_python(reader, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[1, 2]"
    _run_python(stop, **env)


def test_tasks_are_eager_without_redis():
    from copcore.celery import app

    assert app.conf.task_always_eager is True


@pytest.mark.integration
def test_real_worker_runs_the_role_sync_task(celery_worker_real, world):
    """With REDIS_URL set, a task goes through the real broker to a real worker."""
    from guardian.models import GroupObjectPermission

    from communities.tasks import sync_role_terms

    GroupObjectPermission.objects.all().delete()
    result = sync_role_terms.delay()
    import time

    deadline = time.monotonic() + 30
    while not GroupObjectPermission.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert GroupObjectPermission.objects.exists()
    assert result.id


@pytest.mark.django_db
def test_healthz_reports_redis_broker_when_configured(settings):
    from copcore import health

    if not settings.REDIS_URL:
        assert health.check_all()["broker"] == {"ok": True, "mode": "eager"}
    else:
        assert health.check_all()["broker"] == {"ok": True, "mode": "redis"}
