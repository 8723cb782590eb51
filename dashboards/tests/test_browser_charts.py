"""Charts in a real browser (issue 21): the run chart fills the content column at
1280 px with text of 12 px or more and markers that do not overprint, and a full
RE-AIM one-pager prints on one A4 and one US Letter page (Chromium's own
print-to-PDF, pages counted with pypdf)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope
from pypdf import PdfReader

from dashboards import services as dash_services
from dashboards.models import CostRecord, ReAimProfile
from dashboards.tests.helpers import months, observe
from measurement import services
from measurement.models import Measure, Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _kw(world, **extra):
    return {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **extra}


def test_the_run_chart_fills_the_column_with_readable_text_and_separate_markers(
    world, dash, browser_login
):
    with scope(organization=world.org_a):
        for day in (dt.date(2023, 6, 3), dt.date(2023, 6, 20), dt.date(2023, 7, 1)):
            dash_services.chart_note_add(
                actor=world.steward, measure=dash.bundle, period=day, text=f"Note {day}"
            )
    page = browser_login(world.steward.email)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(reverse("dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk)))
    figures = page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const style = getComputedStyle(main);
          const column = main.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          const svg = document.querySelector('figure.dash-chart svg');
          const width = svg.getBoundingClientRect().width;
          const scale = width / svg.viewBox.baseVal.width;
          const sizes = [...svg.querySelectorAll('text')].map(
            t => parseFloat(t.getAttribute('font-size')) * scale);
          const markers = [...svg.querySelectorAll('text')]
            .filter(t => ['1', '2', '3'].includes(t.textContent))
            .map(t => { const b = t.getBoundingClientRect();
                        return [b.left, b.top, b.right, b.bottom]; });
          const focusable = svg.querySelectorAll('a, [tabindex], [href]').length;
          return {column, width, smallest: Math.min(...sizes), markers, focusable};
        }"""
    )
    assert figures["width"] >= 0.9 * figures["column"], figures
    assert figures["smallest"] >= 12, figures
    assert figures["focusable"] == 0
    boxes = figures["markers"]
    assert len(boxes) == 3
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), boxes
    # The list under the chart carries the links, one per number.
    annotations = page.locator("ol.annotations li")
    assert annotations.count() == 3
    assert annotations.first.inner_text().startswith("1.")


def _full_cop(world, dash):
    """The dashboard world grown to what a busy CoP shows: twelve sites in three
    waves (more than were invited), measures with long names in every RE-AIM
    dimension (eight for Maintenance), Reach measures by sex, costs in two currencies."""
    actor = world.convener
    community = dash.community
    with scope(organization=world.org_a):
        extra = []
        for k in range(9):
            site = Site.objects.create(
                organization=world.org_a,
                name=f"Regional Community and District General Hospital number {k + 1}",
                code=f"R{k + 1}",
            )
            services.enrolment_save(actor=actor, community=community, site=site,
                                    wave=1 + k % 3, enrolled_on=dt.date(2023, 1, 1))  # fmt: skip
            extra.append(site)
        for i, period in enumerate(dash.periods):
            for site in extra:
                observe(world, dash.bundle, site, period, 55 if i < 12 else 90, 100)
        for dimension in (Measure.ReAim.REACH, Measure.ReAim.ADOPTION,
                          Measure.ReAim.IMPLEMENTATION, Measure.ReAim.MAINTENANCE):  # fmt: skip
            for n in range(8 if dimension == Measure.ReAim.MAINTENANCE else 3):
                measure = services.measure_save(
                    actor=actor, community=community, code=f"{dimension}-{n}",
                    name=f"Patients screened with the full sepsis tool on arrival, {dimension} {n}",
                    kind=Measure.Kind.PROCESS, reaim_dimension=dimension,
                    value_type=Measure.ValueType.COUNT, frequency=Measure.Frequency.MONTHLY,
                    direction=Measure.Direction.UP, chart_type=Measure.ChartType.C,
                    stratifiers=[dash.sex] if dimension == Measure.ReAim.REACH else [],
                )  # fmt: skip
                for period in months(14):
                    for site in dash.sites:
                        observe(world, measure, site, period, value=20)
                        if dimension == Measure.ReAim.REACH:
                            observe(world, measure, site, period, value=12, category=dash.female)
                            observe(world, measure, site, period, value=8, category=dash.male)
        ReAimProfile.objects.create(
            organization=world.org_a, community=community, eligible_population=5000,
            eligible_description="Adults arriving at the emergency department with a positive "
            "sepsis screen, in every enrolled hospital, per year",
            sites_invited=9, staff_eligible=420, staff_participating=265,
        )  # fmt: skip
        for currency in ("USD", "EUR"):
            CostRecord.objects.create(organization=world.org_a, community=community,
                                      incurred_on=dt.date(2024, 2, 1), amount=Decimal("3000"),
                                      currency=currency, description="Training")  # fmt: skip


def test_a_full_reaim_one_pager_prints_on_one_a4_and_one_letter_page(world, dash, browser_login):
    _full_cop(world, dash)
    page = browser_login(world.steward.email)
    page.goto(reverse("dashboards:dashboard_reaim", kwargs=_kw(world)))
    text = page.locator("main").inner_text()
    assert "more enrolled than were invited: 12 enrolled, 9 invited" in text
    assert "133" not in text
    page.emulate_media(media="print")
    for paper in ("A4", "Letter"):
        pdf = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))
        assert len(pdf.pages) == 1, f"the one-pager takes {len(pdf.pages)} {paper} pages"
        printed = pdf.pages[0].extract_text()
        assert "Maintenance" in printed and "RE-AIM: re-aim.org" in printed
    # A long list prints its first six rows and says how many more the screen shows.
    assert page.get_by_text("and 2 more measures on the screen version").is_visible()
