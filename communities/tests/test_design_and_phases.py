"""The design wizard, the checklist and the phase gates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from communities import services
from communities.models import Community, Phase, PhaseTransition
from communities.tests.helpers import complete_design
from copcore.models import AuditEvent
from evaluation.testing import make_archivable

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(
        f"communities:{name}",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **kwargs},
    )


def test_wizard_creates_the_community_and_shows_the_paho_name_guidance(world, client_for):
    client = client_for(world.convener)
    page = client.get(reverse("communities:create", kwargs={"org_slug": world.org_a.slug}))
    text = page.content.decode()
    assert "CoP to define indicators for the assessment of telemedicine projects" in text
    assert "CoP to coordinate the work program" in text
    response = client.post(
        reverse("communities:create", kwargs={"org_slug": world.org_a.slug}),
        {"name": "CoP to define sepsis screening indicators", "slug": ""},
    )
    assert response.status_code == 302
    with scope(organization=world.org_a):
        community = Community.objects.get(slug="cop-to-define-sepsis-screening-indicators")
        assert community.phase == Phase.DESIGN
        assert community.design_steps_saved == ["name"]
    assert response["Location"].endswith("/design/domain/")


def test_each_step_saves_a_draft_that_can_be_resumed(world, client_for):
    client = client_for(world.convener)
    response = client.post(
        url("design_step", world, step="problem"), {"problem": "Sepsis is found late", "draft": "1"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/design/problem/")
    world.community_a.refresh_from_db()
    assert world.community_a.problem == "Sepsis is found late"
    assert "problem" in world.community_a.design_steps_saved
    # The saved text is shown again when the step is opened later.
    assert (
        "Sepsis is found late"
        in client.get(url("design_step", world, step="problem")).content.decode()
    )
    # "Save and continue" goes on to the next step.
    response = client.post(
        url("design_step", world, step="objectives"),
        {"objectives": ["problem_solving", "lessons_learned"], "continue": "1"},
    )
    assert response["Location"].endswith("/design/results/")
    world.community_a.refresh_from_db()
    assert world.community_a.objectives == ["problem_solving", "lessons_learned"]


def test_a_step_with_errors_keeps_what_was_typed_and_says_what_to_fix(world, client_for):
    client = client_for(world.convener)
    response = client.post(
        url("design_step", world, step="dates"),
        {"starts_on": "2027-03-01", "planned_end_on": "2027-01-01", "continue": "1"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "The planned end must be after the start." in text
    assert 'value="2027-03-01"' in text
    response = client.post(url("design_step", world, step="results"), {"description_1": ""})
    assert "Describe at least one expected result." in response.content.decode()


def test_results_step_keeps_one_to_three_with_how_they_are_checked(world, client_for):
    client = client_for(world.convener)
    client.post(
        url("design_step", world, step="results"),
        {
            "description_1": "Fewer late diagnoses",
            "how_checked_1": "Monthly audit",
            "description_2": "A shared screening tool",
            "how_checked_2": "",
        },
    )
    with scope(organization=world.org_a):
        results = list(world.community_a.expected_results.order_by("position"))
        assert [(r.description, r.how_checked) for r in results] == [
            ("Fewer late diagnoses", "Monthly audit"),
            ("A shared screening tool", ""),
        ]
        with pytest.raises(ValidationError):
            services.expected_results_set(
                actor=world.convener,
                community=world.community_a,
                results=[("a", ""), ("b", ""), ("c", ""), ("d", "")],
            )


def test_checklist_shows_which_stages_are_complete(world, client_for):
    complete_design(world, publish=False)
    page = client_for(world.convener).get(url("design_checklist", world)).content.decode()
    assert "Not started" in page  # dates and rhythm
    assert "A published charter." in page
    assert page.count("Complete</td>") >= 7


def test_the_gate_refuses_an_incomplete_design_and_lists_what_is_missing(world, client_for):
    client = client_for(world.convener)
    response = client.post(url("phase", world), {"to_phase": "implementation"})
    assert response.status_code == 200
    text = response.content.decode()
    for missing in (
        "A problem statement.",
        "At least one objective.",
        "At least one expected result.",
        "The target audiences.",
        "An active moderator.",
        "An active facilitator.",
        "A published charter.",
    ):
        assert missing in text
    world.community_a.refresh_from_db()
    assert world.community_a.phase == Phase.DESIGN


def test_full_lifecycle_is_audited_and_on_the_timeline(world, client_for):
    community, _mod, _fac = complete_design(world)
    client = client_for(world.convener)
    assert client.post(url("phase", world), {"to_phase": "implementation"}).status_code == 302
    response = client.post(url("phase", world), {"to_phase": "conclusion"})
    assert "Say why the community is concluding." in response.content.decode()
    client.post(
        url("phase", world), {"to_phase": "conclusion", "reason": "work_done", "confirmed": "1"}
    )
    refused = client.post(url("phase", world), {"to_phase": "archived"}).content.decode()
    assert "cannot move on yet" in refused and "The results record has not been produced" in refused
    with scope(organization=world.org_a):
        make_archivable(actor=world.convener, community=community)
    client.post(url("phase", world), {"to_phase": "archived", "note": "All done", "confirmed": "1"})
    response = client.post(url("phase", world), {"to_phase": "implementation", "note": ""})
    assert "Say why the community is reopened." in response.content.decode()
    client.post(url("phase", world), {"to_phase": "implementation", "note": "New wave of sites"})
    with scope(organization=world.org_a):
        steps = list(
            PhaseTransition.objects.filter(community=community).values_list(
                "from_phase", "to_phase", "reason"
            )
        )
        assert steps == [
            ("design", "implementation", ""),
            ("implementation", "conclusion", "work_done"),
            ("conclusion", "archived", ""),
            ("archived", "implementation", "reopened"),
        ]
        assert AuditEvent.objects.filter(verb="community.phase_changed").count() == 4
    timeline = client.get(url("phase", world)).content.decode()
    assert "New wave of sites" in timeline and "The work is done" in timeline


def test_archived_communities_refuse_every_write_with_a_clear_message(world, client_for):
    complete_design(world)
    with scope(organization=world.org_a):
        community = world.community_a
        for to_phase, reason in (
            ("implementation", ""),
            ("conclusion", "priorities_changed"),
            ("archived", ""),
        ):
            if to_phase == "archived":
                make_archivable(actor=world.convener, community=community)
            services.community_phase_change(
                actor=world.convener,
                community=community,
                to_phase=to_phase,
                reason=reason,
                note="Closed down" if to_phase == "archived" else "",
            )
        community.refresh_from_db()
        with pytest.raises(ValidationError, match="archived and read-only"):
            services.workstream_create(actor=world.convener, community=community, name="X")
        with pytest.raises(ValidationError, match="archived"):
            services.role_assign(
                actor=world.convener, community=community, user=world.member, role="moderator"
            )
        with pytest.raises(ValidationError, match="archived"):
            services.community_design_save(
                actor=world.convener, community=community, step="problem", values={"problem": "x"}
            )
    response = client_for(world.convener).post(
        url("design_step", world, step="problem"), {"problem": "changed"}
    )
    assert "archived and read-only" in response.content.decode()


def test_a_move_that_is_not_allowed_is_a_clear_message(world):
    with (
        scope(organization=world.org_a),
        pytest.raises(ValidationError, match="cannot move from Design to Archived"),
    ):
        services.community_phase_change(
            actor=world.convener, community=world.community_a, to_phase="archived"
        )


def test_design_dates_and_rhythm_are_saved(world):
    with scope(organization=world.org_a):
        services.community_design_save(
            actor=world.convener,
            community=world.community_a,
            step="dates",
            values={"starts_on": dt.date(2027, 1, 1), "planned_end_on": dt.date(2027, 12, 31)},
        )
        services.community_design_save(
            actor=world.convener,
            community=world.community_a,
            step="rhythm",
            values={"rhythm": ["weekly_office_hours", "monthly_all_hands"], "rhythm_notes": ""},
        )
        with pytest.raises(ValidationError):
            services.community_design_save(
                actor=world.convener,
                community=world.community_a,
                step="dates",
                values={"problem": "wrong step"},
            )
    world.community_a.refresh_from_db()
    assert world.community_a.rhythm == ["monthly_all_hands", "weekly_office_hours"]
    assert world.community_a.planned_end_on == dt.date(2027, 12, 31)
