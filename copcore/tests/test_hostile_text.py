"""User text is untrusted everywhere: the demo is seeded, then EVERY user-writable text
field of every row is overwritten with script-injection payloads, and every page the
personas reach (the persona crawl, through the Django test client) must show them as
text only. The HTML is parsed: no ``<script>`` but our own static files, no ``on*``
attribute, no ``javascript:`` link, no element a payload could have made, no inline
style (the CSP forbids it), and every HTML response carries the Content-Security-Policy.
The digest (preview page, email text and HTML) is checked the same way, and one browser
run proves that no dialog opens and the CSP reports no violation on those pages."""

from __future__ import annotations

from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.test import Client
from django.urls import reverse
from django.utils.safestring import SafeData
from django_scopes import scopes_disabled

from copcore.demo import DEMO_PASSWORD, seed_demo
from copcore.models import User
from copcore.tests.test_demo_crawl import (
    MAX_PAGES,
    ORG,
    PER_PATTERN,
    PERSONAS,
    Links,
    followable,
    pattern,
    reference_data,
)

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD = (
    '<img src=x onerror=alert(1)> <script>alert(1)</script> "><svg onload=alert(1)> '
    '[click](javascript:alert(1)) <a href="javascript:alert(1)">go</a> \'><b onmouseover=alert(1)>'
)
# For short fields, the longest of these that fits (with the row's " #<pk>").
SHORT_PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "<svg onload=alert(1)>",
]
APPS = {"copcore", "communities", "knowledge", "measurement", "dashboards", "cop_sessions",
        "evaluation", "notifications"}  # fmt: skip
# Machine values, secrets and fixed reference data: not written by people.
NOT_USER_TEXT = {
    "copcore.User": {"password"},
    "copcore.AccessVersion": {"token"},
    "copcore.AuditEvent": {"verb", "target_id", "request_id"},
    "communities.PostAttachment": {"content_type", "sha256"},
    "knowledge.StoredFile": {"content_type", "sha256"},
    "knowledge.AssetVersion": {"sha256"},
    "measurement.ImportBatch": {"staged_file", "checksum", "encoding", "delimiter"},
    "dashboards.MeasureChartPreference": {"chart_type"},
    "dashboards.CostRecord": {"currency"},
    "dashboards.DashboardDataVersion": {"token"},
    "cop_sessions.SessionSeries": {"rrule", "time_zone"},
    "cop_sessions.Session": {"time_zone"},
    "cop_sessions.CalendarFeedToken": {"token_hash"},
    "evaluation.Question": {"code", "objective"},
    "evaluation.ResultsRecord": {"sha256"},
    "notifications.DeliveryRecord": {"period_key", "message_id"},
}
REFERENCE_MODELS = {"evaluation.CfirDomain", "evaluation.CfirConstruct", "evaluation.EricCluster",
                    "evaluation.EricStrategy"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


def user_text_fields(model) -> list[models.Field]:
    skip = NOT_USER_TEXT.get(model._meta.label, set())
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and not isinstance(f, (models.SlugField, models.EmailField, models.URLField))
        and not f.choices
        and not f.primary_key
        and f.name not in skip
        and (f.editable or f.name == "body_html")  # stored HTML is poisoned too
    ]


def poison_everything() -> list[str]:
    """Overwrite every user-writable text of every row with payloads (each row's value
    ends with its own id, so unique names stay unique). Returns the fields written."""
    written = []
    with scopes_disabled():
        for model in apps.get_models():
            label = model._meta.label
            if model._meta.app_label not in APPS or label in REFERENCE_MODELS:
                continue
            if model.__name__.startswith("Historical"):
                continue
            updates = {}
            for f in user_text_fields(model):
                room = (f.max_length or 10_000) - 8  # " #" and the id
                fitting = [p for p in [PAYLOAD, *SHORT_PAYLOADS] if len(p) <= room]
                if not fitting:
                    continue
                updates[f.name] = Concat(
                    Value(fitting[0] + " #"), Cast("pk", CharField()), output_field=f.__class__()
                )
                written.append(f"{label}.{f.name}")
            if updates:
                with transaction.atomic(), connection.cursor() as cursor:
                    # Published versions are immutable (database triggers): the test
                    # plays a person who wrote the payloads in the first place.
                    cursor.execute("SET LOCAL session_replication_role = replica")
                    model._base_manager.update(**updates)
    return written


class Hostile(HTMLParser):
    """Everything in a page that could run a script or that the CSP would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style (blocked by the CSP)")
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script> not from our static files: {values}")
        if tag in {"iframe", "object", "embed", "base", "style", "frame"}:
            self.problems.append(f"<{tag}> element")
        if tag == "img" and values.get("src") == "x":
            self.problems.append("<img src=x> from a payload")


def page_problems(html: str) -> list[str]:
    parser = Hostile()
    parser.feed(html)
    parser.close()
    return parser.problems


def csp_problems(response) -> list[str]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    wanted = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    return [
        f"CSP {name} is {directives.get(name)!r}, not {value!r}"
        for name, value in wanted.items()
        if directives.get(name) != value
    ]


def extra_pages() -> list[str]:
    """Pages the links do not lead to but people reach: search results, digest preview."""
    return [
        reverse("knowledge:search", kwargs={"org_slug": ORG}) + "?q=alert",
        reverse("notifications:digest_preview", kwargs={"org_slug": ORG}),
    ]


def client_crawl(client: Client, start: str) -> tuple[list[str], list[str]]:
    """Breadth first over same-origin links (as the persona crawl); returns the HTML
    pages seen and the problems found on them."""
    base = "http://testserver"
    seen = {urlsplit(start).path}
    per_pattern: Counter[str] = Counter()
    queue = deque([start, *extra_pages()])
    pages: list[str] = []
    problems: list[str] = []
    while queue and len(pages) < MAX_PAGES:
        current = queue.popleft()
        response = client.get(current, follow=True)
        if response.status_code >= 400:
            problems.append(f"{response.status_code} {current}")
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        pages.append(current)
        html = response.content.decode()
        problems += [f"{current}: {p}" for p in page_problems(html) + csp_problems(response)]
        links = Links()
        links.feed(html)
        for href in links.hrefs:
            target = followable(base + current, href)
            if target is None:
                continue
            key = urlsplit(target).path
            if key in seen or per_pattern[pattern(key)] >= PER_PATTERN:
                continue
            seen.add(key)
            per_pattern[pattern(key)] += 1
            parts = urlsplit(target)
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages, problems


@pytest.fixture
def hostile_demo():
    reference_data()
    seed_demo()
    written = poison_everything()
    assert len(written) > 150, written  # every app's text fields, not a sample
    return written


def test_hostile_text_in_every_field_never_becomes_markup_on_any_page(hostile_demo):
    problems: list[str] = []
    visited: dict[str, int] = {}
    for persona in PERSONAS:
        client = Client()
        client.force_login(User.objects.get(email=f"{persona}@example.org"))
        pages, found = client_crawl(client, "/")
        visited[persona] = len(pages)
        problems += [f"{persona}: {p}" for p in found]
    assert all(n > 10 for n in visited.values()), visited
    # The payloads did reach the pages, escaped: the crawl read them, it did not skip them.
    client = Client()
    client.force_login(User.objects.get(email="member@example.org"))
    html = client.get(reverse("knowledge:search", kwargs={"org_slug": ORG}) + "?q=alert")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html.content.decode()
    assert not problems, "\n".join(sorted(set(problems)))


def test_the_digest_of_hostile_text_is_plain_text_and_escaped_html(hostile_demo):
    from notifications.digest import compose_digests

    with scopes_disabled():
        people = list(User.objects.filter(is_active=True).values_list("pk", flat=True))
    digests = compose_digests(people)
    assert digests, "the demo has news for someone"
    for digest in digests:
        assert not isinstance(digest.text, SafeData)
        assert "onerror=alert(1)" in digest.text  # the titles, as the plain text they are
        assert "<p>" not in digest.text and "<li>" not in digest.text
        # An email keeps its inline styles (mail clients need them): everything else
        # that could run or carry a payload is absent.
        assert [p for p in page_problems(digest.html) if "inline style" not in p] == []
        assert "<img src=x" not in digest.html and "<svg onload" not in digest.html


@pytest.mark.browser
def test_no_dialog_opens_and_the_csp_is_never_violated_in_a_browser(
    hostile_demo, live_server, browser_login
):
    client = Client()
    client.force_login(User.objects.get(email="member@example.org"))
    pages, _problems = client_crawl(client, "/")
    page = browser_login("member@example.org", DEMO_PASSWORD)
    assert "/accounts/login/" not in page.url
    dialogs: list[str] = []
    violations: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in pages[:80]:
        page.goto(path)
        page.wait_for_load_state()
    assert dialogs == []
    assert violations == []
    page.goto(extra_pages()[0])  # search results: the payload is shown, as text
    assert "<img src=x onerror=alert(1)>" in page.inner_text("main")
