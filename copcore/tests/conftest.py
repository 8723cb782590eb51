"""Fixtures of the core tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The demo needs the CFIR/ERIC rows of a data migration, and a transactional test
    (a live server for the browser, the hostile-text crawl) flushes them, in this run or
    the one before it on a reused database: reload them when missing."""
    names = request.fixturenames
    transactional = "transactional_db" in names or "live_server" in names
    if not (transactional or "db" in names or request.node.get_closest_marker("django_db")):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from evaluation.tests.helpers import ensure_reference_data

    ensure_reference_data()
