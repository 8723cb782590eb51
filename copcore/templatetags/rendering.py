"""Template filters over the one renderer (``copcore/rendering.py``), loaded as a
builtin so every template has them:

- ``{{ text|markdown }}``: user Markdown as sanitised HTML (a ``#`` heading is an h3);
  ``{{ text|markdown:2 }}`` starts headings at h2, ``{{ text|markdown:"mentions" }}``
  highlights @mentions.
- ``{{ text|plain_text }}``: the words without any markup (snippets, plain-text mail).
- ``{{ post.body_html|stored_html }}``: HTML rendered earlier by ``render_markdown``
  and stored, cleaned again before it is shown.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from copcore import rendering

register = template.Library()


@register.filter(name="markdown", is_safe=False)
def markdown_filter(text: str | None, option: str | int | None = None) -> SafeString:
    if option == "mentions":
        return rendering.render_markdown(text, mentions=True)
    if option:
        return rendering.render_markdown(text, top_heading=int(option))
    return rendering.render_markdown(text)


@register.filter(name="plain_text", is_safe=False)
def plain_text_filter(text: str | None) -> str:
    return rendering.plain_text(text)


@register.filter(name="stored_html", is_safe=False)
def stored_html_filter(html_text: str | None) -> SafeString:
    return rendering.safe_stored_html(html_text)
