"""The demo (``seed_demo``): idempotent, relative to the day it runs, fresh on a later
day without duplicates, and with something to do for every persona of the README."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from communities.design import implementation_gate_missing
from communities.models import (
    Community,
    CommunityRoleAssignment,
    JoinRequest,
    Phase,
    PostFlag,
    Thread,
)
from communities.selectors import design_facts
from copcore.demo import seed_demo
from copcore.demo.clock import add_months
from copcore.models import Organization, User
from copcore.permissions import CommunityRole
from knowledge.models import Asset, AssetStatus, FieldNote, NoteStatus
from measurement.models import ImportBatch, Observation, Site
from measurement.selectors import due_data, observations_visible_to
from notifications.digest import compose_digests
from sessions.models import ActionItem, ActionStatus, Session

APPS = ("copcore", "communities", "knowledge", "measurement", "cop_sessions", "evaluation",
        "notifications", "auth", "guardian")  # fmt: skip
ZONE = dt.UTC


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.app_label in APPS
        }


def _sepsis() -> Community:
    return Community.objects.get(organization__slug="northshore", slug="sepsis")


def _previous_month(day: dt.date) -> dt.date:
    return add_months(day, -1)


def check_fresh(today: dt.date) -> None:
    """What must hold on any day the seed ran: data to last month, sessions next week,
    an item due for the member, a term ending within 30 days."""
    with scopes_disabled():
        sepsis = _sepsis()
        totals = Observation.objects.filter(
            measure__community=sepsis, measure__code="bundle", category__isnull=True
        )
        last = _previous_month(today)
        assert max(totals.values_list("period", flat=True)) == last
        assert totals.filter(period=last, status="approved").count() == 5  # five sites
        periods = set(totals.values_list("period", flat=True))
        assert {add_months(last, -n) for n in range(24)} <= periods
        assert not totals.filter(period__gt=last).exists()
        now = timezone.now()
        assert Session.objects.filter(
            community=sepsis, starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=7)
        ).exists()
        assert Session.objects.filter(community=sepsis, starts_at__lt=now).exists()
        member = User.objects.get(email="member@example.org")
        assert ActionItem.objects.filter(
            owner=member,
            status=ActionStatus.OPEN,
            due_on__gte=today,
            due_on__lte=today + dt.timedelta(days=7),
        ).exists()
        assert (
            CommunityRoleAssignment.objects.filter(community=sepsis)
            .active_on(today)
            .filter(ends_on__isnull=False, ends_on__lte=today + dt.timedelta(days=30))
            .exists()
        )


@pytest.mark.django_db
def test_seed_twice_changes_nothing(capsys):
    call_command("seed_demo")
    first = row_counts()
    call_command("seed_demo")
    assert row_counts() == first
    out = capsys.readouterr().out
    assert "convener@example.org" in out and "sponsor@example.org" in out
    with scopes_disabled():
        assert Organization.objects.count() == 2
        phases = dict(
            Community.objects.filter(organization__slug="northshore").values_list("slug", "phase")
        )
        assert phases == {
            "alcohol-outreach": Phase.DESIGN,
            "sepsis": Phase.IMPLEMENTATION,
            "physical-health": Phase.ARCHIVED,
        }
        assert Community.objects.filter(organization__slug="southvale", slug="postpartum").exists()
        # The least deprived quintile is a small cell (1 to 7 patients across the sites):
        # the disclosure rule (counts 1-7 hidden) hides it from sponsors.
        small = Observation.objects.filter(
            measure__community=_sepsis(),
            category__code="q5",
            period=_previous_month(timezone.localdate()),
        ).aggregate(total=Sum("denominator"))["total"]
        assert 1 <= small <= 7


# Ordinary days and awkward ones: a leap day, the last evening of a year, New Year's
# Day (last month is in the previous year), the first of a month.
DATES = [
    dt.datetime(2028, 2, 29, 12, 0, tzinfo=ZONE),
    dt.datetime(2026, 12, 31, 21, 0, tzinfo=ZONE),
    dt.datetime(2027, 1, 1, 9, 0, tzinfo=ZONE),
    dt.datetime(2031, 7, 1, 6, 0, tzinfo=ZONE),
]


@pytest.mark.django_db
@pytest.mark.parametrize("moment", DATES, ids=lambda d: d.date().isoformat())
def test_seeded_data_end_last_month_and_sessions_are_next_week(moment):
    with time_machine.travel(moment, tick=False):
        seed_demo()
        check_fresh(timezone.localdate())


@pytest.mark.django_db
def test_seeding_again_on_later_days_is_fresh_and_not_duplicated():
    start = timezone.now().replace(hour=11, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        seed_demo()
        before = row_counts()
        with scopes_disabled():
            threads = Thread.objects.count()
    for days in (40, 400):
        with time_machine.travel(start + dt.timedelta(days=days), tick=False):
            seed_demo()
            check_fresh(timezone.localdate())
            after = row_counts()
            seed_demo()
            assert row_counts() == after  # idempotent on the later day too
            with scopes_disabled():
                assert Thread.objects.count() == threads
                assert Community.objects.count() == 4
                assert Site.objects.filter(organization__slug="northshore").count() == 5
    # The story grew (new months, new sessions), it did not restart.
    assert after["measurement.Observation"] > before["measurement.Observation"]
    assert after["cop_sessions.Session"] >= before["cop_sessions.Session"]


def persona_work() -> dict[str, dict[str, int]]:
    """The counts behind each persona's "something to do"."""
    with scopes_disabled():
        org = Organization.objects.get(slug="northshore")
        users = {
            u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@example.org")
        }
    today = timezone.localdate()
    with scope(organization=org):
        sepsis = _sepsis()
        design = Community.objects.get(organization=org, slug="alcohol-outreach")
        due_cells = [
            cell
            for site in due_data(community=sepsis, today=today)
            for row in site.rows
            for cell in row.cells
            if cell.status in ("due", "missing")
        ]
        invalid = ImportBatch.objects.filter(
            community=sepsis, status=ImportBatch.Status.INVALID, error_count__gt=0
        )
        return {
            "convener": {
                "design gate missing": len(
                    implementation_gate_missing(design, design_facts(community=design))
                ),
                "terms ending within 30 days": CommunityRoleAssignment.objects.filter(
                    community=sepsis, ends_on__gt=today, ends_on__lte=today + dt.timedelta(days=30)
                ).count(),
                "join requests": JoinRequest.objects.filter(
                    community=sepsis, status=JoinRequest.Status.PENDING
                ).count(),
                "data to approve": Observation.objects.filter(
                    measure__community=sepsis, status=Observation.Status.SUBMITTED
                ).count(),
                "waiting for curation": Asset.objects.filter(
                    community=sepsis, status=AssetStatus.SUBMITTED
                ).count()
                + FieldNote.objects.filter(community=sepsis, status=NoteStatus.SUBMITTED).count(),
            },
            "moderator": {
                "flags": PostFlag.objects.filter(
                    community=sepsis, status=PostFlag.Status.OPEN
                ).count(),
            },
            "steward": {
                "data due": len(due_cells),
                "import rows with errors": sum(invalid.values_list("error_count", flat=True)),
            },
            "member": {
                "open action items": ActionItem.objects.filter(
                    owner=users["member"], status=ActionStatus.OPEN
                ).count(),
                "digests": len(compose_digests([users["member"].pk], timezone.now())),
            },
            "sponsor": {
                "approved figures": observations_visible_to(
                    user=users["sponsor"], community=sepsis
                ).count(),
                "sponsor role": CommunityRoleAssignment.objects.filter(
                    community=sepsis, user=users["sponsor"], role=CommunityRole.SPONSOR
                ).count(),
            },
        }


@pytest.mark.django_db
def test_every_persona_has_something_to_do():
    seed_demo()
    work = persona_work()
    empty = [
        f"{who}: {what}" for who, counts in work.items() for what, n in counts.items() if not n
    ]
    assert not empty, work


@pytest.mark.django_db
def test_member_previews_a_digest_with_their_items(client_for):
    seed_demo()
    with scopes_disabled():
        member = User.objects.get(email="member@example.org")
    page = client_for(member).get("/o/northshore/notifications/digest/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bring the night-huddle audit" in text
    assert "Sepsis office hours" in text  # a session coming up


@pytest.mark.django_db
def test_second_organization_has_a_dhis2_connection_and_a_recorded_pull():
    from measurement.models import Dhis2Connection, Dhis2Pull

    seed_demo()
    with scopes_disabled():
        connection = Dhis2Connection.objects.get(organization__slug="southvale")
        assert connection.base_url == "http://127.0.0.1:8710" and connection.test_ok
        pull = Dhis2Pull.objects.get(organization__slug="southvale")
        assert pull.status == "done" and pull.new_rows == 24
        assert pull.batch.status == ImportBatch.Status.COMMITTED
        pnc = Observation.objects.filter(measure__code="pnc6w", category__isnull=True)
        assert max(pnc.values_list("period", flat=True)) == _previous_month(timezone.localdate())
    seed_demo()
    with scopes_disabled():
        assert Dhis2Pull.objects.filter(organization__slug="southvale").count() == 1
