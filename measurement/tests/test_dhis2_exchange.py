"""Approved observations out: dataValueSets JSON and CSV, ADX (and its round trip), and
sending to the stub server with a dry run first."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django_scopes import scope

from measurement import services
from measurement.dhis2 import exchange, pulls
from measurement.dhis2_periods import format_dhis2_period
from measurement.models import Observation
from measurement.tests.dhis2_helpers import (  # noqa: F401
    connected_world,
    fill_values,
    months,
    stub,
)

pytestmark = pytest.mark.django_db


def _approved_world(world, stub):  # noqa: F811
    data = connected_world(world, stub)
    periods = months(2)
    fill_values(stub, periods)
    with scope(organization=world.org_a), TestCase.captureOnCommitCallbacks(execute=True):
        pull = pulls.pull_run(actor=world.steward, mapping=data.mapping)
        services.import_batch_request_commit(
            actor=world.steward, batch=pull.batch, on_existing="skip"
        )
        ids = list(Observation.objects.values_list("pk", flat=True))
        services.observations_approve(
            actor=world.convener, community=data.community, observation_ids=ids
        )
    data.periods = periods
    return data


def test_formats_carry_the_mapped_identifiers_and_adx_reads_back(world, stub):  # noqa: F811
    data = _approved_world(world, stub)
    with scope(organization=world.org_a):
        values = exchange.approved_values(mapping=data.mapping)
    # Bundle (numerator and denominator, total and female) per unit and month; falls
    # comes from an indicator, which DHIS2 computes: it is not sent.
    assert len(values) == 2 * 2 * 2 * 2
    body = exchange.data_value_set(values)
    pe = format_dhis2_period(data.periods[0], "monthly")
    assert {
        "dataElement": "deBundleNum",
        "period": pe,
        "orgUnit": "DiszpKrYNg8",
        "value": "10",
        "categoryOptionCombo": "cocFemale01",
    } in body["dataValues"]
    text = exchange.data_value_csv(values)
    assert text.splitlines()[0].startswith("dataelement,period,orgunit,catoptcombo")
    assert f"deBundleDen,{pe},Rp268JB6Ne4,,,25," in text
    adx = exchange.adx_document(values, data_set="dsQuality01")
    assert f'period="{data.periods[0].isoformat()}/P1M"'.encode() in adx
    back = exchange.read_adx(adx, {"deBundleNum": "monthly", "deBundleDen": "monthly"})
    assert back == values


def test_adx_reader_refuses_entities_and_other_documents():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE adx [<!ENTITY x "boom">]>'
        b'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="&x;" period="2024-01-01/P1M">'
        b'<dataValue dataElement="de" value="1"/></group></adx>'
    )
    with pytest.raises(exchange.AdxProblem):
        exchange.read_adx(bomb, {"de": "monthly"})
    with pytest.raises(exchange.AdxProblem):
        exchange.read_adx(b"<html/>", {})
    with pytest.raises(exchange.AdxProblem):
        exchange.read_adx(
            b'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="a" period="2024-01-01/P3M">'
            b'<dataValue dataElement="de" value="1"/></group></adx>',
            {"de": "monthly"},
        )


def test_push_dry_run_then_for_real(world, stub):  # noqa: F811
    data = _approved_world(world, stub)
    with scope(organization=world.org_a):
        dry = exchange.push(actor=world.steward, mapping=data.mapping, dry_run=True)
        assert dry.dry_run and dry.imported == 16 and dry.conflicts == []
        assert stub.posted == []
        real = exchange.push(actor=world.steward, mapping=data.mapping, dry_run=False)
    assert not real.dry_run and real.imported == 16
    assert len(stub.posted[0]["dataValues"]) == 16


def test_push_needs_the_organization_to_allow_it(world, stub):  # noqa: F811
    data = _approved_world(world, stub)
    with scope(organization=world.org_a):
        data.connection.push_enabled = False
        data.connection.save()
        with pytest.raises(ValidationError):
            exchange.push(actor=world.steward, mapping=data.mapping, dry_run=True)
