"""The one renderer: Markdown (and the HTML it may carry) becomes sanitised HTML, or
plain text; asset bodies and the charter are shown rendered, not as tags or marks."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.safestring import SafeData
from django_scopes import scope

from communities import services as community_services
from copcore.rendering import plain_text, render_markdown, safe_stored_html
from knowledge import services as knowledge_services

HTML_BODY = "<p>Screen <strong>every</strong> adult.</p><ul><li>NEWS2</li><li>Lactate</li></ul>"
MARKDOWN_CHARTER = "## Purpose\n\nCut the **time to antibiotics** in half.\n\n- Screen\n- Treat"


class VisibleText(HTMLParser):
    """The text a reader sees in <main> (scripts and styles are not text)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


def test_markdown_and_its_html_are_rendered_and_sanitised():
    html = render_markdown(
        "# Title\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> [ok](https://example.org)\n\n' + HTML_BODY
    )
    assert isinstance(html, SafeData)
    assert "<h3>Title</h3>" in html and "<strong>bold</strong>" in html
    assert "<li>NEWS2</li>" in html  # HTML in the text renders as far as the allow-list
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert 'href="https://example.org"' in html
    assert "<h2>Title</h2>" in render_markdown("# Title", top_heading=2)
    assert "<h6>Deep</h6>" in render_markdown("##### Deep", top_heading=4)


def test_stored_html_is_cleaned_again_on_the_way_out():
    stored = '<p onclick="x()">Hi <span class="mention">@Ana</span><script>1</script></p>'
    shown = safe_stored_html(stored)
    assert shown == '<p>Hi <span class="mention">@Ana</span></p>'


def test_plain_text_has_no_markup_at_all():
    text = plain_text(
        MARKDOWN_CHARTER + "\n\n" + HTML_BODY + "\n\n<script>alert(1)</script>\n\nA &amp; B"
    )
    assert not isinstance(text, SafeData)
    assert text == (
        "Purpose\nCut the time to antibiotics in half.\n- Screen\n- Treat\n"
        "Screen every adult.\n- NEWS2\n- Lactate\nA & B"
    )
    assert plain_text("") == "" and plain_text(None) == ""


@pytest.mark.django_db
def test_asset_body_in_html_and_in_markdown_is_shown_rendered(world, client_for):
    with scope(organization=world.org_a):
        asset = knowledge_services.asset_create(
            actor=world.convener,
            organization=world.org_a,
            community=world.community_a,
            kind="checklist",
            title="Screening checklist",
            body=HTML_BODY + "\n\n## After triage\n\n**Recheck** in an hour.",
            visibility="community",
        )
    page = client_for(world.convener).get(
        reverse("knowledge:asset_detail", kwargs={"org_slug": "network-a", "asset_id": asset.pk})
    )
    html = page.content.decode()
    text = visible_text(html)
    assert "Screen every adult." in text and "Recheck in an hour." in text
    assert "<p>" not in text and "<li>" not in text and "##" not in text and "**" not in text
    assert "<li>NEWS2</li>" in html and "<h3>After triage</h3>" in html


@pytest.mark.django_db
def test_charter_markdown_is_shown_rendered(world, client_for):
    with scope(organization=world.org_a):
        community_services.charter_draft_update(
            actor=world.convener,
            community=world.community_a,
            sections={"purpose": MARKDOWN_CHARTER, "norms": "<p>Be <em>kind</em>.</p>"},
        )
        community_services.charter_publish(
            actor=world.convener, community=world.community_a, change_note="First"
        )
    page = client_for(world.member).get(
        reverse(
            "communities:charter",
            kwargs={"org_slug": "network-a", "community_slug": world.community_a.slug},
        )
    )
    html = page.content.decode()
    text = visible_text(html)
    assert "Cut the time to antibiotics in half." in text and "Be kind." in text
    assert "##" not in text and "**" not in text and "<p>" not in text
    assert "<strong>time to antibiotics</strong>" in html and "<h5>Purpose</h5>" in html


@pytest.mark.django_db
def test_plain_text_emails_carry_user_text_as_written_not_as_html(
    world, django_capture_on_commit_callbacks
):
    """Text emails are text: a title with quotes and brackets arrives as typed (it read
    ``Tom&#x27;s &lt;b&gt;``), the curator's Markdown arrives without its marks."""
    from django.core import mail

    from knowledge.models import FieldNote

    with scope(organization=world.org_a):
        note = knowledge_services.field_note_create(
            actor=world.member,
            community=world.community_a,
            title="Tom's <b>night</b> & day",
            body="Body",
        )
        knowledge_services.field_note_submit(actor=world.member, note=note)
        with django_capture_on_commit_callbacks(execute=True):
            knowledge_services.field_note_request_changes(
                actor=world.convener,
                note=note,
                reason="Add **the site** and [dates](https://x.org).",
            )
        assert FieldNote.objects.get(pk=note.pk).curation_note.startswith("Add **")
    message = mail.outbox[-1]
    assert "Tom's <b>night</b> & day" in message.subject + message.body
    assert "&#x27;" not in message.body and "&lt;" not in message.body
    assert "Add the site and dates." in message.body


def test_mentions_are_marked_before_the_sanitiser_so_nothing_is_added_after_it():
    """A mention inside a link's title or address cannot add markup: the highlighting
    runs before the cleaning, so what is marked safe is the sanitiser's output."""
    from html.parser import HTMLParser

    from copcore.rendering import render_markdown

    class Attributes(HTMLParser):
        def __init__(self):
            super().__init__()
            self.seen: list[tuple[str, str]] = []

        def handle_starttag(self, tag, attrs):
            self.seen += [(tag, name) for name, _value in attrs]

    for text in (
        '[x](http://a "@[ onmouseover=alert(1) x]")',
        '<a href="http://x/@[a onclick=alert(1)]">l</a>',
    ):
        parser = Attributes()
        parser.feed(str(render_markdown(text, mentions=True)))
        assert all(name in {"href", "title", "rel", "class"} for _tag, name in parser.seen)
    assert str(render_markdown("Hi @[Ana Lopez]", mentions=True)) == (
        '<p>Hi <span class="mention">@Ana Lopez</span></p>'
    )
