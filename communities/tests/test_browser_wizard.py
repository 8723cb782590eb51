"""The design wizard's step list is readable at every width: no step's number or label
overlaps another's (it read "Name2. Topic" when the list wrapped)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERLAPS = """() => {
  const boxes = Array.from(document.querySelectorAll('.wizard-steps li'))
    .map(li => li.getBoundingClientRect());
  const pairs = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b, j) => {
    const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
    if (!apart) { pairs.push([i + 1, i + j + 2]); }
  }));
  return {count: boxes.length, pairs: pairs,
          wide: document.documentElement.scrollWidth > document.documentElement.clientWidth};
}"""


@pytest.mark.parametrize("width", [320, 768, 1280])
def test_wizard_steps_never_overlap(world, browser_login, width):
    page = browser_login(world.convener.email)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(
        reverse(
            "communities:design_step",
            kwargs={
                "org_slug": world.org_a.slug,
                "community_slug": world.community_a.slug,
                "step": "problem",
            },
        )
    )
    result = page.evaluate(OVERLAPS)
    assert result["count"] >= 6
    assert result["pairs"] == []
    assert not result["wide"]
    numbered = page.evaluate(
        "getComputedStyle(document.querySelector('.wizard-steps li'), '::before').content"
    )
    assert "counter(wizard-step)" in numbered  # each step still shows its number
    # ... inside its own box: a marker drawn outside the item overlapped its neighbour.
    marker = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.wizard-steps li'));"
        " return [s.listStyleType, s.listStylePosition]; })()"
    )
    assert marker[0] == "none" or marker[1] == "inside"
