"""Where a chart's text goes so that no two labels print over each other and no line
runs through a label.

Vega-Lite has no label-collision step, so the few labels a chart writes (annotation
numbers, phase reasons, funnel site labels) are placed here, in Python, from the
same geometry the renderer uses: an ordinal x axis puts period ``i`` of ``n`` at
``(i + 0.5) * width / n``, and a quantitative axis with an explicit domain is linear.
Text widths are estimated from the font size (a generous average glyph width), which
errs on the side of more room.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Average glyph width of a sans-serif font, as a share of the font size (generous:
# capitals and bold text are wider than the 0.5 of lower-case text).
GLYPH_WIDTH = 0.62
ROW_GAP = 4  # pixels between stacked rows of labels
PADDING = 4  # pixels kept clear around a label


def text_width(text: str, font_size: float) -> float:
    return len(text) * font_size * GLYPH_WIDTH


def ordinal_x(index: int, count: int, width: float) -> float:
    """Where a point of an ordinal (point-scale) x axis is drawn."""
    return (index + 0.5) * width / max(count, 1)


def truncate(text: str, room: float, font_size: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``room`` pixels."""
    if text_width(text, font_size) <= room:
        return text
    keep = max(int(room / (font_size * GLYPH_WIDTH)) - 1, 1)
    return text[:keep].rstrip() + "…"


@dataclass
class BandLabel:
    """A label in the band above a chart's plot: a centred marker ("3") or a
    left-aligned phase reason starting at its phase line."""

    x: float
    text: str
    centred: bool

    def span(self, font_size: float) -> tuple[float, float]:
        width = text_width(self.text, font_size)
        if self.centred:
            return self.x - width / 2 - PADDING, self.x + width / 2 + PADDING
        return self.x, self.x + width + PADDING


def stack_rows(labels: Sequence[BandLabel], font_size: float) -> list[int]:
    """The row (0 = nearest the plot) of each label, so that labels in one row never
    overlap: each label, left to right, takes the lowest row whose last label ends
    before it starts. Labels of the same period therefore stack, one above another."""
    order = sorted(range(len(labels)), key=lambda k: (labels[k].span(font_size)[0], k))
    row_ends: list[float] = []
    rows = [0] * len(labels)
    for k in order:
        start, end = labels[k].span(font_size)
        for row, last_end in enumerate(row_ends):
            if last_end <= start:
                row_ends[row] = end
                rows[k] = row
                break
        else:
            row_ends.append(end)
            rows[k] = len(row_ends) - 1
    return rows


def row_height(font_size: float) -> float:
    return font_size + ROW_GAP


def spread(values: Sequence[float], gap: float) -> list[float]:
    """Label positions at least ``gap`` apart, each as near its value as that allows
    (labels at the ends of lines whose last values are close or equal): sorted, pushed
    up where they crowd, then the whole run centred on the values again."""
    order = sorted(range(len(values)), key=lambda k: values[k])
    placed: list[float] = []
    for k in order:
        placed.append(values[k] if not placed else max(values[k], placed[-1] + gap))
    shift = (sum(placed) - sum(values[k] for k in order)) / max(len(placed), 1)
    result = [0.0] * len(values)
    for position, k in zip(placed, order, strict=True):
        result[k] = position - shift
    return result


# ---------------------------------------------------------------- funnel labels

PLACES = ("right", "left", "above", "below")
# (dx, dy, align, baseline) of each place, relative to the point.
PLACE_STYLE: dict[str, tuple[int, int, str, str]] = {
    "right": (8, 0, "left", "middle"),
    "left": (-8, 0, "right", "middle"),
    "above": (0, -9, "center", "bottom"),
    "below": (0, 9, "center", "top"),
}


def _box(place: str, x: float, y: float, text: str, font_size: float) -> tuple[float, ...]:
    dx, dy, align, baseline = PLACE_STYLE[place]
    width, height = text_width(text, font_size), font_size
    left = {"left": x + dx, "right": x + dx - width, "center": x - width / 2}[align]
    top = {"middle": y - height / 2, "bottom": y + dy - height, "top": y + dy}[baseline]
    return left, top, left + width, top + height


def _crosses(path: Sequence[tuple[float, float]], box: tuple[float, ...]) -> bool:
    """Whether a polyline (pixels, sorted by x) passes through a box."""
    left, top, right, bottom = box
    for (xa, ya), (xb, yb) in zip(path, path[1:], strict=False):
        if xb < left or xa > right:
            continue

        # The segment's part inside [left, right], as a y range.
        def y_at(x: float, xa=xa, ya=ya, xb=xb, yb=yb) -> float:
            return ya if xb == xa else ya + (yb - ya) * (x - xa) / (xb - xa)

        y1, y2 = y_at(max(xa, left)), y_at(min(xb, right))
        if min(y1, y2) <= bottom and max(y1, y2) >= top:
            return True
    return False


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_point_labels(
    points: Sequence[dict[str, Any]],
    *,
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
    width: float,
    height: float,
    font_size: float,
    lines: Sequence[Sequence[tuple[float, float]]] = (),
    radius: float = 6,
) -> list[str]:
    """For each point (``x``, ``y`` in data units, ``text``), the side its label goes
    on (one of :data:`PLACES`): the first side where the label stays inside the plot,
    clear of every other point, every label already placed and every line of
    ``lines`` (each a list of ``(x, y)`` in data units, drawn straight between them).
    Where no side is clear the label goes to the right."""

    def pixel(x: float, y: float) -> tuple[float, float]:
        (x0, x1), (y0, y1) = x_domain, y_domain
        return (x - x0) / ((x1 - x0) or 1) * width, height - (y - y0) / ((y1 - y0) or 1) * height

    paths = [[pixel(x, y) for x, y in line] for line in lines]
    centres = [pixel(p["x"], p["y"]) for p in points]
    dots = [(x - radius, y - radius, x + radius, y + radius) for x, y in centres]
    placed: list[tuple[float, ...]] = []
    chosen = ["right"] * len(points)
    for k in sorted(range(len(points)), key=lambda k: centres[k]):
        x, y = centres[k]
        for place in PLACES:
            box = _box(place, x, y, points[k]["text"], font_size)
            inside = box[0] >= 0 and box[2] <= width + 80 and box[1] >= -4 and box[3] <= height
            clear = (
                not any(_overlaps(box, other) for other in placed)
                and not any(_overlaps(box, dot) for j, dot in enumerate(dots) if j != k)
                and not any(_crosses(path, box) for path in paths)
            )
            if inside and clear:
                chosen[k] = place
                placed.append(box)
                break
        else:
            placed.append(_box("right", x, y, points[k]["text"], font_size))
    return chosen
