"""A rendered chart made to fill its column on a page.

vl-convert writes a fixed ``width`` and ``height`` (the chart's natural size) beside
its ``viewBox``. Inline in a page the chart should scale with the content column
instead: the root element keeps its ``viewBox`` and gets ``width="100%"`` and no
height, so the browser keeps the aspect ratio. Downloaded SVG files keep the natural
size (they open at that size in other programs).
"""

from __future__ import annotations

import re

_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def responsive_svg(svg: str) -> str:
    """``svg`` with its root sized to the width of its container."""
    match = _ROOT.search(svg)
    if match is None or "viewBox=" not in match.group(0):
        return svg
    root = _SIZE.sub("", match.group(0))
    root = root[:-1].rstrip("/ ") + ' width="100%" preserveAspectRatio="xMinYMin meet">'
    return svg[: match.start()] + root + svg[match.end() :]
