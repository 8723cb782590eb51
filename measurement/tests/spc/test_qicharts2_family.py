"""The engine against qicharts2 0.8.1 itself: xbar, s, t and g charts and ``y.neg``.

``measurement/tests/fixtures/qicharts2_family_cases.json`` holds 190 random cases
(40 each of xbar, s, t and g charts, 30 I charts with ``y.neg = FALSE``; seed
31337): the exact arguments given to ``qic()`` and its ``return.data = TRUE``
output, per point and per part, written by qicharts2 0.8.1 on R 4.2.2 with the
package attached (moving-range screening on). Numbers are ``%.17g`` strings and
``null`` is NA. The file holds outputs only, none of the package's code.

Mapping of qicharts2's columns to the engine's output: ``y``, ``cl``, ``lcl``,
``ucl`` as named; ``lcl.95``/``ucl.95`` -> ``lcl95``/``ucl95``; ``sigma.signal``,
``part``, ``baseline``, ``include`` -> ``sigma_signal``, ``part``, ``baseline``,
``included``; one qicharts2 row per subgroup ``x`` -> one engine point, whose
``x`` is that label. The runs analysis (``n.obs``, ``n.useful``,
``longest.run``, ``longest.run.max``, ``n.crossings``, ``n.crossings.min``,
``runs.signal``) is per part in qicharts2's rows and in the engine's ``parts``.

Lines must agree to 1e-9 relative (most agree to the last bit: R's extended-
precision sums, means, SDs and ``powl`` are reproduced; only ``lgamma`` in the
xbar/s constants comes from Python), signals and run counts exactly.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from measurement.spc import analyse, analyse_arrays, analyse_many

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "qicharts2_family_cases.json"
REL = 1e-9
LINES = ("y", "cl", "lcl", "ucl", "lcl95", "ucl95")
FLAGS = ("sigma_signal", "part", "baseline", "included")

CASES: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["cases"]


def engine_args(case: dict[str, Any]) -> dict[str, Any]:
    """qic() arguments as the engine takes them (no null n; x only for subgroups)."""
    args = dict(case["qic_args"])
    if args.get("n") is None:
        args.pop("n", None)
    if case["chart"] not in ("xbar", "s"):
        args.pop("x", None)
    return args


def mismatches(case: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Every difference between qicharts2's output and the engine's, described."""
    expected = case["qicharts2"]
    points = expected["points"]
    problems: list[str] = []
    if len(out["points"]) != len(points["y"]):
        return [f"{len(out['points'])} points, qicharts2 has {len(points['y'])}"]
    for i, point in enumerate(out["points"]):
        if "x" in point and float(points["x"][i]) != point["x"]:
            problems.append(f"point {i + 1} x: {points['x'][i]} != {point['x']}")
        for name in LINES:
            want, got = points[name][i], point[name]
            if want is None or got is None:
                if want is not got:
                    problems.append(f"point {i + 1} {name}: {want} != {got}")
            elif not math.isclose(float(want), got, rel_tol=REL, abs_tol=0.0):
                problems.append(f"point {i + 1} {name}: {want} != {got!r}")
        for name in FLAGS:
            if points[name][i] != point[name]:
                problems.append(f"point {i + 1} {name}: {points[name][i]} != {point[name]}")
    if len(out["parts"]) != len(expected["parts"]):
        problems.append(f"{len(out['parts'])} parts, qicharts2 has {len(expected['parts'])}")
    for want, got in zip(expected["parts"], out["parts"], strict=False):
        for name, value in want.items():
            if got.get(name) != value:
                problems.append(f"part {want['part']} {name}: {value} != {got.get(name)}")
    return problems


def test_the_fixture_holds_every_family():
    """190 cases: 40 xbar, 40 s, 40 t, 40 g and 30 y.neg (I charts)."""
    counts: dict[str, int] = {}
    for case in CASES:
        family = case["name"].rsplit("-", 1)[0]
        counts[family] = counts.get(family, 0) + 1
    assert counts == {"xbar": 40, "s": 40, "t": 40, "g": 40, "y.neg": 30}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_single_series_matches_qicharts2(case):
    problems = mismatches(case, analyse(**engine_args(case)))
    assert not problems, "\n".join(problems[:20])


def test_batch_path_agrees_with_the_single_path_on_every_case():
    """All 190 requests through analyse_many (grouped and vectorised) == one by one."""
    requests = [engine_args(case) for case in CASES]
    batched = analyse_many(requests)
    for case, request, result in zip(CASES, requests, batched, strict=True):
        assert result == analyse(**request), case["name"]
        assert not mismatches(case, result), case["name"]


@pytest.mark.parametrize("chart", ["xbar", "s", "t", "g"])
def test_one_vectorised_call_reproduces_every_case_of_a_chart(chart):
    """The raw batch path (:func:`analyse_arrays`, 2-D arrays in and out).

    A batch shares ``x`` and the options, and the cases of a chart share neither,
    so each case is run as a batch of two rows -- itself and a rescaled copy --
    and each row must equal its single-series result bit for bit.
    """
    for case in (c for c in CASES if c["chart"] == chart):
        args = engine_args(case)
        y = np.array([np.nan if v is None else v for v in args["y"]], dtype=np.float64)
        rows = np.vstack([y, y * 1.5 + 1])
        batch = analyse_arrays(
            chart,
            rows,
            x=args.get("x"),
            freeze=args.get("freeze"),
        )
        single = analyse(**args)
        for name in LINES:
            expected = np.array([p[name] for p in single["points"]], dtype=np.float64)
            np.testing.assert_array_equal(getattr(batch, name)[0], expected, err_msg=case["name"])
        twin = analyse(**{**args, "y": (y * 1.5 + 1).tolist()})
        for name in LINES:
            expected = np.array([p[name] for p in twin["points"]], dtype=np.float64)
            np.testing.assert_array_equal(getattr(batch, name)[1], expected, err_msg=case["name"])
