"""Reflow at 320 CSS pixels (WCAG 2.1 SC 1.4.10) on every page a persona can reach.

The persona crawl (test_demo_crawl) finds the pages; each distinct page (one per URL pattern) is
then opened in a 320-pixel-wide window and must not scroll sideways: nothing may stick
out of the page except inside a container that scrolls on its own (a wide data table in
``.table-scroll``, a chart in its frame), which the success criterion allows."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# The elements that stick out of a 320-pixel page, ignoring those inside a box that
# scrolls by itself (overflow-x auto or scroll), with a short description of each.
OFFENDERS = """() => {
  const width = document.documentElement.clientWidth;
  const scrollsItself = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || scrollsItself(el)) continue;
    const style = getComputedStyle(el);
    if (style.position === "fixed" || style.visibility === "hidden") continue;
    if (el.closest(".visually-hidden, [hidden]")) continue;
    const cls = typeof el.className === "string" && el.className
      ? "." + el.className.split(" ").join(".") : "";
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls;
    out.push(name + " (right edge " + Math.round(box.right) + "px)");
    if (out.length >= 3) break;
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, out};
}"""


def reflow_problems(page, addresses: list[str]) -> tuple[int, list[str]]:
    """Open one page per URL pattern in a 320-pixel window; returns (pages checked,
    one line per page that scrolls sideways, naming what sticks out)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    problems = []
    seen_patterns: set[str] = set()
    for address in addresses:
        key = pattern(urlsplit(address).path)
        if key in seen_patterns:
            continue
        seen_patterns.add(key)
        page.goto(address)
        result = page.evaluate(OFFENDERS)
        if result["scrollWidth"] > result["width"] + 1:
            problems.append(f"{urlsplit(address).path}: {', '.join(result['out']) or 'page'}")
    if size:
        page.set_viewport_size(size)
    return len(seen_patterns), problems


def pattern(path: str) -> str:
    """One key per page kind: /sessions/12/ and /sessions/13/ are the same page."""
    return re.sub(r"/\d+(?=/)", "/<n>", path)
