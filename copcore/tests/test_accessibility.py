"""axe-core on the key pages: no serious or critical accessibility violation.

axe-core is a test-only npm package pinned in package.json (``npm ci --ignore-scripts``
installs it into node_modules/, which git ignores; .ci/run does this). It is injected
into each page from that file, never committed and never loaded from a CDN. Without it
the test skips and says why; CI forbids skips, so there it always runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from communities.tests.helpers import make_thread

# axe is injected as a script of the test's own: the browser lets it past the pages' CSP.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.bypass_csp,
    pytest.mark.django_db(transaction=True),
]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def key_pages(world, thread_id: int) -> dict[str, str]:
    org = world.org_a.slug
    cop = {"org_slug": org, "community_slug": world.community_a.slug}
    return {
        "home": reverse("org_home", kwargs={"org_slug": org}),
        "CoP overview": reverse("communities:detail", kwargs=cop),
        "discussions": reverse("communities:workstreams", kwargs=cop),
        "a thread": reverse("communities:thread_detail", kwargs={**cop, "thread_id": thread_id}),
        "sessions": reverse("sessions:session_list", kwargs=cop),
        "data": reverse("measurement:community", kwargs=cop),
        "dashboard": reverse("dashboards:dashboard_home", kwargs=cop),
        "evaluation": reverse("evaluation:home", kwargs=cop),
        "search results": reverse("knowledge:one_search", kwargs={"org_slug": org})
        + "?q=screening",
    }


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


@pytest.mark.parametrize("persona", ["convener", "member"])
def test_key_pages_have_no_serious_axe_violations(world, browser_login, persona):
    if not AXE.exists():
        pytest.skip("needs axe-core: run `npm ci --ignore-scripts` (.ci/run does)")
    from dashboards.tests.helpers import dash_world

    dash_world(world)
    _workstream, thread = make_thread(world, title="Screening tools")
    page = browser_login(getattr(world, persona).email)
    problems = []
    for name, url in key_pages(world, thread.pk).items():
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{name}: {url}"
        for v in violations(page):
            problems.append(f"{name} ({url}): {v['impact']} {v['id']}: {v['help']} {v['nodes']}")
    assert not problems, "\n".join(problems)


def test_sign_in_pages_have_no_serious_axe_violations(world, browser_page, browser_login):
    """The log-in and password pages (allauth's, in the platform's layout), the second
    factor's pages and the organization's sign-in settings."""
    if not AXE.exists():
        pytest.skip("needs axe-core: run `npm ci --ignore-scripts` (.ci/run does)")
    problems = []

    def check(name: str, url: str) -> None:
        response = browser_page.goto(url)
        assert response is not None and response.status == 200, f"{name}: {url}"
        for v in violations(browser_page):
            problems.append(f"{name} ({url}): {v['impact']} {v['id']}: {v['help']} {v['nodes']}")

    check("log in", reverse("account_login"))
    check("password reset", reverse("account_reset_password"))
    browser_login(world.convener.email)
    org = world.org_a.slug
    check("sign-in settings", reverse("sso:settings", kwargs={"org_slug": org}))
    check("new provider", reverse("sso:provider_create", kwargs={"org_slug": org}))
    check("second factor", reverse("mfa_index"))
    check("authenticator set-up", reverse("mfa_activate_totp"))
    check("password change", reverse("account_change_password"))
    assert not problems, "\n".join(problems)
