"""PDSA tests of change: records, chains of cycles, templates, learning from what
failed, and the annotations the measurement app draws on a measure's chart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from knowledge import selectors, services
from knowledge.models import TestOfChange, TestStatus
from measurement.models import Measure

pytestmark = pytest.mark.django_db


def make_measure(community, code="sep1") -> Measure:
    return Measure.objects.create(
        organization=community.organization,
        community=community,
        code=code,
        name="Antibiotics within 1 hour",
        kind="process",
        value_type="proportion",
        frequency="monthly",
        direction="up",
        chart_type="p",
    )


def new_test(world, **kwargs) -> TestOfChange:
    kwargs.setdefault("title", "Screen at triage")
    kwargs.setdefault("change_idea", "Nurses screen every adult with qSOFA")
    return services.test_of_change_create(actor=world.member, community=world.community_a, **kwargs)


def test_a_test_records_every_stage_of_the_cycle(scope_a, world):
    measure = make_measure(world.community_a)
    test = new_test(
        world,
        objective="Earlier antibiotics",
        question="Will screening find sepsis sooner?",
        prediction="80% screened within 15 minutes",
        plan_who="Triage nurses",
        plan_what="qSOFA on arrival",
        plan_when="Week 1",
        plan_where="ED",
        plan_data="Time to screen",
        site=world.site_a,
        measures=[measure],
        starts_on=dt.date(2026, 3, 2),
    )
    services.test_of_change_update(
        actor=world.member,
        test=test,
        site=world.site_a,
        measures=[measure],
        do_what_happened="Screened 40 patients",
        do_observations="Night shift skipped it",
        study_results="55% within 15 minutes",
        prediction_held="no",
        act_decision="adapt",
        act_notes="Add a prompt to the triage form",
        status=TestStatus.DONE,
        ends_on=dt.date(2026, 3, 9),
    )
    test.refresh_from_db()
    assert test.prediction_held == "no" and test.act_decision == "adapt"
    assert list(test.measures.all()) == [measure]
    with pytest.raises(ValidationError):
        services.test_of_change_update(
            actor=world.member,
            test=test,
            starts_on=dt.date(2026, 3, 9),
            ends_on=dt.date(2026, 3, 1),
        )


def test_measures_of_another_community_are_refused(scope_a, world, other_cop):
    foreign = make_measure(other_cop)
    with pytest.raises(ValidationError):
        new_test(world, measures=[foreign])


def test_cycles_chain_into_a_ramp(scope_a, world, client_for):
    first = new_test(world, title="Cycle 1: one nurse")
    second = new_test(world, title="Cycle 2: one shift", previous_cycle=first)
    third = new_test(world, title="Cycle 3: all shifts", previous_cycle=second)
    branch = new_test(world, title="Cycle 2b: another ward", previous_cycle=first)
    chain = selectors.test_chain(test=third)
    assert [t.title for t in chain] == [
        "Cycle 1: one nurse",
        "Cycle 2: one shift",
        "Cycle 3: all shifts",
        "Cycle 2b: another ward",
    ]
    assert [t.cycle_depth for t in chain] == [0, 1, 2, 1]
    html = (
        client_for(world.member)
        .get(
            reverse("knowledge:test_detail", kwargs={"org_slug": "network-a", "test_id": second.pk})
        )
        .content.decode()
    )
    assert "The ramp of cycles" in html and "Cycle 3: all shifts" in html and branch.title in html


def test_the_next_cycle_starts_from_the_previous_one(scope_a, world, client_for):
    measure = make_measure(world.community_a)
    first = new_test(world, title="Cycle 1", site=world.site_a, measures=[measure])
    services.test_of_change_update(
        actor=world.member,
        test=first,
        site=world.site_a,
        measures=[measure],
        act_notes="Try it on nights",
        act_decision="adapt",
    )
    url = reverse(
        "knowledge:test_next_cycle", kwargs={"org_slug": "network-a", "test_id": first.pk}
    )
    client = client_for(world.member)
    form = client.get(url).content.decode()
    assert "Try it on nights" in form  # the plan starts from the act notes
    response = client.post(
        url,
        {
            "title": "Cycle 2",
            "change_idea": first.change_idea,
            "status": "planned",
            "site": world.site_a.pk,
            "measures": [measure.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    second = TestOfChange.objects.get(title="Cycle 2")
    assert second.previous_cycle == first and second.community == first.community


def test_templates_prefill_a_new_test(scope_a, world, client_for):
    template = services.test_template_create(
        actor=world.convener,
        organization=world.org_a,
        community=world.community_a,
        name="Huddle test",
        question="Does a 5-minute huddle cut delays?",
        plan_data="Minutes to antibiotics",
    )
    url = reverse("knowledge:test_create", kwargs={"org_slug": "network-a"})
    html = client_for(world.member).get(url, {"template": template.pk}).content.decode()
    assert "Does a 5-minute huddle cut delays?" in html and "Minutes to antibiotics" in html
    listing = (
        client_for(world.member)
        .get(reverse("knowledge:template_list", kwargs={"org_slug": "network-a"}))
        .content.decode()
    )
    assert "Huddle test" in listing


def test_learning_from_what_failed_lists_abandoned_and_contradicted_tests(
    scope_a, world, client_for
):
    abandoned = new_test(world, title="Paper checklist")
    services.test_of_change_update(actor=world.member, test=abandoned, act_decision="abandon")
    contradicted = new_test(world, title="Pager alert")
    services.test_of_change_update(
        actor=world.member, test=contradicted, prediction_held="no", act_decision="adapt"
    )
    success = new_test(world, title="Sepsis trolley")
    services.test_of_change_update(
        actor=world.member, test=success, prediction_held="yes", act_decision="adopt"
    )
    viewer = selectors.viewer_for(user=world.member, organization=world.org_a)
    learned = {t.title for t in selectors.tests_learning_from_failure(viewer=viewer)}
    assert learned == {"Paper checklist", "Pager alert"}
    html = (
        client_for(world.member)
        .get(reverse("knowledge:test_learning", kwargs={"org_slug": "network-a"}))
        .content.decode()
    )
    assert "Paper checklist" in html and "Pager alert" in html and "Sepsis trolley" not in html


def test_annotations_for_a_measures_chart(world, other_cop):
    with scope(organization=world.org_a):
        measure = make_measure(world.community_a)
        early = new_test(world, title="Cycle 1", measures=[measure], starts_on=dt.date(2026, 1, 5))
        services.test_of_change_update(
            actor=world.member,
            test=early,
            measures=[measure],
            act_decision="abandon",
            prediction_held="no",
        )
        late = new_test(world, title="Cycle 2", measures=[measure], starts_on=dt.date(2026, 2, 2))
        new_test(world, title="Unlinked")
        rows = selectors.tests_of_change_for_measure(
            measure_id=measure.pk, organization=world.org_a
        )
    assert [row["title"] for row in rows] == ["Cycle 1", "Cycle 2"]
    assert rows[0]["date"] == dt.date(2026, 1, 5)
    assert rows[0]["url"] == f"/o/network-a/knowledge/tests/{early.pk}/"
    assert "Abandon" in rows[0]["outcome"] and rows[0]["act_decision"] == "abandon"
    assert rows[1]["outcome"] == "Planned" and rows[1]["url"].endswith(f"/{late.pk}/")
    with scope(organization=world.org_b):
        assert (
            selectors.tests_of_change_for_measure(measure_id=measure.pk, organization=world.org_b)
            == []
        )


def test_tests_of_a_cop_are_hidden_from_non_members(world, other_cop, client_for):
    with scope(organization=world.org_a):
        hidden = services.test_of_change_create(
            actor=world.convener, community=other_cop, title="Hidden", change_idea="x"
        )
    url = reverse("knowledge:test_detail", kwargs={"org_slug": "network-a", "test_id": hidden.pk})
    assert client_for(world.member).get(url).status_code == 404
    assert client_for(world.convener).get(url).status_code == 200
