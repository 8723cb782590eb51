"""Markdown to safe HTML, and @mentions found in a message.

Markdown is rendered first and the HTML then sanitised with nh3 (an allow-list), so a
post can never carry scripts, event handlers or styles whatever its author typed.
"""

from __future__ import annotations

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}

# ``@[Display Name]`` (names with spaces) or ``@person@example.org`` (an email address).
MENTION_BRACKETS = re.compile(r"@\[([^\]\n]{1,150})\]")
MENTION_EMAIL = re.compile(r"(?<![\w.])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def render_markdown(text: str) -> str:
    """Sanitised HTML for a Markdown message. Headings start at level 3 so that a post
    never breaks the page's heading order; links get ``rel="noopener noreferrer"``."""
    html = markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists"])
    for level in (2, 1):
        html = re.sub(rf"<(/?)h{level}>", rf"<\1h{level + 2}>", html)
    safe = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return _mark_mentions(safe)


# In the sanitised HTML the name is already escaped text; only the brackets change.
_RENDERED_MENTION = re.compile(r"@\[([^\]<>\n]{1,150})\]")


def _mark_mentions(html: str) -> str:
    """Show ``@[Name]`` as a highlighted ``@Name`` (text, so readable without styles)."""
    return _RENDERED_MENTION.sub(r'<span class="mention">@\1</span>', html)


def mentioned_handles(text: str) -> tuple[set[str], set[str]]:
    """(display names, email addresses) mentioned in the text, lower-cased."""
    names = {m.strip().lower() for m in MENTION_BRACKETS.findall(text)}
    emails = {m.lower() for m in MENTION_EMAIL.findall(text)}
    return names, emails
