"""Responses match the OpenAPI schema the API publishes: the demo's data read through the
API and checked by schemathesis's own validator (the check the fuzz step of CI runs,
here on the cases it first found: nulls the schema called non-null, "" as a URI, local
times, the ``none`` reply, the XLSX export, the documented errors)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
import schemathesis
from django.utils import timezone
from django_scopes import scope
from schemathesis.config import SchemathesisConfig
from schemathesis.core.transport import Response as CheckedResponse

from communities.models import Community
from copcore.demo import seed_demo
from copcore.models import Organization, User
from evaluation.models import Survey
from evaluation.tests.helpers import ensure_reference_data
from knowledge.models import AssetVersion
from measurement.api import XLSXRenderer
from sessions.models import Attendance, AttendanceResponse

pytestmark = pytest.mark.django_db

ORG = "/api/v1/o/{org_slug}"
COP = ORG + "/communities/{community_slug}"


def _conforms(schema, template: str, response, url: str, method: str = "GET") -> None:
    """Raise unless the response's status, content type and body are the schema's."""
    operation = schema[template][method]
    documented = operation.definition.raw["responses"]
    assert str(response.status_code) in documented, (url, response.status_code)
    request = requests.Request(method, f"http://testserver{url}").prepare()
    streamed = getattr(response, "streaming", False)
    content = b"".join(response.streaming_content) if streamed else response.content
    operation.validate_response(
        CheckedResponse(
            status_code=response.status_code,
            headers={key: [value] for key, value in response.headers.items()},
            content=content,
            request=request,
            elapsed=0.0,
            verify=True,
        )
    )


@pytest.fixture
def demo(client_for):
    ensure_reference_data()
    seed_demo()
    convener = client_for(User.objects.get(email="convener@example.org"))
    raw = convener.get("/api/schema/", {"format": "json"}).json()
    organization = Organization.objects.get(slug="northshore")
    # Schemathesis's defaults, not the fuzz step's schemathesis.toml (it reads a token).
    schema = schemathesis.openapi.from_dict(raw, config=SchemathesisConfig())
    return convener, schema, organization


def test_the_demo_read_through_the_api_conforms(demo):
    convener, schema, organization = demo
    base = f"/api/v1/o/{organization.slug}"
    with scope(organization=organization):
        sepsis = Community.objects.get(organization=organization, slug="sepsis")
        unreplied = Attendance.objects.filter(
            session__community=sepsis, response=AttendanceResponse.NONE
        ).first()
        assert unreplied is not None  # the demo has an invitation without a reply
        version = AssetVersion.objects.filter(asset__organization=organization, link="").first()
        assert version is not None  # and an asset version without a link
        surveys = list(Survey.objects.filter(organization=organization).select_related("community"))
    cases = [
        (COP + "/", f"{base}/communities/sepsis/"),
        (COP + "/members/", f"{base}/communities/sepsis/members/"),
        (COP + "/sessions/", f"{base}/communities/sepsis/sessions/?when=all&page_size=500"),
        (COP + "/series/", f"{base}/communities/sepsis/series/"),
        (
            COP + "/sessions/{session_id}/attendance/",
            f"{base}/communities/sepsis/sessions/{unreplied.session_id}/attendance/",
        ),
        (
            ORG + "/knowledge/assets/{asset_id}/versions/",
            f"{base}/knowledge/assets/{version.asset_id}/versions/",
        ),
        (
            ORG + "/knowledge/assets/{asset_id}/versions/{version_number}/",
            f"{base}/knowledge/assets/{version.asset_id}/versions/{version.number}/",
        ),
        (ORG + "/observations/", f"{base}/observations/?format=xlsx"),
        (ORG + "/observations/", f"{base}/observations/?format=csv"),
        (COP + "/", f"{base}/communities/no-such-cop/"),
        (ORG + "/observations/", f"{base}/observations/?page=999"),
        (ORG + "/observations/", f"{base}/observations/?period_after=soon"),
    ]
    for survey in surveys:  # periodic and NoMAD, shown in full and withheld
        cases.append(
            (
                COP + "/evaluation/surveys/{survey_id}/results/",
                f"{base}/communities/{survey.community.slug}/evaluation/surveys/{survey.pk}/results/",
            )
        )
    for template, url in cases:
        _conforms(schema, template, convener.get(url), url)
    xlsx = convener.get(f"{base}/observations/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSXRenderer.media_type


def test_an_export_request_that_fails_answers_the_json_error_shape(demo):
    convener, schema, organization = demo
    url = f"/api/v1/o/{organization.slug}/observations/?format=xlsx&period_after=soon"
    response = convener.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    _conforms(schema, ORG + "/observations/", response, url)


def test_a_new_workstream_has_its_thread_count(demo):
    convener, schema, organization = demo
    url = f"/api/v1/o/{organization.slug}/communities/sepsis/workstreams/"
    response = convener.post(url, {"name": "Night shift"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["thread_count"] == 0
    _conforms(schema, COP + "/workstreams/", response, url, method="POST")


def test_a_session_without_a_facilitator(demo):
    convener, schema, organization = demo
    url = f"/api/v1/o/{organization.slug}/communities/sepsis/sessions/"
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    body = {
        "title": "Unplanned huddle",
        "kind": "huddle",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
        "time_zone": "Europe/London",
    }
    response = convener.post(url, body, content_type="application/json")
    assert response.status_code == 201 and response.json()["facilitator_name"] is None
    _conforms(schema, COP + "/sessions/", response, url, method="POST")
    detail = f"{url}{response.json()['id']}/"
    _conforms(schema, COP + "/sessions/{session_id}/", convener.get(detail), detail)


def test_an_organization_wide_asset_has_no_community(demo):
    convener, schema, organization = demo
    url = f"/api/v1/o/{organization.slug}/knowledge/assets/"
    body = {"title": "Network handbook", "kind": "other", "visibility": "organization"}
    response = convener.post(url, body, content_type="application/json")
    assert response.status_code == 201 and response.json()["community"] is None
    _conforms(schema, ORG + "/knowledge/assets/", response, url, method="POST")
    _conforms(schema, ORG + "/knowledge/assets/", convener.get(url), url)


def test_the_schema_documents_local_times_and_blank_links(demo):
    _convener, schema, _organization = demo
    components = schema.raw_schema["components"]["schemas"]
    start_time = components["Series"]["properties"]["start_time"]
    assert "format" not in start_time and start_time["pattern"].startswith("^")
    link = components["AssetVersion"]["properties"]["link"]
    assert "format" not in link and {"maxLength": 0} in link["anyOf"]
