"""The PDSA form in stages: Plan, Do, Study and Act each on their own page with its
own heading and fieldsets, saved part-done as the cycle runs, in order."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from copcore.models import AuditEvent
from knowledge import services
from knowledge.models import TestOfChange, TestStatus

pytestmark = pytest.mark.django_db

ORG = "network-a"


def url(name: str, test: TestOfChange | None = None) -> str:
    kwargs: dict[str, object] = {"org_slug": ORG}
    if test is not None:
        kwargs["test_id"] = test.pk
    return reverse(f"knowledge:{name}", kwargs=kwargs)


def planned(world, **fields) -> TestOfChange:
    with scope(organization=world.org_a):
        return services.test_of_change_create(
            actor=world.member,
            community=world.community_a,
            title="Screen at triage",
            change_idea="Nurses screen every adult with qSOFA",
            prediction="Eight in ten adults screened within 15 minutes",
            **fields,
        )


def fetch(world, test: TestOfChange) -> TestOfChange:
    with scope(organization=world.org_a):
        return TestOfChange.objects.get(pk=test.pk)


def test_the_new_test_page_is_the_plan_in_sections(world, client_for):
    html = client_for(world.member).get(url("test_create")).content.decode()
    assert "Plan a test of change" in html
    assert 'class="pdsa-steps"' in html and 'aria-current="step"' in html
    for legend in ("The change", "Aim, question and prediction", "Plan: who, what, when, where"):
        assert f"<legend>{legend}</legend>" in html
    assert 'name="prediction"' in html and 'name="plan_who"' in html
    # The later stages are not on the plan page.
    for later in ("do_what_happened", "study_results", "act_decision", "status"):
        assert f'name="{later}"' not in html


def test_saving_the_plan_only_leaves_the_later_stages_empty(world, client_for):
    response = client_for(world.member).post(
        url("test_create"),
        {
            "community": world.community_a.pk,
            "title": "Sepsis huddle",
            "change_idea": "A five-minute huddle at shift change",
            "prediction": "Fewer missed screens",
            "plan_who": "Charge nurse",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scope(organization=world.org_a):
        test = TestOfChange.objects.get(title="Sepsis huddle")
    assert test.status == TestStatus.PLANNED and test.plan_who == "Charge nurse"
    assert (test.do_what_happened, test.do_observations, test.study_results) == ("", "", "")
    assert (test.prediction_held, test.act_decision, test.act_notes) == ("", "", "")
    detail = client_for(world.member).get(response["Location"]).content.decode()
    assert "Edit Plan" in detail and "Record Do" in detail
    assert url("test_study", test) not in detail and url("test_act", test) not in detail


def test_editing_the_plan_keeps_what_later_stages_recorded(world, client_for):
    test = planned(world)
    with scope(organization=world.org_a):
        services.test_of_change_save_stage(
            actor=world.member, test=test, stage="do", do_what_happened="Screened 40 adults"
        )
    response = client_for(world.member).post(
        url("test_edit", test),
        {"title": "Screen at triage, nights", "change_idea": "qSOFA on arrival"},
    )
    assert response.status_code == 302
    test = fetch(world, test)
    assert test.title == "Screen at triage, nights"
    assert test.do_what_happened == "Screened 40 adults" and test.status == TestStatus.RUNNING


def test_do_is_recorded_on_its_own_page(world, client_for):
    test = planned(world)
    client = client_for(world.member)
    page = client.get(url("test_do", test)).content.decode()
    assert "<legend>Do</legend>" in page and 'name="prediction"' not in page
    empty = client.post(url("test_do", test), {"do_what_happened": "", "do_observations": ""})
    assert empty.status_code == 200
    assert "Describe what happened when the change was tried." in empty.content.decode()
    assert fetch(world, test).status == TestStatus.PLANNED
    response = client.post(
        url("test_do", test),
        {"do_what_happened": "Screened 40 adults", "do_observations": "Nights skipped it"},
    )
    assert response.status_code == 302
    test = fetch(world, test)
    assert test.status == TestStatus.RUNNING and test.do_observations == "Nights skipped it"
    detail = client.get(url("test_detail", test)).content.decode()
    assert url("test_study", test) in detail and url("test_act", test) in detail


def test_the_study_page_shows_the_prediction_beside_the_results(world, client_for):
    test = planned(world)
    with scope(organization=world.org_a):
        services.test_of_change_save_stage(
            actor=world.member, test=test, stage="do", do_what_happened="Screened 40 adults"
        )
    client = client_for(world.member)
    html = client.get(url("test_study", test)).content.decode()
    assert "Your prediction (from the plan)" in html
    assert "Eight in ten adults screened within 15 minutes" in html
    beside = html[html.index('class="pdsa-beside"') :]
    assert beside.index("Eight in ten adults") < beside.index('name="study_results"')
    assert 'name="prediction"' not in html  # read-only here
    response = client.post(
        url("test_study", test), {"study_results": "55% within 15 minutes", "prediction_held": "no"}
    )
    assert response.status_code == 302
    test = fetch(world, test)
    assert test.status == TestStatus.STUDYING and test.prediction_held == "no"


def test_study_needs_do_first(world, client_for):
    test = planned(world)
    client = client_for(world.member)
    page = client.get(url("test_study", test)).content.decode()
    assert "Nothing has been recorded for Do yet." in page
    response = client.post(url("test_study", test), {"study_results": "Too early"})
    assert response.status_code == 200
    assert "Record what happened (Do) before studying the results." in response.content.decode()
    assert fetch(world, test).study_results == ""


def test_act_requires_a_decision_and_saves_it(world, client_for):
    test = planned(world)
    with scope(organization=world.org_a):
        services.test_of_change_save_stage(
            actor=world.member, test=test, stage="do", do_what_happened="Screened 40 adults"
        )
        services.test_of_change_save_stage(
            actor=world.member, test=test, stage="study", study_results="55% in 15 minutes"
        )
    client = client_for(world.member)
    page = client.get(url("test_act", test)).content.decode()
    assert "What the study found" in page and "55% in 15 minutes" in page
    missing = client.post(url("test_act", test), {"act_notes": "Try nights"})
    assert missing.status_code == 200
    assert "Choose adopt, adapt or abandon." in missing.content.decode()
    response = client.post(
        url("test_act", test), {"act_decision": "adapt", "act_notes": "Add a prompt"}
    )
    assert response.status_code == 302
    test = fetch(world, test)
    assert (test.act_decision, test.act_notes, test.status) == ("adapt", "Add a prompt", "done")
    assert test.study_results == "55% in 15 minutes"  # the other stages are untouched
    with scope(organization=world.org_a):
        stages = list(
            AuditEvent.objects.filter(verb="knowledge.test_updated").values_list(
                "data__stage", flat=True
            )
        )
    assert stages.count("act") == 1 and "do" in stages and "study" in stages
    detail = client.get(url("test_detail", test)).content.decode()
    for link in ("Edit Plan", "Record Do", "Study", "Act"):
        assert f">{link}</a>" in detail


def test_only_the_author_or_a_curator_writes_the_stages(world, client_for):
    test = planned(world)
    assert client_for(world.sponsor).get(url("test_do", test)).status_code in (403, 404)
    assert client_for(world.convener).get(url("test_do", test)).status_code == 200


def test_a_stage_changes_only_its_own_fields_and_never_moves_the_status_back(scope_a, world):
    from measurement.models import Measure

    measure = Measure.objects.create(
        organization=world.org_a, community=world.community_a, code="sep1", name="Antibiotics",
        kind="process", value_type="proportion", frequency="monthly", direction="up",
        chart_type="p",
    )  # fmt: skip
    test = services.test_of_change_create(
        actor=world.member, community=world.community_a, title="Huddle", change_idea="Talk",
        site=world.site_a, measures=[measure],
    )  # fmt: skip
    for stage, fields in (
        ("do", {"do_what_happened": "Held 5 huddles"}),
        ("study", {"study_results": "Fewer delays", "prediction_held": "yes"}),
        ("act", {"act_decision": "adopt"}),
        ("plan", {"objective": "Faster antibiotics"}),
    ):
        services.test_of_change_save_stage(actor=world.member, test=test, stage=stage, **fields)
    test.refresh_from_db()
    assert test.status == TestStatus.DONE and test.objective == "Faster antibiotics"
    assert test.site == world.site_a and list(test.measures.all()) == [measure]
    with pytest.raises(TypeError):
        services.test_of_change_save_stage(
            actor=world.member, test=test, stage="do", act_decision="abandon"
        )
