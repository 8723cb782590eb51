"""Shared fixtures: the persona world, logged-in clients, and the rules for optional parts.

Tests that need Chromium or a real Redis/Celery worker skip with a stated reason
where those are missing; with ``COP_FORBID_SKIPS=1`` (set by .ci/run) any skip
fails the run, so in CI nothing is silently skipped.

The clock: ``COP_TEST_CLOCK_OFFSET_DAYS=400`` (days, may be fractional or negative) or
``COP_TEST_CLOCK_AT=2028-02-29T07:30:00+00:00`` moves Python's clock for the whole run
with time-machine (it keeps ticking), so .ci/run can prove that no test depends on the
day it runs. PostgreSQL's ``now()`` is not moved: product code and tests never compare
the database's clock with Python's (defaults and timestamps come from Python).
"""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from copcore.testing import PASSWORD, build_world

_session_clock = None

# Property tests check results, never speed (speed is for `make bench`): no per-example
# deadline and no "too slow" health check, which fail on a loaded machine for no fault.
hypothesis_settings.register_profile(
    "cop", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("cop")


def _clock_destination():
    """Where ``COP_TEST_CLOCK_OFFSET_DAYS`` / ``COP_TEST_CLOCK_AT`` put the run's clock."""
    import datetime as dt

    at = os.environ.get("COP_TEST_CLOCK_AT")
    if at:
        moment = dt.datetime.fromisoformat(at)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    offset = os.environ.get("COP_TEST_CLOCK_OFFSET_DAYS")
    if offset:
        return dt.datetime.now(dt.UTC) + dt.timedelta(days=float(offset))
    return None


def pytest_configure(config):
    """Move the whole session's clock before Django or the database is touched."""
    global _session_clock
    destination = _clock_destination()
    if destination is not None:
        import time_machine

        _session_clock = time_machine.travel(destination, tick=True)
        _session_clock.start()


def pytest_unconfigure(config):
    if _session_clock is not None:
        _session_clock.stop()


def pytest_report_header(config):
    if _session_clock is None:
        return None
    import datetime as dt

    return f"clock moved: the run starts at {dt.datetime.now(dt.UTC).isoformat()}"


@pytest.fixture
def world(db):
    return build_world()


def _login(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def client_for():
    return _login


@pytest.fixture
def scope_a(world):
    with scope(organization=world.org_a):
        yield world


@pytest.fixture
def no_scopes():
    with scopes_disabled():
        yield


@pytest.fixture
def password():
    return PASSWORD


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("COP_FORBID_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            print(f"\nSKIPPED (forbidden in CI): {report.nodeid}: {reason}")
        session.exitstatus = 1


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    import shutil

    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture
def browser_page(live_server, request):
    """A Playwright page in the system's headless Chromium (never a downloaded browser).

    Skips, with the reason, where Chromium or Playwright is missing. Pages keep their
    Content-Security-Policy, so a journey also proves our scripts run under it; a test
    that injects a script of its own (axe) is marked ``bypass_csp``.
    """
    executable = chromium_path()
    if not executable:
        pytest.skip("needs Chromium (Debian package 'chromium'); .ci/run installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("needs the playwright package (requirements-dev.txt)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made
    # by the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            base_url=live_server.url,
            bypass_csp=request.node.get_closest_marker("bypass_csp") is not None,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_login(browser_page):
    """Log a person in through the real login form; returns the page."""

    def login(email: str, password: str = PASSWORD):
        browser_page.goto("/accounts/login/")
        browser_page.get_by_label("Email address").fill(email)
        browser_page.get_by_label("Password").fill(password)
        browser_page.get_by_role("button", name="Log in").click()
        browser_page.wait_for_load_state()
        return browser_page

    return login


@pytest.fixture
def celery_worker_real(transactional_db):
    """A real Celery worker (in a thread) consuming from the real Redis at ``REDIS_URL``.

    Tasks are no longer eager while it runs; each test gets its own queue so that no
    message of another run is picked up. Skips, with the reason, without REDIS_URL.
    """
    import uuid

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("needs a real Redis: set REDIS_URL (.ci/run does)")
    from celery.contrib.testing.worker import start_worker

    from copcore.celery import app

    queue = f"test-{uuid.uuid4().hex}"
    previous = {
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.update(task_always_eager=False, task_default_queue=queue, broker_url=redis_url)
    try:
        with start_worker(app, perform_ping_check=False, queues=[queue], shutdown_timeout=20) as w:
            yield w
    finally:
        app.conf.update(**previous)


@pytest.fixture(scope="session", autouse=True)
def _end_stray_connections(django_db_setup, django_db_blocker):
    """End connections that live-server and worker threads leave open, so the test
    database can be dropped at the end of the run (otherwise PostgreSQL refuses)."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request made as a Spanish, French or
    Portuguese person leaves its language active in the thread (Django does not reset
    it after a response), which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
