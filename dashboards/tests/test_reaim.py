"""The RE-AIM one-pager against a hand-built CoP whose answers are known."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from copcore.testing import give_role
from dashboards import selectors
from dashboards.models import CostRecord, ReachShare, ReAimProfile
from dashboards.selectors import reaim
from dashboards.tests.helpers import months, observe
from measurement import services
from measurement.models import Measure, Site

TODAY = dt.date(2025, 1, 15)


@pytest.fixture
def known(world):
    """Three enrolled sites (RH never reports), a Reach measure (450 reached of 1,000
    eligible; 260 women and 190 men against 600 and 400 eligible), an outcome measure
    that GH improves and holds for 12 months while CH stays flat, costs of 3,000 +
    1,500 USD, and three PDSA cycles (two done, one adapted)."""
    from knowledge.models import TestOfChange

    actor = world.convener
    community = world.community_a
    with scope(organization=world.org_a):
        sex = services.stratifier_create(
            actor=actor, organization=world.org_a, code="sex", name="Sex",
            categories=[("f", "Female"), ("m", "Male")],
        )  # fmt: skip
        female, male = list(sex.categories.order_by("position"))
        gh = world.site_a
        ch = Site.objects.create(organization=world.org_a, name="Community Hospital", code="CH")
        rh = Site.objects.create(organization=world.org_a, name="Rural Hospital", code="RH")
        for site in (gh, ch, rh):
            services.enrolment_save(actor=actor, community=community, site=site, wave=1,
                                    enrolled_on=dt.date(2023, 1, 1))  # fmt: skip
        reached = services.measure_save(
            actor=actor, community=community, code="reached", name="People reached",
            kind=Measure.Kind.PROCESS, reaim_dimension=Measure.ReAim.REACH,
            value_type=Measure.ValueType.COUNT, frequency=Measure.Frequency.MONTHLY,
            direction=Measure.Direction.UP, chart_type=Measure.ChartType.C, stratifiers=[sex],
        )  # fmt: skip
        for period, (g, c, gf, cf) in zip(
            months(3, dt.date(2024, 1, 1)),
            [(100, 50, 60, 30), (120, 50, 70, 30), (80, 50, 40, 30)],
            strict=True,
        ):
            observe(world, reached, gh, period, value=g)
            observe(world, reached, ch, period, value=c)
            observe(world, reached, gh, period, value=gf, category=female)
            observe(world, reached, gh, period, value=g - gf, category=male)
            observe(world, reached, ch, period, value=cf, category=female)
            observe(world, reached, ch, period, value=c - cf, category=male)
        bundle = services.measure_save(
            actor=actor, community=community, code="bundle", name="Sepsis bundle",
            kind=Measure.Kind.OUTCOME, reaim_dimension=Measure.ReAim.EFFECTIVENESS,
            value_type=Measure.ValueType.PROPORTION, frequency=Measure.Frequency.MONTHLY,
            direction=Measure.Direction.UP, chart_type=Measure.ChartType.P, baseline_periods=12,
        )  # fmt: skip
        for i, period in enumerate(months(24, dt.date(2023, 1, 1))):
            observe(world, bundle, gh, period, 60 + i % 3 if i < 12 else 85 + i % 3, 100)
            observe(world, bundle, ch, period, 60 + (1 if i % 2 else -1), 100)
        ReAimProfile.objects.create(
            organization=world.org_a, community=community, eligible_population=1000,
            sites_invited=4, staff_eligible=50, staff_participating=20,
        )  # fmt: skip
        ReachShare.objects.create(organization=world.org_a, community=community,
                                  category=female, eligible_count=600)  # fmt: skip
        ReachShare.objects.create(organization=world.org_a, community=community,
                                  category=male, eligible_count=400)  # fmt: skip
        CostRecord.objects.create(organization=world.org_a, community=community,
                                  incurred_on=dt.date(2024, 2, 1), amount=Decimal("3000"),
                                  currency="USD", description="Training")  # fmt: skip
        CostRecord.objects.create(organization=world.org_a, community=community, site=gh,
                                  incurred_on=dt.date(2024, 3, 1), amount=Decimal("1500"),
                                  currency="USD", description="Monitors")  # fmt: skip
        for status, decision in (("done", "adapt"), ("done", "adopt"), ("running", "")):
            TestOfChange.objects.create(
                organization=world.org_a, community=community, author=world.member,
                title=f"Test {status}", change_idea="Triage sepsis screen", status=status,
                act_decision=decision,
            )  # fmt: skip
    return {"gh": gh, "ch": ch, "rh": rh}


def _page(world, user):
    with scope(organization=world.org_a):
        audience = selectors.audience_for(user=user, community=world.community_a)
        return reaim.one_pager(community=world.community_a, audience=audience, today=TODAY)


def test_reaim_figures_match_the_known_answers(world, known):
    page = _page(world, world.steward)
    data = page.data
    assert data["reach"]["reached"] == 450
    assert data["reach"]["eligible"] == 1000
    assert data["reach"]["proportion"] == pytest.approx(0.45)
    rows = {r["category"]: r for r in data["reach"]["representativeness"][0]["rows"]}
    assert rows["Female"]["ratio_value"] == pytest.approx((260 / 450) / 0.6)
    assert rows["Male"]["ratio_value"] == pytest.approx((190 / 450) / 0.4)
    assert data["adoption"] == {
        "invited": 4, "enrolled": 3, "active": 2, "staff_eligible": 50,
        "staff_participating": 20, "adoption_rate": 0.75,
    }  # fmt: skip
    assert data["implementation"]["tests"]["total"] == 3
    assert data["implementation"]["tests"]["done"] == 2
    assert data["implementation"]["tests"]["adapted"] == 1
    assert data["implementation"]["costs"] == {"USD": "4500.00"}
    assert data["implementation"]["cost_per_site"] == {"USD": "1500.00"}
    assert data["maintenance"]["enrolled"] == 3
    assert data["maintenance"]["still_reporting"] == 2  # RH never reported
    assert data["maintenance"]["improvement_held"] == ["General Hospital"]
    assert data["effectiveness"]["measures"][0]["code"] == "bundle"


def test_each_panel_says_how_complete_it_is_and_what_it_cannot_show(world, known):
    panels = {p.key: p for p in _page(world, world.steward).panels}
    assert list(panels) == ["reach", "effectiveness", "adoption", "implementation",
                                   "maintenance"]  # fmt: skip
    assert (panels["reach"].inputs_present, panels["reach"].inputs_total) == (3, 3)
    assert (panels["adoption"].inputs_present, panels["adoption"].inputs_total) == (3, 3)
    assert any("balancing" in gap for gap in panels["effectiveness"].cannot_show)
    assert any("six months" in gap for gap in panels["maintenance"].cannot_show)
    assert all(p.definition for p in panels.values())


def test_missing_inputs_are_reported_not_guessed(world):
    page = _page(world, world.steward)
    reach = page.panels[0]
    assert reach.inputs_present == 0
    assert any("eligible population" in gap for gap in reach.cannot_show)
    assert page.data["reach"]["proportion"] is None
    assert page.panels[3].cannot_show[0] == "No PDSA cycle is recorded yet."


def test_sponsor_reads_the_printable_one_pager(world, known, client_for):
    give_role(world.community_a, world.sponsor, "sponsor")
    url = reverse(
        "dashboards:dashboard_reaim",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )
    response = client_for(world.sponsor).get(url)  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Reach", "Effectiveness", "Adoption", "Implementation", "Maintenance"):
        assert f">{title}</h2>" in html
    assert "Data completeness:" in html
    assert "dashboards.css" in html  # the print stylesheet (A4 and US Letter)
