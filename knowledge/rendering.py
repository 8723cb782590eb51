"""Markdown of asset versions rendered to safe HTML, and readable diffs of two texts."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import markdown
import nh3

_ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code",
    "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "ins",
}  # fmt: skip


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised with an allow-list (no scripts, no styles,
    no raw images from elsewhere). Headings start at h2 under the page's h1."""
    html = markdown.markdown(
        text or "", extensions=["tables", "fenced_code", "sane_lists"], output_format="html"
    )
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"scope"}, "td": set()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison. ``kind`` is "same", "added" or "removed"; the page
    says it in words and with a +/- sign, never by colour alone."""

    kind: str
    old_number: int | None
    new_number: int | None
    text: str


def diff_lines(old: str, new: str, *, context: int = 3) -> list[DiffLine | None]:
    """A line diff of two texts; ``None`` marks skipped unchanged lines."""
    old_lines = (old or "").splitlines()
    new_lines = (new or "").splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    result: list[DiffLine | None] = []
    for group in matcher.get_grouped_opcodes(context):
        if result:
            result.append(None)
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for offset, line in enumerate(old_lines[i1:i2]):
                    result.append(DiffLine("same", i1 + offset + 1, j1 + offset + 1, line))
                continue
            if tag in ("replace", "delete"):
                for offset, line in enumerate(old_lines[i1:i2]):
                    result.append(DiffLine("removed", i1 + offset + 1, None, line))
            if tag in ("replace", "insert"):
                for offset, line in enumerate(new_lines[j1:j2]):
                    result.append(DiffLine("added", None, j1 + offset + 1, line))
    return result
