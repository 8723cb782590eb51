"""The conclusion phase: expected-result statuses, the review, the results record (ZIP
contents, manifest checksums, the disclosure rule inside it, the Celery task), the
communication outputs and what blocks archiving."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from communities import services as community_services
from communities.models import ExpectedResult
from evaluation import selectors, services
from evaluation.models import CommunicationOutput, ResultsRecord
from evaluation.tests.helpers import enrol, make_barrier_chain, make_measure, members
from knowledge import services as knowledge_services
from measurement.models import Observation, Site
from sessions.models import Decision, Session

pytestmark = pytest.mark.django_db


def _kwargs(world, **extra):
    return {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **extra}


def _expected(world):
    return ExpectedResult.objects.create(
        organization=world.org_a,
        community=world.community_a,
        position=1,
        description="Sepsis screening within one hour for 90% of patients",
    )


def _final_survey_closed(world):
    survey = services.survey_create(
        actor=world.convener, community=world.community_a, title="Final", purpose="final"
    )
    services.question_add(actor=world.convener, survey=survey, kind="text", text="Comments?")
    services.survey_open(actor=world.convener, survey=survey)
    services.survey_close(actor=world.convener, survey=survey)
    return survey


def _rich_community(world):
    """A CoP with data at two sites (one small), an asset, a charter, a session with a
    decision, CFIR ratings and a conclusion. Call inside org A's scope."""
    enrol(world)
    small = Site.objects.create(organization=world.org_a, name="Small Clinic", code="SC")
    enrol(world, small)
    measure = make_measure(world, values=[(40, 100)] * 6)
    for index in range(6):
        Observation.objects.create(
            organization=world.org_a,
            measure=measure,
            site=small,
            period=dt.date(2025, 1 + index, 1),
            numerator=3,
            denominator=5,
            status="approved",
        )
    published = knowledge_services.asset_create(
        actor=world.convener,
        organization=world.org_a,
        community=world.community_a,
        kind="checklist",
        title="Sepsis screening checklist",
        body="# Checklist\n\n- Lactate within 1 hour",
    )
    knowledge_services.asset_publish(actor=world.convener, asset=published)
    knowledge_services.asset_create(
        actor=world.convener,
        organization=world.org_a,
        community=world.community_a,
        kind="protocol",
        title="Unfinished draft protocol",
        body="Not ready",
    )
    community_services.charter_draft_update(
        actor=world.convener,
        community=world.community_a,
        sections={"purpose": "Faster sepsis care"},
    )
    community_services.charter_publish(actor=world.convener, community=world.community_a)
    start = timezone.now() - dt.timedelta(days=10)
    session = Session.objects.create(
        organization=world.org_a,
        community=world.community_a,
        title="Monthly all-hands",
        kind="all_hands",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        time_zone="UTC",
        summary="We reviewed the screening data.",
    )
    Decision.objects.create(
        organization=world.org_a, session=session, text="Adopt the checklist", owner=world.convener
    )
    make_barrier_chain(world)
    result = _expected(world)
    services.expected_result_review_save(
        actor=world.convener, expected_result=result, status="partly", evidence="85% in March"
    )
    services.conclusion_save(
        actor=world.convener,
        community=world.community_a,
        lessons_learned="Huddles work\nData every week",
        post_action_review="Planned 90%, reached 85%.",
        recommendations="Keep the weekly data review",
    )
    return measure


def test_expected_result_review_needs_status_and_evidence(scope_a):
    world = scope_a
    result = _expected(world)
    with pytest.raises(ValidationError) as error:
        services.expected_result_review_save(
            actor=world.convener, expected_result=result, status="maybe", evidence=""
        )
    assert set(error.value.message_dict) == {"status", "evidence"}
    review = services.expected_result_review_save(
        actor=world.convener, expected_result=result, status="achieved", evidence="Audit: 92%"
    )
    assert review.get_status_display() == "Achieved"


def test_archive_blockers_until_final_assessment_and_record(
    world, django_capture_on_commit_callbacks
):
    with scope(organization=world.org_a):
        result = _expected(world)
        reasons = selectors.archive_blockers(community=world.community_a)
        assert len(reasons) == 3
        assert any("final satisfaction survey" in r for r in reasons)
        assert any("1 expected result has no recorded status" in r for r in reasons)
        assert any("results record" in r for r in reasons)
        _final_survey_closed(world)
        services.expected_result_review_save(
            actor=world.convener, expected_result=result, status="not", evidence="Stopped early"
        )
        assert selectors.archive_blockers(community=world.community_a) == [
            "The results record has not been produced."
        ]
        with django_capture_on_commit_callbacks(execute=True):
            services.results_record_request(actor=world.convener, community=world.community_a)
        assert selectors.archive_blockers(community=world.community_a) == []


def test_results_record_package(world, client_for, django_capture_on_commit_callbacks):
    with scope(organization=world.org_a):
        _rich_community(world)
    client = client_for(world.convener)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation:record_request", kwargs=_kwargs(world)))
    assert response.status_code == 302
    with scope(organization=world.org_a):
        record = ResultsRecord.objects.get(community=world.community_a)
    assert record.status == "ready", record.error
    download = client.get(
        reverse("evaluation:record_download", kwargs=_kwargs(world, record_id=record.pk))
    )
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == record.sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    # Every file but the manifest is listed with its true checksum.
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}
    for entry in manifest["files"]:
        content = archive.read(entry["path"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert entry["bytes"] == len(content)
    assert manifest["format"] == "cop-results-record/1"
    assert manifest["community"]["slug"] == world.community_a.slug
    for required in (
        "index.html",
        "charts/screen.svg",
        "data/measures/screen.csv",
        "data/observations.csv",
        "data/cfir_ratings.csv",
        "data/expected_results.csv",
        "data/survey_results.csv",
        "data/nomad_results.csv",
        "charter/v1.md",
        "charter/history.csv",
        "sessions/sessions.csv",
        "sessions/summaries.md",
        "sessions/decisions.csv",
    ):
        assert required in names, required
    assets = [n for n in names if n.startswith("assets/")]
    assert len(assets) == 1 and "sepsis-screening-checklist-v1.md" in assets[0]
    assert "Lactate within 1 hour" in archive.read(assets[0]).decode()
    assert archive.read("charts/screen.svg").lstrip().startswith(b"<svg")
    html = archive.read("index.html").decode()
    assert "Huddles work" in html and "Partly achieved" in html and "85% in March" in html
    assert 'src="charts/screen.svg"' in html
    assert 'src="http' not in html and "<script" not in html and "<link" not in html
    assert "Faster sepsis care" in archive.read("charter/v1.md").decode()
    assert "Adopt the checklist" in archive.read("sessions/decisions.csv").decode()
    # The disclosure rule inside the package: the small clinic's counts (3 of 5) are
    # hidden, and the large site's are rounded; no raw small number survives.
    rows = list(csv.DictReader(io.StringIO(archive.read("data/observations.csv").decode())))
    small = [r for r in rows if r["site_code"] == "SC"]
    assert small and all(r["numerator"] == "*" and r["denominator"] == "*" for r in small)
    assert all(r["value"] == "*" for r in small)
    # Secondary suppression: with the all-sites total shown, the other site's counts
    # are hidden too, or the small clinic's would be the total minus them.
    large = [r for r in rows if r["site_code"] == world.site_a.code]
    assert large and all(r["numerator"] == "*" for r in large)
    assert "40" not in {r["numerator"] for r in rows} and "3" not in {r["numerator"] for r in rows}
    totals = list(csv.reader(io.StringIO(archive.read("data/measures/screen.csv").decode())))
    assert totals[1][1:3] == ["45", "105"]  # 43 and 105, rounded to the nearest 5


def test_record_request_refuses_a_second_pending_build(scope_a):
    world = scope_a
    ResultsRecord.objects.create(organization=world.org_a, community=world.community_a)
    with pytest.raises(ValidationError):
        services.results_record_request(actor=world.convener, community=world.community_a)


def test_communications_are_drafted_from_the_record_and_editable(
    world, client_for, django_capture_on_commit_callbacks
):
    with scope(organization=world.org_a):
        _rich_community(world)
        with pytest.raises(ValidationError):
            record = ResultsRecord(community=world.community_a, status="pending")
            services.communications_draft(
                actor=world.convener, community=world.community_a, record=record
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.results_record_request(actor=world.convener, community=world.community_a)
    client = client_for(world.convener)
    url = reverse("evaluation:communications", kwargs=_kwargs(world))
    assert client.post(url).status_code == 302
    with scope(organization=world.org_a):
        outputs = {
            o.kind: o for o in CommunicationOutput.objects.filter(community=world.community_a)
        }
    assert set(outputs) == {"intranet", "public", "social", "slides"}
    assert "Huddles work" in outputs["intranet"].body
    assert "Partly achieved" in outputs["intranet"].body
    assert all(len(line) <= 280 for line in outputs["social"].body.splitlines())
    assert "Lessons learned" in outputs["slides"].body
    edit = reverse("evaluation:communication_edit", kwargs=_kwargs(world, kind="social"))
    too_long = client.post(edit, {"title": "Social", "body": "x" * 300})
    assert too_long.status_code == 200 and "280" in too_long.content.decode()
    assert client.post(edit, {"title": "Social", "body": "Our CoP is done!"}).status_code == 302
    client.post(url)  # drafting again keeps the edited output
    with scope(organization=world.org_a):
        social = CommunicationOutput.objects.get(community=world.community_a, kind="social")
    assert social.body == "Our CoP is done!" and social.edited
    client.post(url, {"overwrite": "1"})
    with scope(organization=world.org_a):
        social.refresh_from_db()
    assert not social.edited and social.body != "Our CoP is done!"


def test_conclusion_page_records_statuses_and_review(world, client_for):
    with scope(organization=world.org_a):
        result = _expected(world)
    client = client_for(world.convener)
    url = reverse("evaluation:conclusion", kwargs=_kwargs(world))
    page = client.get(url).content.decode()
    assert "Sepsis screening within one hour" in page and "Ready to archive?" in page
    bad = client.post(url, {"expected_result": result.pk, f"er{result.pk}-status": "achieved"})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    ok = client.post(
        url,
        {
            "expected_result": result.pk,
            f"er{result.pk}-status": "achieved",
            f"er{result.pk}-evidence": "Audit 92%",
        },
    )
    assert ok.status_code == 302
    ok = client.post(
        url,
        {
            "part": "conclusion",
            "lessons_learned": "L",
            "post_action_review": "P",
            "recommendations": "R",
        },
    )
    assert ok.status_code == 302
    with scope(organization=world.org_a):
        assert selectors.conclusion_of(community=world.community_a).recommendations == "R"
        assert result.review.status == "achieved"


@pytest.mark.integration
def test_a_real_worker_builds_the_record(celery_worker_real):
    import time

    from copcore.testing import build_world

    world = build_world()
    with scope(organization=world.org_a):
        _final_survey_closed(world)
        record = services.results_record_request(actor=world.convener, community=world.community_a)
    # The transactional test commits at once, so on_commit has enqueued the task.
    deadline = time.monotonic() + 60
    with scope(organization=world.org_a):
        while time.monotonic() < deadline:
            record.refresh_from_db()
            if record.status != "pending":
                break
            time.sleep(0.3)
        assert record.status == "ready", record.error
        assert record.file and record.manifest["files"]
    from evaluation.tasks import build_results_record

    assert build_results_record.apply(args=[record.pk]).get() == "ready"  # idempotent


def test_members_are_counted_for_the_final_survey(world):
    # Helper sanity: members() gives people who may respond.
    people = members(world, 2, prefix="fs")
    with scope(organization=world.org_a):
        survey = services.survey_create(
            actor=world.convener, community=world.community_a, title="F", purpose="final"
        )
        question = services.question_add(actor=world.convener, survey=survey, kind="text", text="?")
        services.survey_open(actor=world.convener, survey=survey)
        for person in people:
            services.survey_respond(actor=person, survey=survey, answers={question.pk: "ok"})
        assert selectors.respondent_count(survey=survey) == 2
