"""Charts worth looking at (issue 21), checked on the SVG the pages serve: no link
leaves the site, annotation markers never print over each other, labels keep off
the lines, the goal is written in the chart's unit, funnel points are labelled,
colours pass their contrast ratios, the sponsor sees the key measures' charts, and
the RE-AIM page never shows a share above 100% without saying why."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from dashboards import charts, services
from dashboards.charts.layout import text_width
from dashboards.charts.render import FONT_SIZE
from dashboards.models import ReAimProfile
from dashboards.selectors import audience_for, reaim
from measurement.models import Measure

pytestmark = pytest.mark.django_db
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.S)


def _kw(world, **extra):
    return {"org_slug": world.org_a.slug, "community_slug": world.community_a.slug, **extra}


def _svgs(html: str) -> list[ET.Element]:
    """Every inline chart of a page, parsed (a chart that is not well-formed fails)."""
    return [ET.fromstring(svg) for svg in SVG_RE.findall(html)]


def _translate(element: ET.Element) -> tuple[float, float]:
    match = re.match(r"translate\(([-\d.e]+),([-\d.e]+)\)", element.get("transform", ""))
    assert match, element.attrib
    return float(match[1]), float(match[2])


def _texts(svg: ET.Element) -> list[ET.Element]:
    return list(svg.iter(f"{SVG_NS}text"))


def _two_notes_a_month(world, dash):
    """Four notes in two months (two each): their markers would share a place."""
    with scope(organization=world.org_a):
        for day in (dt.date(2023, 6, 3), dt.date(2023, 6, 20), dt.date(2023, 7, 1),
                    dt.date(2023, 7, 9)):  # fmt: skip
            services.chart_note_add(
                actor=world.steward, measure=dash.bundle, period=day, text=f"Note {day}"
            )


# ---------------------------------------------------------------- links


def test_no_url_in_a_rendered_chart_points_outside_the_site(world, dash, client_for):
    _two_notes_a_month(world, dash)
    client = client_for(world.steward)
    pages = [
        reverse("dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk)),
        reverse("dashboards:dashboard_sites", kwargs=_kw(world, measure_id=dash.bundle.pk)),
        reverse("dashboards:dashboard_equity", kwargs=_kw(world, measure_id=dash.bundle.pk)),
        reverse("dashboards:dashboard_download",
                kwargs=_kw(world, measure_id=dash.bundle.pk, chart_kind="cop", file_format="svg")),
    ]  # fmt: skip
    seen = 0
    for url in pages:
        body = client.get(url).content.decode()
        assert "vega.github.io" not in body
        for svg in _svgs(body):
            seen += 1
            for element in svg.iter():
                for name in ("href", XLINK_HREF):
                    target = element.get(name)
                    assert target is None or not re.match(r"^([a-z]+:)?//", target, re.I), (
                        url,
                        target,
                    )
            # Nothing inside a chart takes the keyboard focus: the markers are not links.
            assert not list(svg.iter(f"{SVG_NS}a"))
    assert seen >= 4


def test_annotation_numbers_are_listed_under_the_chart_with_their_links(world, dash, client_for):
    _two_notes_a_month(world, dash)
    url = reverse("dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk))
    html = client_for(world.steward).get(url).content.decode()
    listed = re.findall(r'<li id="note-\d+"><strong>(\d)\.</strong>.*?<a href="([^"]+)"', html)
    assert [n for n, _href in listed] == ["1", "2", "3", "4"]
    assert all(href.startswith(url) for _n, href in listed)


# ---------------------------------------------------------------- layout


def test_annotation_markers_of_one_period_stack_instead_of_overprinting(world, dash, client_for):
    _two_notes_a_month(world, dash)
    url = reverse("dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk))
    (svg,) = _svgs(client_for(world.steward).get(url).content.decode())
    markers = {t.text: _translate(t) for t in _texts(svg) if t.text in {"1", "2", "3", "4"}}
    assert len(markers) == 4
    boxes = {
        n: (x - text_width(n, FONT_SIZE) / 2, y - FONT_SIZE, x + text_width(n, FONT_SIZE) / 2, y)
        for n, (x, y) in markers.items()
    }
    for a in boxes:
        for b in boxes:
            if a < b:
                (l1, t1, r1, b1), (l2, t2, r2, b2) = boxes[a], boxes[b]
                assert not (l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1), (a, b, markers)
    # Markers of one month share an x and differ in height by at least a line.
    assert markers["1"][0] == markers["2"][0]
    assert abs(markers["1"][1] - markers["2"][1]) >= FONT_SIZE


def test_phase_and_goal_labels_sit_outside_the_plot_where_no_line_runs():
    rows = [{"period": f"2024-{m:02d}", "y": 50 + m, "cl": 55, "lcl": 40, "ucl": 70}
            for m in range(1, 13)]  # fmt: skip
    spec = charts.control_chart_spec(
        title="T", y_title="%", rows=rows, goal=80, goal_label="Goal: 80%",
        phases=[{"period": "2024-06", "reason": "Trolleys at every site"}],
        annotations=[{"period": "2024-06", "number": 1, "title": "x", "kind": "Note"}],
        width=600, height=300,
    )  # fmt: skip
    svg = ET.fromstring(charts.render_chart_svg(spec))
    texts = {t.text: _translate(t) for t in _texts(svg)}
    # Text marks are placed relative to the plot's top-left corner: the phase reason
    # and the marker are above it (y < 0), the goal right of it (x > width), where
    # no limit, centre, phase or annotation line is drawn.
    assert texts["Trolleys at every site"][1] < 0
    assert texts["1"][1] < 0
    assert texts["Goal: 80%"][0] > 600


def test_names_at_the_ends_of_equity_lines_never_print_over_each_other():
    series = [
        (name, [{"period": "2024-01", "y": 40 + k}, {"period": "2024-02", "y": 50.0}])
        for k, name in enumerate(["Women", "Men", "Non-binary"])
    ]  # three lines ending on the same value
    spec = charts.equity_spec(title="E", y_title="%", series=series)
    svg = ET.fromstring(charts.render_chart_svg(spec))
    ends = sorted(
        _translate(t)[1]
        for t in _texts(svg)
        if t.text in {"Women", "Men", "Non-binary"}
        and t.get("aria-roledescription") == "text mark"  # not the legend's
    )
    assert len(ends) == 3
    assert all(b - a >= FONT_SIZE for a, b in zip(ends, ends[1:])), ends


def test_the_goal_is_written_in_the_charts_unit(world, dash, client_for):
    with scope(organization=world.org_a):
        Measure.objects.filter(pk=dash.bundle.pk).update(goal=Decimal("0.8"))  # a fraction
    url = reverse("dashboards:dashboard_measure", kwargs=_kw(world, measure_id=dash.bundle.pk))
    html = client_for(world.steward).get(url).content.decode()
    (svg,) = _svgs(html)
    assert "Goal: 80%" in [t.text for t in _texts(svg)]
    assert "Goal: 80%." in html
    assert "0.8" not in re.sub(SVG_RE, "", html).split("<main", 1)[1].split("<figure")[0]


def test_funnel_points_carry_site_codes_or_anonymous_labels(world, dash, client_for):
    url = reverse("dashboards:dashboard_sites", kwargs=_kw(world, measure_id=dash.bundle.pk))
    client = client_for(world.steward)
    funnel = _svgs(client.get(url).content.decode())[1]
    labels = {t.text for t in _texts(funnel)}
    assert {"GH", "CH", "RH"} <= labels
    anonymous = _svgs(client.get(url + "?anonymous=1").content.decode())[1]
    labels = {t.text for t in _texts(anonymous)}
    assert {"Site A", "Site B", "Site C"} <= labels
    assert not {"GH", "CH", "RH"} & labels


# ---------------------------------------------------------------- contrast


def _rgb(colour: str) -> tuple[float, float, float] | None:
    named = {"black": "#000000", "white": "#ffffff"}
    colour = named.get(colour.lower(), colour)
    if not colour.startswith("#"):
        return None  # none, transparent, url(...)
    hexa = colour[1:]
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    return tuple(int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def contrast_with_white(colour: str) -> float:
    """WCAG 2.1 contrast ratio of a colour against white."""
    rgb = _rgb(colour)
    assert rgb is not None, colour
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_contrast_helper_matches_known_ratios():
    assert round(contrast_with_white("#767676"), 2) == 4.54
    assert round(contrast_with_white("#9e9e9e"), 1) == 2.7  # the old annotation line


def _chart_specs() -> list[dict]:
    rows = [{"period": f"2024-{m:02d}", "y": 50 + m, "cl": 55, "lcl": 40, "ucl": 70,
             "point_class": "improvement" if m > 9 else "common",
             "signal_label": "S" if m > 9 else ""} for m in range(1, 13)]  # fmt: skip
    control = charts.control_chart_spec(
        title="T", y_title="%", rows=rows, goal=80, goal_label="Goal: 80%",
        phases=[{"period": "2024-06", "reason": "New phase"}],
        annotations=[{"period": "2024-03", "number": 1, "title": "x", "kind": "Note"}],
        runs_signal_parts=[1],
    )  # fmt: skip
    limits = charts.funnel_limits(overall=60, denominators=[20, 200], kind="proportion",
                                  multiply=100)  # fmt: skip
    funnel = charts.funnel_spec(
        title="F", y_title="%", x_title="n", overall=60, limits=limits,
        points=[{"site": "A", "label": "A", "n": 20, "y": 90, "outside": True},
                {"site": "B", "label": "B", "n": 200, "y": 61, "outside": False}],
    )  # fmt: skip
    equity = charts.equity_spec(title="E", y_title="%", series=[
        ("Women", [{"period": "2024-01", "y": 1}, {"period": "2024-02", "y": 2}]),
        ("Men", [{"period": "2024-01", "y": 2}, {"period": "2024-02", "y": 3}]),
    ])  # fmt: skip
    multiples = charts.small_multiples_spec(
        title="M", y_title="%", panels=[("A", rows), ("B", rows)]
    )
    return [control, funnel, equity, multiples]


@pytest.mark.parametrize("which", ["control", "funnel", "equity", "multiples"])
def test_chart_text_and_lines_meet_their_contrast_ratios(which):
    spec = _chart_specs()[["control", "funnel", "equity", "multiples"].index(which)]
    svg = ET.fromstring(charts.render_chart_svg(spec))
    checked = 0
    for element in svg.iter():
        tag = element.tag.replace(SVG_NS, "")
        if tag == "text":
            fill = element.get("fill", "#000")
            assert contrast_with_white(fill) >= 4.5, (element.text, fill)
            assert float(element.get("font-size", "0px").rstrip("px")) >= FONT_SIZE, element.text
            checked += 1
        elif tag in ("path", "line") and "background" not in element.get("class", ""):
            if float(element.get("stroke-opacity", "1")) == 0:
                continue
            stroke = element.get("stroke")
            if stroke and _rgb(stroke) is not None:
                assert contrast_with_white(stroke) >= 3, (which, stroke)
                checked += 1
    assert checked > 10


# ---------------------------------------------------------------- sponsor view


def test_the_sponsor_view_shows_the_key_measures_charts_with_their_tables(world, dash, client_for):
    url = reverse("dashboards:dashboard_sponsor", kwargs=_kw(world))
    html = client_for(world.sponsor).get(url).content.decode()
    assert "Charts of the key measures" in html
    (svg,) = _svgs(html.split('id="key-charts-heading"')[1].split("</section>")[0])
    assert "Sepsis bundle: whole CoP" in [t.text for t in _texts(svg)]
    assert "Data table: Sepsis bundle" in html
    assert "Sepsis bundle: whole CoP, every period" in html
    # Approved data only: the submitted last month is not in the sponsor's table.
    assert "2025-01" not in html and "Jan 2025" not in html


# ---------------------------------------------------------------- RE-AIM shares


def test_reaim_never_shows_a_share_above_100_percent_without_saying_why(world, dash):
    with scope(organization=world.org_a):
        ReAimProfile.objects.create(
            organization=world.org_a, community=dash.community, sites_invited=2,
            eligible_population=100, participants_reached=150,
        )  # fmt: skip
        page = reaim.one_pager(
            community=dash.community,
            audience=audience_for(user=world.steward, community=dash.community),
        )
    figures = {f.label: f for panel in page.panels for f in panel.figures}
    assert figures["Sites enrolled"].note == (
        "more enrolled than were invited: 3 enrolled, 2 invited"
    )
    assert figures["Sites active (have reported data)"].note.startswith("more active than")
    assert figures["Proportion reached"].value == (
        "more reached than the eligible population recorded: 150 reached, 100 eligible"
    )
    shown = " ".join(f"{f.value} {f.note}" for f in figures.values())
    assert not [p for p in re.findall(r"([\d.]+)%", shown) if float(p) > 100], shown


@pytest.mark.parametrize(
    ("language", "goal", "expected"),
    [("en", 0.8, "Goal: 80%"), ("es", 0.8, "Meta: 80 %"), ("fr", 82.5, "Cible : 82,5 %"),
     ("en", 12.0, "Goal: 12")],
)  # fmt: skip
def test_the_goal_label_uses_the_readers_number_format(language, goal, expected):
    from django.utils import translation

    from dashboards import selectors
    from dashboards.tests.test_charts import _info, _points

    value_type = "count" if goal > 10 and language == "en" else "proportion"
    info = _info(goal=goal, value_type=value_type, chart_type="run")
    with translation.override(language):
        chart = selectors.measure_chart(
            info=info, points=_points([50.0 + k for k in range(12)]), preference=None,
            annotations=[], scope_label="x",
        )  # fmt: skip
        svg = ET.fromstring(charts.render_chart_svg(chart.spec))
    assert expected.replace(" ", "\u00a0") in [
        (t.text or "").replace(" ", "\u00a0").replace("\u202f", "\u00a0") for t in _texts(svg)
    ]


def test_long_site_names_above_small_multiples_are_shortened_to_their_panel():
    rows = [{"period": f"2024-{m:02d}", "y": 50 + m, "cl": 55} for m in range(1, 13)]
    long_name = "Riverside Community Mental Health Team and District Hospital"
    spec = charts.small_multiples_spec(
        title="M", y_title="%", panels=[(long_name, rows), ("Short", rows)]
    )
    svg = ET.fromstring(charts.render_chart_svg(spec))
    headers = [t.text or "" for t in _texts(svg) if (t.text or "").startswith("Riverside")]
    assert headers and all(h.endswith("…") for h in headers)
    assert all(len(h) < 30 for h in headers)  # about 165 px of 12 px text
