"""Fixtures of the evaluation tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _reference_data(request):
    """The CFIR/ERIC rows come from a data migration, and a transactional test anywhere
    in the run (a live server, a real worker) flushes them: reload them when missing."""
    names = request.fixturenames
    transactional = "transactional_db" in names
    if not (transactional or "db" in names or request.node.get_closest_marker("django_db")):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from evaluation.tests.helpers import ensure_reference_data

    ensure_reference_data()
