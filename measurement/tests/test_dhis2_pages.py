"""DHIS2 pages and API through the test client: the connection (org admins), the
mapping edited in the browser (search of the server's list, lines added and removed),
the preview, a pull that lands on the import page, downloads and the dry-run-first
send; who may do what; and the secret found nowhere it could leak."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from copcore.models import AuditEvent
from measurement import services as measurement_services
from measurement.dhis2 import pulls
from measurement.models import Dhis2Mapping, Dhis2SiteMap, Observation
from measurement.tests.dhis2_helpers import (  # noqa: F401
    TOKEN,
    connected_world,
    fill_values,
    months,
    stub,
)
from measurement.tests.helpers import data_world

pytestmark = pytest.mark.django_db


def _cop(name: str, world, **extra) -> str:
    return reverse(
        f"measurement:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **extra},
    )


def test_admin_connects_and_tests_through_the_page(world, client_for, stub):  # noqa: F811
    admin = client_for(world.convener)
    url = reverse("measurement:dhis2_connection", kwargs={"org_slug": world.org_a.slug})
    response = admin.post(
        url, {"action": "save", "base_url": stub.url, "auth": "token", "secret": TOKEN}
    )
    assert response.status_code == 302
    page = admin.get(url).content.decode()
    assert "Stored (encrypted; never shown)" in page and TOKEN not in page
    tested = admin.post(url, {"action": "test"}).content.decode()
    assert "The connection works: DHIS2 2.40.4, signed in as admin." in tested
    stub.mode = "refuse"
    refused = admin.post(url, {"action": "test"}).content.decode()
    assert "refused the credentials (401)" in refused
    # A wrong form keeps what was typed, except the secret.
    kept = admin.post(
        url, {"action": "save", "base_url": "ftp://nope", "auth": "basic", "secret": "typed"}
    ).content.decode()
    assert "ftp://nope" in kept and 'value="typed"' not in kept


def test_only_admins_see_the_connection_and_members_cannot_map(world, client_for):
    url = reverse("measurement:dhis2_connection", kwargs={"org_slug": world.org_a.slug})
    assert client_for(world.steward).get(url).status_code == 403
    assert client_for(world.member).get(_cop("dhis2_mapping", world)).status_code == 403
    assert client_for(world.sponsor).get(_cop("dhis2_mapping", world)).status_code == 403


def test_steward_maps_in_the_browser_previews_pulls_and_sends(world, client_for, stub):  # noqa: F811
    data = data_world(world)
    fill_values(stub, months(2))
    admin = client_for(world.convener)
    admin.post(
        reverse("measurement:dhis2_connection", kwargs={"org_slug": world.org_a.slug}),
        {
            "action": "save",
            "base_url": stub.url,
            "auth": "token",
            "secret": TOKEN,
            "push_enabled": "on",
        },
    )
    steward = client_for(world.steward)
    url = _cop("dhis2_mapping", world)
    assert steward.get(url).status_code == 200
    settings = {"action": "settings", "schedule": "weekly", "lookback_periods": "2",
                "approval_level": "", "data_set": "dsQuality01"}  # fmt: skip
    assert steward.post(url, settings).status_code == 302
    # Search the server's list of organisation units, with paging.
    found = steward.get(url, {"collection": "organisationUnits", "q": "ngelehun"})
    assert "DiszpKrYNg8" in found.content.decode()
    combos = steward.get(url, {"collection": "categoryOptionCombos", "q": "female"})
    assert "cocFemale01" in combos.content.decode()
    paged = steward.get(url, {"collection": "organisationUnits", "q": "", "page": "2"})
    assert "Results, page 2 of 3" in paged.content.decode()
    assert (
        steward.post(
            url, {"action": "site", "site": data.site_gh.pk, "org_unit": "DiszpKrYNg8"}
        ).status_code
        == 302
    )
    assert (
        steward.post(
            url, {"action": "site", "site": data.site_ch.pk, "org_unit": "Rp268JB6Ne4"}
        ).status_code
        == 302
    )
    twice = steward.post(
        url, {"action": "site", "site": data.site_ch.pk, "org_unit": "Rp268JB6Ne4"}
    )
    assert "mapped already" in twice.content.decode()
    missing = steward.post(
        url, {"action": "measure", "measure": data.bundle.pk, "numerator_item": "deBundleNum"}
    )
    assert "needs a numerator and a denominator" in missing.content.decode()
    steward.post(
        url,
        {
            "action": "measure",
            "measure": data.bundle.pk,
            "numerator_item": "deBundleNum",
            "denominator_item": "deBundleDen",
        },
    )
    steward.post(url, {"action": "measure", "measure": data.falls.pk, "indicator": "inFalls0001"})
    preview = steward.get(_cop("dhis2_preview", world)).content.decode()
    assert "The next pull&#x27;s rows" in preview or "The next pull's rows" in preview
    assert preview.count(">New<") == 8
    pulled = steward.post(_cop("dhis2_pull", world))
    assert pulled.status_code == 302 and "/data/imports/" in pulled["Location"]
    batch_page = steward.get(pulled["Location"]).content.decode()
    assert "This upload is a pull from DHIS2" in batch_page and "Import 8 rows" in batch_page
    steward.post(pulled["Location"], {"on_existing": "skip"})
    with scope(organization=world.org_a):
        ids = list(Observation.objects.values_list("pk", flat=True))
        measurement_services.observations_approve(
            actor=world.convener, community=data.community, observation_ids=ids
        )
    adx = steward.get(_cop("dhis2_download", world, fmt="adx"))
    assert adx["Content-Type"] == "application/adx+xml" and b"dsQuality01" in adx.content
    body = json.loads(steward.get(_cop("dhis2_download", world, fmt="json")).content)
    assert len(body["dataValues"]) == 8
    assert steward.get(_cop("dhis2_download", world, fmt="pdf")).status_code == 404
    push_url = _cop("dhis2_push", world)
    refused = steward.post(push_url, {"action": "send"}).content.decode()
    assert "Make a dry run first." in refused and stub.posted == []
    dry = steward.post(push_url, {"action": "dry_run"}).content.decode()
    assert "Dry run: what the server would do" in dry and "Send for real" in dry
    assert stub.posted == []
    sent = steward.post(push_url, {"action": "send"}).content.decode()
    assert "Sent: what the server did" in sent and len(stub.posted) == 1
    with scope(organization=world.org_a):
        line = Dhis2SiteMap.objects.get(site=data.site_ch)
    remove = _cop("dhis2_mapping_remove", world, kind="site", item_id=line.pk)
    assert steward.post(remove).status_code == 302
    assert steward.post(remove).status_code == 404


def test_api_connection_secret_is_write_only_and_mappings_list(world, client_for, stub):  # noqa: F811
    admin = client_for(world.convener)
    base = f"/api/v1/o/{world.org_a.slug}/dhis2/"
    body = {"base_url": stub.url, "auth": "token", "secret": TOKEN}
    saved = admin.put(f"{base}connection/", body, content_type="application/json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["secret_set"] is True and "secret" not in saved.json()
    assert admin.post(f"{base}connection/test/").json()["version"] == "2.40.4"
    bad = admin.put(
        f"{base}connection/", {"base_url": "nope", "auth": "token"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "base_url" in bad.json()["error"]["fields"]
    assert client_for(world.steward).get(f"{base}connection/").status_code == 403
    connected_world(world, stub)
    listed = client_for(world.steward).get(f"{base}mappings/").json()
    units = {line["org_unit"] for line in listed["results"][0]["sites"]}
    assert units == {"DiszpKrYNg8", "Rp268JB6Ne4"}
    assert client_for(world.member).get(f"{base}mappings/").json()["results"] == []


def test_the_secret_is_nowhere(world, client_for, stub, caplog):  # noqa: F811
    """Every page, API answer, export, log record and audit event of a full round."""
    caplog.set_level(logging.DEBUG)
    data = connected_world(world, stub)
    fill_values(stub, months(2))
    admin, steward = client_for(world.convener), client_for(world.steward)
    answers = []
    conn = reverse("measurement:dhis2_connection", kwargs={"org_slug": world.org_a.slug})
    answers.append(admin.get(conn))
    answers.append(admin.post(conn, {"action": "test"}))
    answers.append(admin.get(f"/api/v1/o/{world.org_a.slug}/dhis2/connection/"))
    answers.append(steward.get(f"/api/v1/o/{world.org_a.slug}/dhis2/mappings/"))
    answers.append(steward.get(_cop("dhis2_mapping", world)))
    answers.append(steward.get(_cop("dhis2_mapping", world), {"collection": "dataElements"}))
    answers.append(steward.get(_cop("dhis2_preview", world)))
    pulled = steward.post(_cop("dhis2_pull", world))
    answers.append(steward.get(pulled["Location"]))
    for fmt in ("json", "csv", "adx"):
        answers.append(steward.get(_cop("dhis2_download", world, fmt=fmt)))
    answers.append(steward.post(_cop("dhis2_push", world), {"action": "dry_run"}))
    answers.append(admin.get(reverse("org_audit", kwargs={"org_slug": world.org_a.slug})))
    stub.mode = "refuse"
    answers.append(admin.post(conn, {"action": "test"}))
    with scope(organization=world.org_a):
        answers.append(steward.post(_cop("dhis2_pull", world)))
        pulls.pull_run(actor=world.steward, mapping=Dhis2Mapping.objects.get())
    for response in answers:
        assert response.status_code in (200, 302), response
        assert TOKEN.encode() not in response.content
    assert TOKEN not in caplog.text
    with scopes_disabled():
        events = list(AuditEvent.objects.values_list("verb", "data", "target_repr"))
    assert any(verb == "measurement.dhis2_connection_saved" for verb, _d, _t in events)
    assert TOKEN not in json.dumps(events, default=str)
    assert data.connection.secret and TOKEN not in data.connection.secret


def test_pages_say_what_is_wrong_without_a_connection_or_a_readable_secret(
    world,
    client_for,
    stub,  # noqa: F811
):
    data_world(world)
    steward = client_for(world.steward)
    steward.post(
        _cop("dhis2_mapping", world),
        {"action": "settings", "schedule": "manual", "lookback_periods": "2"},
    )
    preview = steward.get(_cop("dhis2_preview", world)).content.decode()
    assert "The organization has no DHIS2 connection yet." in preview
    pulled = steward.post(_cop("dhis2_pull", world), follow=True).content.decode()
    assert "The organization has no DHIS2 connection yet." in pulled
    with scope(organization=world.org_a):
        from measurement.models import Dhis2Connection

        Dhis2Connection.objects.create(
            organization=world.org_a, base_url=stub.url, secret="not-a-fernet-token"
        )
    unreadable = steward.get(_cop("dhis2_preview", world)).content.decode()
    assert "cannot be read: enter it again" in unreadable
    search = steward.get(_cop("dhis2_mapping", world), {"collection": "indicators"})
    assert "cannot be read: enter it again" in search.content.decode()
