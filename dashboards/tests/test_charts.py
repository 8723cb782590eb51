"""Chart specifications take their centre lines, limits and signals from the SPC engine."""

import pytest
from django.core.cache import cache

from dashboards import charts, selectors
from dashboards.disclosure import Figure
from dashboards.selectors import MeasureInfo, SeriesPoint
from dashboards.tests.helpers import months
from measurement.periods import period_label
from measurement.spc import analyse


def _info(**extra) -> MeasureInfo:
    values = {
        "id": 1, "code": "x", "name": "X", "kind": "outcome", "reaim": "", "value_type": "count",
        "frequency": "monthly", "direction": "up", "goal": None, "chart_type": "c",
        "baseline_periods": None, "rate_multiplier": None, "rate_unit": "",
    }  # fmt: skip
    return MeasureInfo(**(values | extra))


def _points(values):
    return [
        SeriesPoint(p, period_label("monthly", p), Figure(v), None, v)
        for p, v in zip(months(len(values)), values, strict=True)
    ]


def test_control_chart_spec_uses_the_engine_lines_and_marks_signals_by_shape_and_label():
    values = [10.0, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 40, 11, 10]
    info = _info()
    chart = selectors.measure_chart(
        info=info, points=_points(values), preference=("c", "anhoej"), annotations=[],
        scope_label="whole CoP",
    )  # fmt: skip
    expected = analyse(chart="c", y=values, method="anhoej")
    data = chart.spec["data"]["values"]
    for row, point in zip(data, expected["points"], strict=True):
        assert row["cl"] == pytest.approx(point["cl"], abs=1e-4)
        assert row["ucl"] == pytest.approx(point["ucl"], abs=1e-4)
        assert row["lcl"] == pytest.approx(point["lcl"], abs=1e-4)
    assert expected["points"][11]["sigma_signal"]
    assert data[11]["point_label"] == "Special cause: improvement"  # above UCL, up is better
    assert data[11]["signal_label"] == "L"
    assert all(r["point_label"] == "Common cause" for i, r in enumerate(data) if i != 11)
    shape_layer = next(layer for layer in chart.spec["layer"] if "shape" in layer["encoding"])
    assert "triangle-up" in shape_layer["encoding"]["shape"]["scale"]["range"]


def test_making_data_count_classifies_points_with_the_direction():
    values = [5.0] * 3 + [6, 5, 4, 5, 6] + [9, 9.5, 10, 9, 9.6, 9.8, 9.7, 9.9]
    info = _info(direction="down", value_type="continuous", chart_type="i")
    chart = selectors.measure_chart(
        info=info, points=_points(values), preference=("i", "mdc"), annotations=[],
        scope_label="x",
    )  # fmt: skip
    expected = analyse(chart="i", y=values, method="mdc", direction="down")
    classes = [r["point_class"] for r in chart.rows]
    for cls, point in zip(classes, expected["points"], strict=True):
        if point["special_cause"]:
            assert cls == ("concern" if point["special_cause_type"] == "concern" else cls)
        else:
            assert cls == "common"
    assert "concern" in classes


def test_goal_phases_and_annotations_are_drawn_without_links():
    values = [float(v) for v in range(1, 15)]
    info = _info(goal=12.0, phases=[(months(14)[7], "New triage")])
    annotation = {"date": months(14)[3], "period": period_label("monthly", months(14)[3]),
                  "number": 1, "title": "PDSA 1", "url": "/t/1/", "kind": "PDSA test"}  # fmt: skip
    chart = selectors.measure_chart(
        info=info, points=_points(values), preference=None, annotations=[annotation],
        scope_label="x",
    )  # fmt: skip
    layers = chart.spec["layer"]
    assert any(layer.get("data", {}).get("values", [{}])[0].get("goal") == 12.0 for layer in layers)
    assert any(layer.get("data", {}).get("values", [{}])[0].get("reason") == "New triage"
               for layer in layers)  # fmt: skip
    # The markers are numbers, not links: the list under the chart carries the links.
    assert not any("href" in layer.get("encoding", {}) for layer in layers)
    assert any(v.get("text") == "1" for layer in layers for v in layer.get("data", {}).get(
        "values", []))  # fmt: skip
    assert chart.result["parts"][1]["part"] == 2  # the phase starts a new part


def test_rendering_is_cached_by_the_specification():
    spec = charts.control_chart_spec(
        title="T", y_title="Y",
        rows=[{"period": "2024-01", "y": 1, "cl": 1}, {"period": "2024-02", "y": 2, "cl": 1}],
    )  # fmt: skip
    svg = charts.render_chart_svg(spec)
    assert svg.startswith("<svg")
    assert cache.get(f"chart:svg:en-GB:{charts.spec_hash(spec)}") == svg  # and the language
    assert charts.render_chart_png(spec)[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_escapes_text_from_users():
    spec = charts.control_chart_spec(
        title="<script>alert(1)</script>", y_title="Y", rows=[{"period": "a", "y": 1, "cl": 1}]
    )
    assert "<script>" not in charts.render_chart_svg(spec)


def test_funnel_limits_narrow_as_the_denominator_grows():
    rows = charts.funnel_limits(overall=50.0, denominators=[10, 1000], kind="proportion",
                                multiply=100)  # fmt: skip
    wide = [r for r in rows if r["band"] == "99.8%"]
    assert wide[0]["upper"] - wide[0]["lower"] > wide[-1]["upper"] - wide[-1]["lower"]
    assert all(0 <= r["lower"] <= 50 <= r["upper"] <= 100 for r in rows)
