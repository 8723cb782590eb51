"""Returning submitted rows asks first: the confirmation lists the rows and what will
happen, a POST without ``confirmed=1`` returns nothing, the reason is required (and
the chosen rows are kept when it is missing), and the steward reads it on their grid."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from copcore.models import AuditEvent
from measurement import services
from measurement.models import Observation
from measurement.tests.helpers import data_world

pytestmark = pytest.mark.django_db

COP = "/o/network-a/communities/sepsis/data"
REVIEW = f"{COP}/review/"


@pytest.fixture
def data(world):
    return data_world(world)


def _submitted(world, data) -> list[Observation]:
    with scope(organization=world.org_a):
        services.data_policy_update(
            actor=world.convener, community=data.community, requires_approval=True, data_lead=None
        )
        return [
            Observation.objects.create(
                organization=world.org_a, measure=data.falls, site=data.site_gh,
                period=dt.date(2024, month, 1), value=month, status="submitted",
                entered_by=world.steward,
            )
            for month in (1, 2)
        ]  # fmt: skip


def _status(row: Observation) -> str:
    row.refresh_from_db()
    return row.status


def test_returning_rows_asks_first_and_lists_them(world, data, client_for):
    first, second = _submitted(world, data)
    convener = client_for(world.convener)
    body = {"action": "return", "observation": [first.pk, second.pk], "comment": "Check"}
    page = convener.post(REVIEW, body)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Return 2 rows to the stewards?" in text and "What will happen:" in text
    assert "Entered by: Stella Steward." in text
    assert "2024-01-01" in text and "2024-02-01" in text
    assert f'name="observation" value="{first.pk}"' in text  # the choice is carried over
    assert (_status(first), _status(second)) == ("submitted", "submitted")
    with scope(organization=world.org_a):
        assert not AuditEvent.objects.filter(verb="measurement.data_returned").exists()


def test_a_missing_reason_keeps_the_rows_and_says_what_to_do(world, data, client_for):
    first, _second = _submitted(world, data)
    convener = client_for(world.convener)
    refused = convener.post(
        REVIEW, {"action": "return", "observation": [first.pk], "comment": " ", "confirmed": "1"}
    )
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "Say what needs correcting." in text and "There is a problem" in text
    assert f'name="observation" value="{first.pk}"' in text
    assert _status(first) == "submitted"


def test_the_reason_is_recorded_and_shown_to_the_steward(world, data, client_for):
    first, _second = _submitted(world, data)
    done = client_for(world.convener).post(
        REVIEW,
        {
            "action": "return",
            "observation": [first.pk],
            "comment": "January count looks doubled",
            "confirmed": "1",
        },
    )
    assert done.status_code == 302
    assert _status(first) == "returned"
    with scope(organization=world.org_a):
        event = AuditEvent.objects.get(verb="measurement.data_returned")
    assert event.data["comment"] == "January count looks doubled"
    grid = client_for(world.steward).get(
        f"{COP}/sites/{data.site_gh.pk}/entry/", {"frequency": "monthly", "period": "2024-01-01"}
    )
    assert "January count looks doubled" in grid.content.decode()


def test_only_reviewers_reach_the_confirmation(world, data, client_for):
    first, _second = _submitted(world, data)
    body = {"action": "return", "observation": [first.pk], "comment": "x", "confirmed": "1"}
    assert client_for(world.steward).post(REVIEW, body).status_code == 403
    assert client_for(world.outsider).post(REVIEW, body).status_code == 404
    assert _status(first) == "submitted"
