"""The command-line contract (docs/spc.md), exercised in a real subprocess.

``python -m measurement.spc`` reads one JSON object on stdin and writes one on
stdout (exit 0); invalid input exits 2 with ``{"error": {"code", "message",
"fields"}}`` on stderr naming the problem. Also proves that importing the engine
does not import Django (it must stay usable outside the web project).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run_cli(payload: str | dict) -> subprocess.CompletedProcess[str]:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run(
        [sys.executable, "-m", "measurement.spc"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_success_writes_points_and_parts():
    """Montgomery's orange juice trial samples (test_montgomery.py) through the CLI."""
    y = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11,
         20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip
    proc = run_cli({"chart": "p", "y": y, "n": [50] * 30, "multiply": 100})
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"points", "parts"}
    assert len(out["points"]) == 30
    point = out["points"][0]
    assert set(point) == {
        "y", "cl", "lcl", "ucl", "lcl95", "ucl95", "sigma_signal", "part", "included", "baseline"
    }  # fmt: skip
    assert point["cl"] == pytest.approx(23.1333, abs=1e-4)
    assert set(out["parts"][0]) == {
        "part", "n_obs", "n_useful", "longest_run", "longest_run_max",
        "n_crossings", "n_crossings_min", "runs_signal",
    }  # fmt: skip
    assert proc.stderr == ""


def test_subgroup_charts_and_y_neg_through_the_cli():
    """xbar points carry their subgroup label and size; "y.neg" is read under that key."""
    proc = run_cli(
        {"chart": "xbar", "x": [2, 1, 2, 1, 3, 3], "y": [0, 1, 2, 3, 1, 0], "y.neg": False}
    )
    assert proc.returncode == 0, proc.stderr
    points = json.loads(proc.stdout)["points"]
    assert [(p["x"], p["subgroup_size"], p["y"]) for p in points] == [
        (1, 2, 2.0),
        (2, 2, 1.0),
        (3, 2, 0.5),
    ]
    assert all(p["lcl"] >= 0 for p in points)
    kept = json.loads(
        run_cli({"chart": "xbar", "x": [2, 1, 2, 1, 3, 3], "y": [0, 1, 2, 3, 1, 0]}).stdout
    )
    assert min(p["lcl"] for p in kept["points"]) < 0


def test_missing_values_are_null_in_the_output():
    proc = run_cli({"chart": "p", "y": [1, None, 3, 2], "n": [10, 10, None, 10]})
    assert proc.returncode == 0
    assert "NaN" not in proc.stdout
    points = json.loads(proc.stdout)["points"]
    assert points[1]["y"] is None and points[2]["y"] is None and points[2]["ucl"] is None


def test_method_fields():
    ihi = json.loads(run_cli({"y": list(range(1, 13)), "method": "ihi"}).stdout)
    assert {"shifts", "trends"} <= set(ihi) and "too_few_runs" in ihi["parts"][0]
    mdc = json.loads(
        run_cli(
            {"chart": "i", "y": list(range(1, 13)), "method": "mdc", "direction": "up", "target": 3}
        ).stdout
    )
    assert {"variation_icon", "assurance_icon"} <= set(mdc)
    assert "special_cause_type" in mdc["points"][0]


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"chart": "ip", "y": [1, 2, 3]}, "chart", "unknown chart"),
        ({"chart": "xbar", "y": [1, 2, 3]}, "x", "required for xbar"),
        ({"chart": "s", "y": [1, 2, 3], "x": [1, 1]}, "x", "same length"),
        ({"chart": "s", "y": [1, 2, 3], "x": [1, None, 2]}, "x", "no nulls"),
        ({"chart": "i", "y": [1, 2, 3], "x": [1, 1, 2]}, "x", "only xbar and s"),
        (
            {"chart": "xbar", "y": [1, 2, 3], "x": [1, 1, 2], "freeze": 3},
            "freeze",
            "between 1 and 2",
        ),
        ({"chart": "t", "y": [3, 0, 2]}, "y", "greater than zero"),
        ({"chart": "g", "y": [3, -1, 2]}, "y", "negative"),
        ({"chart": "g", "y": [3, 1, 2], "n": [5, 5, 5]}, "n", "not used by g"),
        ({"y": [1, 2], "y.neg": "no"}, "y.neg", "true or false"),
        ({"y": [1, 2], "agg.fun": "median"}, "agg.fun", "unknown argument"),
        ({"chart": "p", "y": [1, 2, 3]}, "n", "required"),
        ({"chart": "pp", "y": [1, 2, 3]}, "n", "required"),
        ({"chart": "u", "y": [1, 2], "n": [10, 0]}, "n", "greater than zero"),
        ({"chart": "p", "y": [1, 2], "n": [10, -5]}, "n", "greater than zero"),
        ({"chart": "c", "y": [1, -2, 3]}, "y", "negative"),
        ({"chart": "u", "y": [1, -2], "n": [5, 5]}, "y", "negative"),
        ({"chart": "p", "y": [1, 2, 3], "n": [10, 10]}, "n", "same length"),
        ({"chart": "p", "y": [11, 2], "n": [10, 10]}, "y", "exceeds"),
        ({"y": [1, 2, 3], "freeze": 4}, "freeze", "between 1 and 3"),
        ({"y": [1, 2, 3], "freeze": 0}, "freeze", "between 1 and 3"),
        ({"y": [1, 2, 3], "part": [3]}, "part", "between 1 and 2"),
        ({"y": [1, 2, 3], "part": [0]}, "part", "between 1 and 2"),
        ({"y": [1, 2, 3], "exclude": [9]}, "exclude", "between 1 and 3"),
        ({"y": []}, "y", "at least one"),
        ({"y": [1, "a"]}, "y", "numbers"),
        ({"chart": "i"}, "y", "required"),
        ({"y": [1, 2], "method": "weco"}, "method", "unknown method"),
        ({"y": [1, 2], "method": "mdc"}, "method", "control chart"),
        ({"y": [1, 2], "multiply": 0}, "multiply", "greater than zero"),
        ({"y": [1, 2], "screen_mr": "yes"}, "screen_mr", "true or false"),
        ({"y": [1, 2], "direction": "left"}, "direction", "up"),
        ({"y": [1, 2], "frezze": 1}, "frezze", "unknown argument"),
    ],
)
def test_invalid_input_exits_2_with_a_json_error_naming_the_problem(payload, field, words):
    proc = run_cli(payload)
    assert proc.returncode == 2
    assert proc.stdout == ""
    body = json.loads(proc.stderr)
    assert body["error"]["code"] == "invalid_input"
    assert field in body["error"]["fields"]
    assert words in " ".join(body["error"]["fields"][field])
    assert field in body["error"]["message"]


@pytest.mark.parametrize("text", ["not json", '{"y": [1, NaN]}', "[1, 2, 3]", ""])
def test_malformed_json_exits_2(text):
    proc = run_cli(text)
    assert proc.returncode == 2
    body = json.loads(proc.stderr)
    assert body["error"]["code"] in {"invalid_json", "invalid_input"}
    assert body["error"]["message"]


def test_importing_the_engine_does_not_import_django():
    code = (
        "import sys, measurement.spc, measurement.spc.__main__; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
