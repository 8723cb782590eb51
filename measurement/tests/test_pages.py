"""Pages: data-entry grid, due data (query counts), upload flow, review, sites, measures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import TestCase
from django_scopes import scope
from openpyxl import load_workbook

from communities.services import community_create
from copcore.models import AuditEvent
from copcore.permissions import CommunityRole
from copcore.testing import give_role, make_community, steady_query_count
from measurement import services
from measurement.models import (
    ImportBatch,
    Measure,
    Observation,
    PhaseBreak,
    Site,
    SiteEnrolment,
)
from measurement.tests.helpers import FIXTURES, data_world

pytestmark = pytest.mark.django_db

ORG = "/o/network-a"
COP = f"{ORG}/communities/sepsis/data"


@pytest.fixture
def data(world):
    return data_world(world)


def entry_url(data, site=None):
    return f"{COP}/sites/{(site or data.site_gh).pk}/entry/"


def grid_post(data, action="draft", period="2024-03-01", **values):
    body = {"frequency": "monthly", "period": period, "action": action}
    for key, value in values.items():
        measure, category, field = key.split("__")
        measure_id = getattr(data, measure).pk
        with scope(organization=data.community.organization):
            found = data.sex.categories.filter(code=category).first()
        category_id = found.pk if found else 0
        body[f"m{measure_id}-c{category_id}-{field}"] = value
    return body


def obs(world):
    with scope(organization=world.org_a):
        return list(Observation.objects.select_related("measure").order_by("id"))


# Data-entry grid ------------------------------------------------------------------------


def test_grid_keeps_partial_work_as_drafts_then_submits(world, data, client_for):
    steward = client_for(world.steward)
    page = steward.get(entry_url(data), {"frequency": "monthly", "period": "2024-03-17"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "2024-03" in html and "bundle" in html and "falls" in html
    assert "Surgical site infections" not in html  # weekly measures are on the weekly grid
    body = grid_post(data, bundle__total__numerator="30", bundle__total__denominator="40")
    response = steward.post(entry_url(data), body)
    assert response.status_code == 302
    rows = obs(world)
    assert len(rows) == 1 and rows[0].status == Observation.Status.DRAFT
    assert rows[0].period == dt.date(2024, 3, 1)
    # Later: the steward completes the period and submits.
    response = steward.post(
        entry_url(data),
        grid_post(data, "submit", bundle__total__numerator="31", bundle__total__denominator="40",
                  falls__total__value="2", bundle__f__numerator="15", bundle__f__denominator="20"),
    )  # fmt: skip
    assert response.status_code == 302
    rows = obs(world)
    assert len(rows) == 3
    assert {o.status for o in rows} == {Observation.Status.SUBMITTED}
    assert rows[0].numerator == 31


def test_grid_leaves_unchanged_approved_values_alone(world, data, client_for):
    with scope(organization=world.org_a):
        approved = Observation.objects.create(
            organization=world.org_a, measure=data.bundle, site=data.site_gh,
            period=dt.date(2024, 3, 1), numerator=30, denominator=40, status="approved",
        )  # fmt: skip
    steward = client_for(world.steward)
    page = steward.get(entry_url(data), {"frequency": "monthly", "period": "2024-03-01"})
    assert 'value="30"' in page.content.decode()  # shown as saved
    # The page posts the approved line back unchanged with a new count: draft it.
    body = grid_post(data, bundle__total__numerator="30", bundle__total__denominator="40",
                     falls__total__value="4")  # fmt: skip
    assert steward.post(entry_url(data), body).status_code == 302
    approved.refresh_from_db()
    assert approved.status == "approved"
    falls = [o for o in obs(world) if o.measure.code == "falls"][0]
    assert falls.status == "draft"
    # Changing the approved value sends it back through review.
    body = grid_post(data, "submit", bundle__total__numerator="31",
                     bundle__total__denominator="40", falls__total__value="4")  # fmt: skip
    steward.post(entry_url(data), body)
    approved.refresh_from_db()
    falls.refresh_from_db()
    assert (approved.status, approved.numerator, falls.status) == ("submitted", 31, "submitted")


def test_grid_errors_keep_what_was_typed_and_save_nothing(world, data, client_for):
    steward = client_for(world.steward)
    response = steward.post(
        entry_url(data),
        grid_post(data, bundle__total__numerator="50", bundle__total__denominator="40",
                  falls__total__value="-1"),
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="50"' in html and 'value="-1"' in html
    assert "greater than the denominator" in html and "cannot be negative" in html
    assert obs(world) == []


def test_grid_permissions(world, data, client_for):
    assert client_for(world.member).get(entry_url(data)).status_code == 403
    assert client_for(world.sponsor).post(entry_url(data), grid_post(data)).status_code == 403
    assert client_for(world.outsider).get(entry_url(data)).status_code == 404


def test_stewards_submit_only_for_sites_of_their_cop(world, data, client_for):
    """A site enrolled only in another CoP: 404 through this CoP, 403 in the other one."""
    with scope(organization=world.org_a):
        other = community_create(
            actor=world.convener, organization=world.org_a, name="Falls CoP", slug="falls"
        )
        site = Site.objects.create(organization=world.org_a, name="Other", code="OT")
        services.enrolment_save(
            actor=world.convener, community=other, site=site, wave=1,
            enrolled_on=dt.date(2024, 1, 1),
        )  # fmt: skip
    steward = client_for(world.steward)
    assert steward.get(entry_url(data, site)).status_code == 404
    other_url = f"{ORG}/communities/falls/data/sites/{site.pk}/entry/"
    assert steward.get(other_url).status_code == 403
    give_role(other, world.steward, CommunityRole.DATA_STEWARD)
    assert client_for(world.steward).get(other_url).status_code == 200


# Due data -------------------------------------------------------------------------------


def test_due_pages_have_a_constant_number_of_queries(world, data, client_for):
    steward = client_for(world.steward)
    overview, one_site = f"{COP}/due/", f"{COP}/sites/{data.site_gh.pk}/due/"
    small = (steady_query_count(steward, overview), steady_query_count(steward, one_site))
    with scope(organization=world.org_a):
        for i in range(6):
            site = Site.objects.create(organization=world.org_a, name=f"S{i}", code=f"S{i}")
            SiteEnrolment.objects.create(
                organization=world.org_a, community=data.community, site=site, wave=1,
                enrolled_on=dt.date(2020, 1, 1),
            )  # fmt: skip
        for i in range(5):
            Measure.objects.create(
                organization=world.org_a, community=data.community, code=f"x{i}",
                name=f"X{i}", kind="process", value_type="count",
                frequency=["weekly", "monthly", "quarterly"][i % 3], direction="up",
                chart_type="c",
            )  # fmt: skip
        today = dt.date.today().replace(day=1)
        for months_back in range(1, 10):
            period = (today - dt.timedelta(days=28 * months_back)).replace(day=1)
            Observation.objects.get_or_create(
                organization=world.org_a, measure=data.falls, site=data.site_gh, period=period,
                defaults={"value": 1, "status": "approved"},
            )  # fmt: skip
    large = (steady_query_count(steward, overview), steady_query_count(steward, one_site))
    assert large == small


def test_due_page_shows_missing_and_entered_periods(world, data, client_for):
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    with scope(organization=world.org_a):
        Observation.objects.create(
            organization=world.org_a, measure=data.falls, site=data.site_gh, period=last_month,
            value=2, status=Observation.Status.SUBMITTED,
        )  # fmt: skip
        due = services  # noqa: F841 - keeps the services import used in this module
        from measurement.selectors import due_data

        sites = due_data(community=data.community)
    gh = next(s for s in sites if s.enrolment.site_id == data.site_gh.pk)
    falls = next(r for r in gh.rows if r.measure.code == "falls")
    bundle = next(r for r in gh.rows if r.measure.code == "bundle")
    assert falls.cells[-1].status == "submitted" and falls.missing == 11
    assert bundle.cells[-1].status == "due" and bundle.missing == 12
    ssi = next(r for r in gh.rows if r.measure.code == "ssi")
    assert len(ssi.cells) == 12 and all(c.period.weekday() == 0 for c in ssi.cells)
    html = client_for(world.steward).get(f"{COP}/sites/{data.site_gh.pk}/due/").content.decode()
    assert "missing" in html and "submitted" in html
    assert client_for(world.sponsor).get(f"{COP}/due/").status_code == 403


# Upload flow ----------------------------------------------------------------------------


def test_upload_preview_and_commit_through_the_pages(world, data, client_for):
    steward = client_for(world.steward)
    with (FIXTURES / "valid.csv").open("rb") as handle:
        response = steward.post(f"{COP}/imports/", {"file": handle})
    assert response.status_code == 302
    detail = response["Location"]
    html = steward.get(detail).content.decode()
    assert "Import 5 rows" in html and "<progress" not in html
    response = steward.post(detail, {"on_existing": "skip"})
    assert response.status_code == 302
    assert len(obs(world)) == 5
    assert "Imported" in steward.get(detail).content.decode()


def test_upload_with_errors_shows_line_column_message(world, data, client_for):
    steward = client_for(world.steward)
    with (FIXTURES / "duplicate_row.csv").open("rb") as handle:
        detail = steward.post(f"{COP}/imports/", {"file": handle})["Location"]
    html = steward.get(detail).content.decode()
    assert "<td>4</td><td>period</td>" in html and "already appear earlier" in html
    assert "Import 2 rows" not in html
    assert steward.post(detail, {"on_existing": "skip"}).status_code == 302
    assert obs(world) == []


def test_large_upload_runs_in_the_background_with_progress(world, data, client_for, settings):
    settings.MEASUREMENT_INLINE_IMPORT_BYTES = 10
    steward = client_for(world.steward)
    with (FIXTURES / "valid.csv").open("rb") as handle:
        response = steward.post(f"{COP}/imports/", {"file": handle})
    detail = response["Location"]
    with scope(organization=world.org_a):
        batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.UPLOADED  # queued for the worker
    html = steward.get(detail).content.decode()
    assert '<progress id="import-progress" max="100"' in html
    assert 'http-equiv="refresh"' in html and "Refresh now" in html
    # The worker (eager here) runs once the request's transaction commits.
    from measurement.tasks import commit_import, validate_import

    validate_import.delay(batch.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        steward.post(detail, {"on_existing": "skip"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert commit_import.delay(batch.pk).get() == "committed"  # idempotent
    assert len(obs(world)) == 5


def test_templates_csv_and_xlsx(world, data, client_for):
    steward = client_for(world.steward)
    response = steward.get(f"{COP}/imports/template/")
    lines = response.content.decode().splitlines()
    assert (
        lines[0]
        == "measure_code,site_code,period,stratifier,category,numerator,denominator,value,comment"
    )
    assert any(line.startswith("bundle,GH,") for line in lines)
    response = steward.get(f"{COP}/imports/template/", {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["data", "measures", "sites", "categories"]
    # The template as downloaded is itself a valid upload.
    with scope(organization=world.org_a):
        from measurement.tests.helpers import upload

    batch = upload(world, response.content, "template.xlsx")
    assert batch.error_count == 0 or {e["code"] for e in batch.report["errors"]} <= {
        "missing_value", "missing_numerator", "missing_denominator"
    }  # fmt: skip


# Review ---------------------------------------------------------------------------------


def _submitted(world, data):
    with scope(organization=world.org_a):
        services.data_policy_update(
            actor=world.convener, community=data.community, requires_approval=True, data_lead=None
        )
        return [
            Observation.objects.create(
                organization=world.org_a, measure=data.falls, site=data.site_gh,
                period=dt.date(2024, month, 1), value=month, status="submitted",
            )
            for month in (1, 2)
        ]  # fmt: skip


def test_convener_approves_and_returns_with_comment(world, data, client_for):
    first, second = _submitted(world, data)
    convener = client_for(world.convener)
    url = f"{COP}/review/"
    assert "falls" in convener.get(url).content.decode()
    assert convener.post(url, {"action": "approve", "observation": [first.pk]}).status_code == 302
    response = convener.post(
        url, {"action": "return", "observation": [second.pk], "confirmed": "1"}
    )
    assert response.status_code == 400  # a comment is required
    convener.post(
        url,
        {"action": "return", "observation": [second.pk], "comment": "Check Feb", "confirmed": "1"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "approved" and first.reviewed_by == world.convener
    assert (second.status, second.review_comment) == ("returned", "Check Feb")
    with scope(organization=world.org_a):
        verbs = list(AuditEvent.objects.filter(verb__startswith="measurement.data_").values_list(
            "verb", "data__rows"))  # fmt: skip
    assert ("measurement.data_approved", 1) in verbs and ("measurement.data_returned", 1) in verbs
    # Sponsors see the approved row only.
    html = client_for(world.sponsor).get(f"{COP}/observations/").content.decode()
    assert html.count('<th scope="row">falls</th>') == 1


def test_designated_data_lead_may_approve(world, data, client_for):
    rows = _submitted(world, data)
    url = f"{COP}/review/"
    assert client_for(world.member).get(url).status_code == 403
    assert client_for(world.steward).get(url).status_code == 403
    with scope(organization=world.org_a):
        services.data_policy_update(
            actor=world.convener, community=data.community, requires_approval=True,
            data_lead=world.member,
        )  # fmt: skip
    member = client_for(world.member)
    assert (
        member.post(url, {"action": "approve", "observation": [r.pk for r in rows]}).status_code
        == 302
    )
    assert {o.status for o in obs(world)} == {"approved"}


def test_approve_a_whole_batch(world, data, client_for):
    from measurement.tests.helpers import upload

    batch = upload(world, "valid.csv")
    with scope(organization=world.org_a), TestCase.captureOnCommitCallbacks(execute=True):
        services.import_batch_request_commit(actor=world.steward, batch=batch, on_existing="skip")
    response = client_for(world.convener).post(
        f"{COP}/review/", {"action": "approve", "batch": batch.pk}
    )
    assert response.status_code == 302
    assert {o.status for o in obs(world)} == {"approved"}


# Sites, measures, enrolments --------------------------------------------------------------


def test_org_admin_manages_sites_members_do_not(world, data, client_for):
    body = {"name": "North Region", "code": "NR", "kind": "region", "country": "X",
            "region": "North", "is_active": "on"}  # fmt: skip
    assert client_for(world.member).post(f"{ORG}/data/sites/", body).status_code == 403
    assert client_for(world.convener).post(f"{ORG}/data/sites/", body).status_code == 302
    with scope(organization=world.org_a):
        region = Site.objects.get(code="NR")
    body = {**body, "code": "GH2", "name": "General", "kind": "hospital", "parent": region.pk}
    response = client_for(world.convener).post(f"{ORG}/data/sites/{data.site_gh.pk}/edit/", body)
    assert response.status_code == 302
    data.site_gh.refresh_from_db()
    assert data.site_gh.parent == region and data.site_gh.code == "GH2"
    duplicate = client_for(world.convener).post(f"{ORG}/data/sites/", {**body, "code": "gh2"})
    assert duplicate.status_code == 200 and "already uses this code" in duplicate.content.decode()


def test_measure_form_and_phase_breaks(world, data, client_for):
    convener = client_for(world.convener)
    body = {"code": "mortality", "name": "Mortality", "kind": "outcome", "value_type": "rate",
            "frequency": "monthly", "direction": "down", "chart_type": "u",
            "numerator_definition": "Deaths", "is_active": "on"}  # fmt: skip
    response = convener.post(f"{COP}/measures/new/", body)
    assert response.status_code == 200 and "needs a multiplier" in response.content.decode()
    response = convener.post(f"{COP}/measures/new/", {**body, "rate_multiplier": "1000",
                                                        "stratifiers": [data.sex.pk]})  # fmt: skip
    assert response.status_code == 302
    detail = response["Location"]
    assert "Deaths" in convener.get(detail).content.decode()
    bad = convener.post(detail, {"starts_on": "2024-05-10", "reason": "New protocol"})
    assert "2024-05-01" in bad.content.decode()
    assert (
        convener.post(detail, {"starts_on": "2024-05-01", "reason": "New protocol"}).status_code
        == 302
    )
    with scope(organization=world.org_a):
        assert PhaseBreak.objects.get().reason == "New protocol"
    assert (
        client_for(world.member)
        .post(detail, {"starts_on": "2024-06-01", "reason": "x"})
        .status_code
        == 403
    )
    assert client_for(world.sponsor).get(detail).status_code == 200


def test_mentor_must_be_an_earlier_wave(world, data, client_for):
    with scope(organization=world.org_a):
        site = Site.objects.create(organization=world.org_a, name="New", code="NW")
    convener = client_for(world.convener)
    body = {"site": site.pk, "wave": 1, "enrolled_on": "2024-01-01", "mentor_site": data.site_ch.pk}
    response = convener.post(f"{COP}/sites/", body)
    assert "earlier wave" in response.content.decode()
    response = convener.post(f"{COP}/sites/", {**body, "wave": 3})
    assert response.status_code == 302
    with scope(organization=world.org_a):
        enrolment = SiteEnrolment.objects.get(site=site)
    assert (enrolment.wave, enrolment.mentor_site) == (3, data.site_ch)


def test_pages_render_for_each_persona(world, data, client_for):
    for user, expected in ((world.convener, 200), (world.steward, 200), (world.sponsor, 200)):
        client = client_for(user)
        for url in (f"{ORG}/data/", f"{COP}/", f"{COP}/sites/", f"{COP}/observations/",
                    f"{ORG}/data/stratifiers/", f"{ORG}/data/sites/"):  # fmt: skip
            assert client.get(url).status_code == expected, (user, url)
    assert client_for(world.convener).get(f"{COP}/settings/").status_code == 200
    assert client_for(world.steward).get(f"{COP}/settings/").status_code == 403


def test_data_home_query_count_does_not_grow_with_communities(world, data, client_for):
    """Guardian prefetches the person's permissions once and the list selects each CoP's
    data policy, so more CoPs add no queries."""
    client = client_for(world.member)
    url = f"/o/{world.org_a.slug}/data/"
    few = steady_query_count(client, url)
    for i in range(5):
        community = make_community(world.org_a, world.convener, f"Extra {i}", f"extra-{i}")
        give_role(community, world.member, CommunityRole.MEMBER)
    assert steady_query_count(client, url) == few
