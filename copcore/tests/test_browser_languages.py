"""Browser journey: a person switches to French with the language menu and to
Portuguese on the profile page, and five main pages show no English text from the
catalogs (every catalog message of four words or more whose translation differs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.browser

MIN_WORDS = 4


def english_messages(language: str) -> set[str]:
    """The English msgids of the language's catalogs that a page would show translated."""
    from babel.messages.pofile import read_po

    found: set[str] = set()
    root = Path(settings.BASE_DIR)
    for path in sorted(root.glob(f"*/locale/{language}/LC_MESSAGES/django.po")) + sorted(
        root.glob(f"locale/{language}/LC_MESSAGES/django.po")
    ):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            string = message.string[0] if isinstance(message.string, tuple) else message.string
            if not msgid or not string or string == msgid or message.fuzzy:
                continue
            if re.search(r"[%{<]", msgid) or len(msgid.split()) < MIN_WORDS:
                continue  # placeholders and markup never appear as written
            found.add(" ".join(msgid.split()))
    return found


def pages(world) -> list[str]:
    org = world.org_a.slug
    return [
        f"/o/{org}/",
        f"/o/{org}/communities/{world.community_a.slug}/",
        f"/o/{org}/knowledge/",
        f"/o/{org}/data/",
        "/accounts/profile/",
    ]


def english_on(page, url: str, messages: set[str]) -> list[str]:
    page.goto(url)
    assert page.evaluate("document.documentElement.lang") in ("fr", "pt"), url
    text = " ".join(page.inner_text("body").split())
    return sorted(m for m in messages if m in text)


def test_french_and_portuguese_pages_show_no_english_catalog_text(world, browser_login):
    french = english_messages("fr")
    portuguese = english_messages("pt")
    assert len(french) > 500 and len(portuguese) > 500  # the catalogs are there
    page = browser_login(world.convener.email)
    page.goto(f"/o/{world.org_a.slug}/")

    # French, through the language menu in the header.
    page.locator("#language-select").select_option("fr")
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "fr"
    leaks = {url: english_on(page, url, french) for url in pages(world)}
    assert not any(leaks.values()), leaks

    # Portuguese, through the profile page.
    page.goto("/accounts/profile/")
    page.locator("#id_language").select_option("pt")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    world.convener.refresh_from_db()
    assert world.convener.language == "pt"
    leaks = {url: english_on(page, url, portuguese) for url in pages(world)}
    assert not any(leaks.values()), leaks
