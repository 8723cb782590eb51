"""The test clock: how .ci/run moves it, and the awkward instants it picks."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from pathlib import Path

import pytest

import conftest

ROOT = Path(__file__).resolve().parents[2]


def _instants_module():
    spec = importlib.util.spec_from_file_location("clock_instants", ROOT / ".ci/clock_instants.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_awkward_instants_follow_today():
    instants = _instants_module().instants(dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC))
    assert [moment.isoformat() for moment in instants] == [
        "2026-12-31T23:30:00+00:00",  # year end
        "2027-03-14T06:30:00+00:00",  # New York springs forward at 07:00 UTC
        "2027-03-28T00:30:00+00:00",  # Madrid springs forward at 01:00 UTC
        "2027-10-31T00:30:00+00:00",  # Madrid falls back
        "2027-11-07T05:30:00+00:00",  # New York falls back
        "2028-02-29T07:30:00+00:00",  # leap day
    ]
    later = _instants_module().instants(dt.datetime(2030, 6, 1, tzinfo=dt.UTC))
    assert all(moment > dt.datetime(2030, 6, 1, tzinfo=dt.UTC) for moment in later)
    assert dt.datetime(2032, 2, 29, 7, 30, tzinfo=dt.UTC) in later


def test_clock_destination_from_the_environment(monkeypatch):
    monkeypatch.delenv("COP_TEST_CLOCK_AT", raising=False)
    monkeypatch.delenv("COP_TEST_CLOCK_OFFSET_DAYS", raising=False)
    assert conftest._clock_destination() is None
    monkeypatch.setenv("COP_TEST_CLOCK_AT", "2028-02-29T07:30:00")
    assert conftest._clock_destination() == dt.datetime(2028, 2, 29, 7, 30, tzinfo=dt.UTC)
    monkeypatch.delenv("COP_TEST_CLOCK_AT")
    monkeypatch.setenv("COP_TEST_CLOCK_OFFSET_DAYS", "400")
    ahead = conftest._clock_destination() - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=399, hours=23) < ahead <= dt.timedelta(days=400)


@pytest.mark.django_db
def test_the_session_clock_is_moved_and_the_database_clock_is_not():
    """Python's clock runs where the environment put it; PostgreSQL's ``now()`` keeps the
    real time, which is why product code and tests never compare the two."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        database_now = cursor.fetchone()[0]
    ahead = timezone.now() - database_now
    destination = conftest._clock_destination()
    if destination is None:
        assert abs(ahead) < dt.timedelta(minutes=1)
    elif "COP_TEST_CLOCK_OFFSET_DAYS" in os.environ:
        offset = dt.timedelta(days=float(os.environ["COP_TEST_CLOCK_OFFSET_DAYS"]))
        assert abs(ahead - offset) < dt.timedelta(minutes=1)
    else:
        assert timezone.now() - destination < dt.timedelta(hours=2)  # it keeps ticking
