"""The DHIS2 connection: saved encrypted, tested against the stub server (version and
user), and each documented failure (unreachable, refused token, timeout, not DHIS2)."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from copcore import crypto
from measurement.dhis2 import services as dhis2
from measurement.dhis2.stub import MALFORMED, REFUSE, SLOW
from measurement.models import Dhis2Connection
from measurement.tests.dhis2_helpers import TOKEN, stub  # noqa: F401

pytestmark = pytest.mark.django_db


def _save(world, url: str, **extra) -> Dhis2Connection:
    with scope(organization=world.org_a):
        return dhis2.connection_save(
            actor=world.convener,
            organization=world.org_a,
            base_url=url,
            auth=extra.pop("auth", "token"),
            secret=extra.pop("secret", TOKEN),
            **extra,
        )


def _test(world, connection):
    with scope(organization=world.org_a):
        return dhis2.connection_test(actor=world.convener, connection=connection)


def test_token_is_stored_encrypted_and_the_test_reports_version_and_user(world, stub):  # noqa: F811
    connection = _save(world, stub.url + "/api/")
    assert connection.base_url == stub.url
    assert TOKEN not in connection.secret
    assert crypto.decrypt_secret(connection.secret) == TOKEN
    result = _test(world, connection)
    assert result.ok and result.version == "2.40.4" and result.user == "admin"
    connection.refresh_from_db()
    assert connection.test_ok and connection.server_version == "2.40.4"
    assert ("GET", "/api/me") in stub.requests


def test_user_and_password(world, stub):  # noqa: F811
    connection = _save(world, stub.url, auth="basic", username="admin", secret="district")
    assert _test(world, connection).ok
    connection = _save(world, stub.url, auth="basic", username="admin", secret="wrong")
    assert _test(world, connection).error == "refused"


def test_an_empty_secret_keeps_the_stored_one(world, stub):  # noqa: F811
    first = _save(world, stub.url)
    again = _save(world, stub.url, secret="", push_enabled=True)
    assert again.pk == first.pk and crypto.decrypt_secret(again.secret) == TOKEN


def test_each_failure_has_its_code_and_message(world, stub):  # noqa: F811
    connection = _save(world, stub.url)
    stub.mode = REFUSE
    refused = _test(world, connection)
    assert refused.error == "refused" and "401" in refused.message
    stub.mode = MALFORMED
    assert _test(world, connection).error == "unexpected"
    stub.mode = SLOW
    assert _test(world, connection).error == "timeout"
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    dead = _save(world, f"http://127.0.0.1:{port}")
    unreachable = _test(world, dead)
    assert unreachable.error == "unreachable" and not unreachable.ok


def test_only_org_admins_set_the_connection(world, stub):  # noqa: F811
    with scope(organization=world.org_a), pytest.raises(PermissionDenied):
        dhis2.connection_save(
            actor=world.steward,
            organization=world.org_a,
            base_url=stub.url,
            auth="token",
            secret=TOKEN,
        )


def test_addresses_with_credentials_or_no_scheme_are_refused(world):
    for url in ("ftp://x.example", "https://user:pw@dhis.example", "dhis.example"):
        with pytest.raises(ValidationError):
            _save(world, url)
