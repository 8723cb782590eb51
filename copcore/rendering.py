"""The one way user-written text becomes HTML, and the one way it becomes plain text.

Every long text a person writes (asset bodies and versions, field notes, PDSA tests,
charters, posts, session records, decisions, digests, exports) is Markdown. It may
carry a little HTML (the demo's asset bodies do); that is allowed through only as far
as the sanitiser's allow-list. ``render_markdown`` renders with the ``Markdown``
library, then cleans the result with nh3 (an allow-list: no scripts, no event
handlers, no styles, no images, only http/https/mailto links). Its output is the only
user-derived HTML the templates may mark safe; templates reach it through the
``markdown`` filter (``copcore/templatetags/rendering.py``).

``plain_text`` gives the same text without any markup, for snippets, search, the
plain-text part of emails and anything else that is not HTML.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em",
    "code", "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
    "ins",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
# Stored post HTML also keeps the highlighted @mention (added after sanitising).
MENTION_CLASSES = {"span": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "sane_lists"]

# ``@[Display Name]`` (names with spaces) or ``@person@example.org`` (an email address).
MENTION_BRACKETS = re.compile(r"@\[([^\]\n]{1,150})\]")
MENTION_EMAIL = re.compile(r"(?<![\w.])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
# A name without tag characters, in cleaned HTML; the sanitiser then runs again.
_RENDERED_MENTION = re.compile(r"@\[([^\]<>\n]{1,150})\]")
_HEADING = re.compile(r"<(/?)h([1-6])>")


def sanitise_html(html_text: str, *, keep_mentions: bool = False) -> str:
    """Clean HTML with the allow-list. Used on the Markdown output, and on HTML that
    was rendered and stored earlier (a post's ``body_html``) before it is shown; with
    ``keep_mentions`` it keeps ``<span class="mention">`` (posts)."""
    return nh3.clean(
        html_text or "",
        tags=ALLOWED_TAGS | {"span"} if keep_mentions else ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=MENTION_CLASSES if keep_mentions else None,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def _shift_headings(html_text: str, top_heading: int) -> str:
    """A ``#`` heading becomes ``<h{top_heading}>`` so that user text never breaks the
    heading order of the page around it (capped at h6). Only bare heading tags match;
    the sanitiser runs afterwards."""
    if top_heading <= 1:
        return html_text
    return _HEADING.sub(
        lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + top_heading - 1, 6)}>", html_text
    )


def _mark_mentions(html_text: str) -> str:
    """Show ``@[Name]`` as a highlighted ``@Name`` (text, so readable without styles)."""
    return _RENDERED_MENTION.sub(r'<span class="mention">@\1</span>', html_text)


def render_markdown(
    text: str | None, *, top_heading: int = 3, mentions: bool = False
) -> SafeString:
    """Markdown to sanitised HTML, marked safe (it passed the sanitiser).

    ``top_heading``: the level a ``#`` heading takes (3 under a page's h1 and h2).
    ``mentions``: highlight ``@[Name]`` mentions (discussion posts)."""
    rendered = markdown.markdown(text or "", extensions=MARKDOWN_EXTENSIONS, output_format="html")
    cleaned = sanitise_html(_shift_headings(rendered, top_heading))
    if mentions:
        # Marked on the cleaned text (so "@[Ana <b>Lopez</b>]" is found), then cleaned
        # again: what is marked safe is always the sanitiser's output, and a mention
        # inside a link's title cannot add markup.
        cleaned = sanitise_html(_mark_mentions(cleaned), keep_mentions=True)
    return mark_safe(cleaned)  # noqa: S308 - the sanitiser's output


def safe_stored_html(html_text: str | None) -> SafeString:
    """HTML rendered by ``render_markdown`` and stored (a post's ``body_html``),
    cleaned again on the way out: nothing read back from the database is trusted."""
    cleaned = sanitise_html(html_text or "", keep_mentions=True)
    return mark_safe(cleaned)  # noqa: S308 - the sanitiser's output


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|tr|table|ul|ol)>|<br\s*/?>|<hr\s*/?>")
_CELL_END = re.compile(r"</t[dh]>")
_LIST_ITEM = re.compile(r"<li>")
_ANY_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+")
_SPACES = re.compile(r"[ \t]+")


def plain_text(text: str | None) -> str:
    """The readable words of a Markdown (or HTML) text, with no markup at all: blocks
    on their own lines, list items with a dash, link text without the address,
    scripts and styles dropped. A plain ``str`` (never marked safe): templates escape
    it in HTML, and plain-text emails show it as it is."""
    if not text:
        return ""
    cleaned = sanitise_html(
        markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    )
    cleaned = _LIST_ITEM.sub("<li>- ", cleaned)
    cleaned = _CELL_END.sub(" ", cleaned)
    cleaned = _BLOCK_END.sub("\n", cleaned)
    words = html.unescape(_ANY_TAG.sub("", cleaned))
    lines = (_SPACES.sub(" ", line).strip() for line in words.splitlines())
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def mentioned_handles(text: str) -> tuple[set[str], set[str]]:
    """(display names, email addresses) mentioned in the text, lower-cased."""
    names = {m.strip().lower() for m in MENTION_BRACKETS.findall(text)}
    emails = {m.lower() for m in MENTION_EMAIL.findall(text)}
    return names, emails
