"""Browser journey: a sponsor logs in and reads the RE-AIM one-pager, which prints on
one A4 and one US Letter page."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sponsor_logs_in_and_reads_the_one_pager(world, dash, browser_login):
    page = browser_login(world.sponsor.email)
    page.goto(reverse("dashboards:dashboard_index", kwargs={"org_slug": world.org_a.slug}))
    page.get_by_role("link", name="RE-AIM one-pager").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("RE-AIM one-pager")
    for title in ("Reach", "Effectiveness", "Adoption", "Implementation", "Maintenance"):
        assert page.get_by_role("heading", name=title, exact=True).is_visible()
    assert page.get_by_text("Data completeness:").first.is_visible()
    assert page.get_by_text("What this panel cannot show").first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()  # print CSS: the page alone
    clipped = page.evaluate(
        "() => { const a = document.querySelector('.reaim-page');"
        " return [a.scrollHeight, a.clientHeight]; }"
    )
    assert clipped[0] <= clipped[1] + 1, f"content cut off in print: {clipped}"
    for paper in ("A4", "Letter"):
        pdf = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))
        assert len(pdf.pages) == 1, f"the one-pager takes {len(pdf.pages)} {paper} pages"
