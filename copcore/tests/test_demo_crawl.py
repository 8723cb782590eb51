"""The persona crawl: each demo persona logs in through the login form, then every page
reachable by links from their home inside the demo organization is fetched (breadth
first over same-origin GET links, with the browser's session) and must answer without
a 4xx/5xx and without an undefined template variable; and each persona's showcase
list must have something in it. For three personas each distinct page is also opened at
320 CSS pixels and must not scroll sideways (copcore/tests/reflow.py).

The crawl follows links rather than a list of pages, so it keeps working while the
pages and their navigation are redesigned; showcase pages are found by URL name (with
the names they may move to) and checked by the text the demo put there."""

from __future__ import annotations

import copy
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from copcore.demo import DEMO_PASSWORD, seed_demo
from copcore.tests.reflow import pattern, reflow_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORG = "northshore"
MARKER = "@@UNDEFINED-TEMPLATE-VARIABLE@@"
MAX_PAGES = 400  # per persona; the demo's reachable pages are well under this
PER_PATTERN = 2  # /sessions/12/, /sessions/13/...: the same page for another object
SKIP_SUFFIXES = (".csv", ".xlsx", ".ics", ".pdf", ".svg", ".png", ".zip", ".json", ".txt")
SKIP_PARTS = ("/logout", "/download", "/export", "/api/", "/admin/", "/static/", "/media/",
              "/calendar/", "/unsubscribe/", "/i18n/", "/csv", "/files/")  # fmt: skip
PERSONAS = ["convener", "moderator", "facilitator", "steward", "member", "sponsor"]
# Reflow at 320 px (copcore/tests/reflow.py) is checked on the pages of the personas who
# reach the most, and the most different, pages.
REFLOW_PERSONAS = ("convener", "member", "sponsor")


class Links(HTMLParser):
    """The href of every <a> (forms are POST actions or searches: not followed)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href and "download" not in dict(attrs):
                self.hrefs.append(href)


def url(names: list[str], **kwargs) -> str:
    """The first of ``names`` that resolves (pages may move to another namespace)."""
    for name in names:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(names)


def cop(slug: str) -> dict:
    return {"org_slug": ORG, "community_slug": slug}


def dashboard(name: str) -> list[str]:
    return [f"dashboards:{name}", f"measurement:{name}"]


# (persona, URL names, kwargs, texts that must all be on the page)
SHOWCASE = [
    ("convener", ["communities:design_checklist"], cop("alcohol-outreach"),
     ["A published charter", "The target audiences"]),
    ("convener", ["communities:roles"], cop("sepsis"), ["Grace Mensah", "Samuel Osei"]),
    ("convener", ["communities:join_requests"], cop("sepsis"), ["Kofi Asante"]),
    ("convener", ["measurement:review"], cop("sepsis"),
     ["Two cases under review by infection control"]),
    ("convener", ["knowledge:curation_queue"], {"org_slug": ORG},
     ["Antibiotic timing audit template"]),
    ("moderator", ["communities:moderation"], cop("sepsis"), ["dismissive of night staff"]),
    ("steward", ["measurement:imports"], cop("sepsis"), ["cdiff-wave2-"]),
    ("steward", ["measurement:imports"], cop("sepsis"), ["indicadores-region-"]),
    ("convener", ["measurement:import_code_requests"], cop("sepsis"), ["HNORTE"]),
    ("steward", ["measurement:due"], cop("sepsis"), ["Riverside Community Mental Health Team"]),
    ("member", ["sessions:my_actions"], {"org_slug": ORG},
     ["Bring the night-huddle audit", "Share the ward prompt card"]),
    ("member", ["notifications:digest_preview"], {"org_slug": ORG},
     ["Bring the night-huddle audit"]),
    ("facilitator", ["sessions:session_list"], cop("sepsis"), ["Sepsis ECHO clinic"]),
    ("member", ["knowledge:one_search"], {"org_slug": ORG}, ["Search everything"]),
    ("sponsor", dashboard("dashboard_home"), cop("sepsis"),
     ["Sepsis Six bundle completed within one hour"]),
]  # fmt: skip
# Selectors that must match at least once (a chart drawn, rows in a table).
SHOWCASE_SELECTORS = [
    ("sponsor", dashboard("dashboard_home"), cop("sepsis"), "svg, img"),
    ("steward", ["measurement:imports"], cop("sepsis"), "table tbody tr"),
    ("member", ["sessions:my_actions"], {"org_slug": ORG}, "li, tr"),
]


class Undefined(str):
    """Django's ``string_if_invalid``, falsy like the default "" so that filters such as
    ``|default:"—"`` still apply to a missing value (an idiom, not an error); printed
    bare, a missing variable shows the marker, which the crawl looks for."""

    def __new__(cls):
        return super().__new__(cls, "")

    def __html__(self) -> str:
        return MARKER

    def __deepcopy__(self, memo):
        return self


def followable(base: str, href: str) -> str | None:
    absolute, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(absolute)
    origin = urlsplit(base)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        return None
    path = parts.path
    if path.lower().endswith(SKIP_SUFFIXES) or any(p in path for p in SKIP_PARTS):
        return None
    if path != "/" and not path.startswith((f"/o/{ORG}/", "/accounts/profile/")):
        return None  # inside the demo organization only
    return absolute


def crawl(
    page, base: str, start: str, visited_urls: list[str] | None = None
) -> tuple[int, list[str]]:
    """Breadth first from ``start``; returns (pages visited, problems). The addresses of
    the HTML pages visited are appended to ``visited_urls`` when one is given."""
    seen = {urlsplit(start).path}
    per_pattern: Counter[str] = Counter()
    queue = deque([start])
    problems: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        current = queue.popleft()
        response = page.request.get(current, max_redirects=5)
        visited += 1
        if response.status >= 400:
            problems.append(f"{response.status} {current}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        body = response.text()
        if visited_urls is not None:
            visited_urls.append(current)
        if MARKER in body:
            at = body.index(MARKER)
            context = " ".join(body[max(0, at - 120) : at].split())
            problems.append(f"undefined template variable after “{context}” on {current}")
        parser = Links()
        parser.feed(body)
        for href in parser.hrefs:
            target = followable(response.url, href)
            if target is None:
                continue
            key = urlsplit(target).path  # one visit per path: ?page=2, filters...
            if key in seen or per_pattern[pattern(key)] >= PER_PATTERN:
                continue
            seen.add(key)
            per_pattern[pattern(key)] += 1
            queue.append(target)
    if queue:
        problems.append(f"more than {MAX_PAGES} pages reachable: raise MAX_PAGES")
    return visited, problems


@pytest.fixture
def strict_templates(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = Undefined()
    settings.TEMPLATES = templates
    return settings


def reference_data() -> None:
    """Transactional tests empty every table when they end, the CFIR and ERIC lists that
    a data migration loads included; load them again if an earlier test removed them."""
    import importlib

    from django.apps import apps

    from evaluation.models import CfirConstruct

    if not CfirConstruct.objects.exists():
        importlib.import_module("evaluation.migrations.0002_reference_data").load(apps, None)


def test_every_persona_reaches_every_page_and_finds_work(
    strict_templates, live_server, browser_login
):
    reference_data()
    seed_demo()
    base = live_server.url
    report: dict[str, int] = {}
    reflowed: dict[str, int] = {}
    problems: list[str] = []
    for persona in PERSONAS:
        page = browser_login(f"{persona}@example.org", DEMO_PASSWORD)
        assert "/accounts/login/" not in page.url, f"{persona} could not log in"
        addresses: list[str] = []
        visited, found = crawl(page, base, base + "/", visited_urls=addresses)
        report[persona] = visited
        problems += [f"{persona}: {p}" for p in found]
        if persona in REFLOW_PERSONAS:
            checked, too_wide = reflow_problems(page, addresses)
            reflowed[persona] = checked
            problems += [f"{persona}: at 320 px, {p}" for p in too_wide]
        for who, names, kwargs, texts in SHOWCASE:
            if who != persona:
                continue
            target = url(names, **kwargs)
            page.goto(target)
            content = page.content()
            problems += [f"{persona}: “{t}” not on {target}" for t in texts if t not in content]
        for who, names, kwargs, selector in SHOWCASE_SELECTORS:
            if who == persona:
                target = url(names, **kwargs)
                page.goto(target)
                if page.locator(f"main {selector}").count() == 0:
                    problems.append(f"{persona}: nothing matches “{selector}” on {target}")
        page.context.clear_cookies()
    assert all(n > 10 for n in report.values()), report
    assert all(n > 20 for n in reflowed.values()), reflowed
    print("pages visited per persona:", report, "checked at 320 px:", reflowed)
    assert not problems, "\n".join(problems)
    assert isinstance(settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"], Undefined)
