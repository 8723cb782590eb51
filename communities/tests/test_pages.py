"""Every communities page renders for the convener, with headings and labelled forms."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from communities import urls
from communities.tests.isolation import path_values

pytestmark = pytest.mark.django_db

DOWNLOADS = {"attachment_download"}
# Redirects to a page checked here (thread_unread: the thread at its first unread post).
REDIRECTS = {"thread_unread"}
POST_ONLY = {
    "thread_subscription",
    "workstream_subscription",
    "thread_answer",
    "post_helpful",
    "role_end",
    "invitation_respond",
    "charter_acknowledge",
    "thread_moderate",
    "thread_tags",
    "flag_resolve",
}


def _routes(patterns, kwargs=frozenset({"org_slug"})):
    """(name, path kwargs) of every page route of the app."""
    for entry in patterns:
        names = kwargs | set(getattr(entry.pattern, "converters", {}))
        if hasattr(entry, "url_patterns"):
            yield from _routes(entry.url_patterns, names)
        elif entry.name:
            yield entry.name, names


def test_every_page_renders_for_the_convener(world, client_for):
    values = {
        **{k: str(v) for k, v in path_values(world).items()},
        "org_slug": world.org_a.slug,
        "community_slug": world.community_a.slug,
    }
    client = client_for(world.convener)
    checked = 0
    for name, kwargs in _routes(urls.urlpatterns):
        if name in POST_ONLY | DOWNLOADS | REDIRECTS:
            continue
        response = client.get(reverse(f"communities:{name}", kwargs={k: values[k] for k in kwargs}))
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        assert html.count("<h1") == 1, name
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            found = re.search(r'\sid="([^"]+)"', tag)
            if not found or 'type="hidden"' in tag or found.group(1) == "language-select":
                continue
            assert f'for="{found.group(1)}"' in html, (name, found.group(1))
        checked += 1
    assert checked >= 25


def test_pages_and_form_errors_speak_the_persons_language(world, client_for):
    world.convener.language = "es"
    world.convener.save()
    client = client_for(world.convener)
    kwargs = {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug}
    page = client.get(reverse("communities:design_checklist", kwargs=kwargs)).content.decode()
    assert "Lista de comprobación del diseño" in page
    response = client.post(
        reverse("communities:design_step", kwargs={**kwargs, "step": "results"}),
        {"description_1": "", "how_checked_1": "Auditoría mensual"},
    )
    text = response.content.decode()
    assert "Describa al menos un resultado esperado." in text
    assert "Auditoría mensual" in text  # what was typed is kept
