"""Chart signals in the digest: server-rendered chart, disclosure on every figure,
and the sponsor's one-line status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django_scopes import scope

from measurement.models import Measure, Observation
from measurement.periods import next_period
from notifications.digest import compose_digests
from notifications.messages import build_email
from notifications.tests.helpers import make_content

pytestmark = pytest.mark.django_db


def shifted_count_measure(world) -> Measure:
    """A monthly count that jumps from about 20 to about 50 in the last eight months,
    approved; the latest raw value 53 is shown as 55 under the default rounding rule."""
    values = [20, 22, 19, 21, 20, 18, 23, 20, 21, 19, 22, 20, 21, 19, 20, 22]
    values += [48, 51, 50, 49, 52, 50, 51, 53]
    with scope(organization=world.org_a):
        measure = Measure.objects.create(
            organization=world.org_a,
            community=world.community_a,
            code="screens",
            name="Sepsis screens done",
            kind=Measure.Kind.PROCESS,
            value_type=Measure.ValueType.COUNT,
            frequency=Measure.Frequency.MONTHLY,
            chart_type=Measure.ChartType.C,
            direction=Measure.Direction.UP,
        )
        period = dt.date(2024, 1, 1)
        for value in values:
            Observation.objects.create(
                organization=world.org_a,
                measure=measure,
                site=world.site_a,
                period=period,
                value=Decimal(value),
                numerator=Decimal(value),
                status=Observation.Status.APPROVED,
            )
            period = next_period("monthly", period)
    return measure


def test_new_signal_with_chart_and_disclosed_figure(world):
    cache.clear()
    make_content(world)
    shifted_count_measure(world)
    digests = {c.user_id: c for c in compose_digests([world.member.pk, world.sponsor.pk])}
    member = digests[world.member.pk]
    assert "chart_signals" in member.sections
    assert "Sepsis screens done" in member.html
    # a small chart rendered on the server, sent inline (cid:) with alternative text
    ((cid, png),) = member.inline_images.items()
    assert png.startswith(b"\x89PNG") and f'src="cid:{cid}"' in member.html
    assert 'alt="Chart of Sepsis screens done: Special cause: improvement"' in member.html
    email = build_email(member).message()
    assert email.get_content_type() == "multipart/related"
    images = [p for p in email.walk() if p.get_content_type() == "image/png"]
    assert [p["Content-ID"] for p in images] == [f"<{cid}>"]
    assert "Special cause" in member.text
    assert ": 55" in member.text or "55 " in member.text  # disclosed (rounded to base 5)
    assert "53" not in member.text.split("Sepsis screens done", 1)[1].split("\n\n", 1)[0]
    sponsor = digests[world.sponsor.pk]
    assert "sponsor_status" in sponsor.sections
    assert "Measures:" in sponsor.text and "improving: 1" in sponsor.text
    assert sponsor.sections.index("chart_signals") >= 0


def test_no_new_data_no_signal(world):
    cache.clear()
    make_content(world)
    measure = shifted_count_measure(world)
    with scope(organization=world.org_a):
        Observation.objects.filter(measure=measure).update(
            updated_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        )
    digest = {c.user_id: c for c in compose_digests([world.member.pk])}[world.member.pk]
    assert "chart_signals" not in digest.sections
