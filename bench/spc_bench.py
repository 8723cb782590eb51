"""SPC engine benchmark: analysis time against the time to read the same data.

Run: ``python -m bench.spc_bench`` (``make bench``). It

1. generates 10,000 series of 60 monthly periods from a fixed seed, in the mix
   :data:`CHART_CYCLE` (of every ten series: four p charts with numerator and
   denominator, three run charts of a measured value, one g chart of cases
   between events, one t chart of days between events, one xbar chart of
   :data:`SUBGROUP` measurements a month; about 1% of values missing);
2. writes them into bench-owned tables ``bench_spc_series`` (each series' chart)
   and ``bench_spc_observation`` (one row per value: an xbar series has
   ``SUBGROUP`` rows a period), created fresh with COPY and dropped at the end,
   in the platform's PostgreSQL (``copcore.embedded_db.database_url()``:
   ``DATABASE_URL`` or the embedded server);
3. times reading them back with psycopg2 -- the series' charts and ``SELECT ...
   ORDER BY series_id, period, seq``, ``fetchall()`` and conversion to NumPy
   arrays per chart (periods as day numbers, the xbar subgroup labels) -- and
   times the analysis with the engine's batch path
   (:func:`measurement.spc.analyse_arrays`, one call per chart type), each
   ``--repeat`` times, and reports the medians;
4. prints a short report and writes it as JSON to ``bench/results/spc.json``.

The goal (issue 25) is analysis time <= 0.05 x read time. Why this comparison:
dashboards read a measure's observations and analyse them in the same request,
so the analysis should be a small fraction of the request.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from measurement.spc import analyse_arrays

DROP_SQL = "DROP TABLE IF EXISTS bench_spc_observation, bench_spc_series"
GOAL = 0.05
RESULTS = Path(__file__).resolve().parent / "results" / "spc.json"
#: chart of series i is CHART_CYCLE[i % 10]
CHART_CYCLE = ("p", "p", "p", "p", "run", "run", "run", "g", "t", "xbar")
SUBGROUP = 5  # measurements a period in an xbar series
MULTIPLY = {"p": 100.0}

Series = dict[str, Any]  # chart -> {"ids", "numerator", "denominator", "period"}


def _p_values(rng: np.random.Generator, k: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    sizes = rng.integers(30, 400, size=(k, points))
    rate = rng.uniform(0.05, 0.5, size=(k, 1))
    shifted = rng.random(k) < 0.3  # a third of the p series improve half way
    rate = np.where(shifted[:, None] & (np.arange(points) >= points // 2), rate * 0.7, rate)
    return rng.binomial(sizes, rate).astype(np.float64), sizes.astype(np.float64)


def generate(series: int, points: int, seed: int) -> tuple[np.ndarray, dict[str, Series]]:
    """Deterministic observations: each series' chart, and per chart its arrays."""
    rng = np.random.default_rng(seed)
    charts = np.array([CHART_CYCLE[i % len(CHART_CYCLE)] for i in range(series)])
    days = np.array([date.fromisoformat(m).toordinal() for m in months(points)], dtype=np.float64)
    data: dict[str, Series] = {}
    for chart in dict.fromkeys(CHART_CYCLE):
        ids = np.nonzero(charts == chart)[0]
        k = ids.size
        denominator = None
        period = days
        if chart == "p":
            numerator, denominator = _p_values(rng, k, points)
        elif chart == "run":
            level = rng.uniform(20, 200, size=(k, 1))
            numerator = np.round(rng.normal(level, level * 0.1, size=(k, points)), 1)
        elif chart == "g":  # cases between infections
            numerator = (
                rng.geometric(rng.uniform(0.02, 0.2, size=(k, 1)), (k, points)) - 1
            ).astype(np.float64)
        elif chart == "t":  # days between events, to a tenth of a day
            scale = rng.uniform(5, 60, size=(k, 1))
            numerator = np.maximum(np.round(rng.exponential(scale, (k, points)), 1), 0.1)
        else:  # xbar: SUBGROUP measurements a month
            level = rng.uniform(20, 200, size=(k, 1))
            numerator = np.round(rng.normal(level, level * 0.1, size=(k, points * SUBGROUP)), 1)
            period = np.repeat(days, SUBGROUP)
        missing = rng.random(numerator.shape) < 0.01
        numerator[missing] = np.nan
        if denominator is not None:
            denominator[missing] = np.nan
        data[chart] = {
            "ids": ids,
            "numerator": numerator,
            "denominator": denominator,
            "period": period,
        }
    return charts, data


def months(points: int, start: date = date(2020, 1, 1)) -> list[str]:
    return [
        date(
            start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1
        ).isoformat()
        for k in range(points)
    ]


def _csv(value: float) -> str:
    return "" if np.isnan(value) else repr(float(value))


def to_csv(data: dict[str, Series]) -> io.StringIO:
    """COPY input: series_id, period, seq, numerator, denominator (empty = NULL)."""
    lines: list[tuple[int, str]] = []
    for series in data.values():
        numerator, denominator = series["numerator"], series["denominator"]
        periods = [date.fromordinal(int(d)).isoformat() for d in series["period"]]
        for row, sid in enumerate(series["ids"].tolist()):
            for col, period in enumerate(periods):
                den = "" if denominator is None else _csv(denominator[row, col])
                lines.append((sid, f"{sid},{period},{col},{_csv(numerator[row, col])},{den}"))
    lines.sort(key=lambda item: item[0])
    return io.StringIO("\n".join(text for _, text in lines) + "\n")


def load(conn: Any, charts: np.ndarray, data: dict[str, Series]) -> None:
    with conn.cursor() as cur:
        cur.execute(DROP_SQL)
        cur.execute("CREATE TABLE bench_spc_series (series_id integer PRIMARY KEY, chart text)")
        cur.execute(
            "CREATE TABLE bench_spc_observation (series_id integer NOT NULL, "
            "period date NOT NULL, seq integer NOT NULL, numerator double precision, "
            "denominator double precision)"
        )
        cur.copy_expert(
            "COPY bench_spc_series (series_id, chart) FROM STDIN WITH (FORMAT csv)",
            io.StringIO("".join(f"{i},{c}\n" for i, c in enumerate(charts.tolist()))),
        )
        cur.copy_expert(
            "COPY bench_spc_observation (series_id, period, seq, numerator, denominator) "
            "FROM STDIN WITH (FORMAT csv)",
            to_csv(data),
        )
        cur.execute("ANALYZE bench_spc_series")
        cur.execute("ANALYZE bench_spc_observation")
    conn.commit()


def read(conn: Any) -> dict[str, Series]:
    """The read being compared: ordered SELECTs, fetchall, NumPy arrays per chart."""
    with conn.cursor() as cur:
        cur.execute("SELECT series_id, chart FROM bench_spc_series ORDER BY series_id")
        charts = np.array([r[1] for r in cur.fetchall()])
        cur.execute(
            "SELECT series_id, period, numerator, denominator FROM bench_spc_observation "
            "ORDER BY series_id, period, seq"
        )
        rows = cur.fetchall()
    series_id = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    period = np.fromiter((r[1].toordinal() for r in rows), dtype=np.float64, count=len(rows))
    numerator = np.array([r[2] for r in rows], dtype=np.float64)
    denominator = np.array([r[3] for r in rows], dtype=np.float64)
    counts = np.bincount(series_id, minlength=charts.size)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out: dict[str, Series] = {}
    for chart in dict.fromkeys(charts.tolist()):
        ids = np.nonzero(charts == chart)[0]
        width = int(counts[ids[0]])
        if not np.all(counts[ids] == width):
            raise ValueError(f"{chart} series of different lengths cannot share a batch")
        index = starts[ids][:, None] + np.arange(width)
        den = denominator[index]
        out[chart] = {
            "ids": ids,
            "numerator": numerator[index],
            "denominator": None if np.isnan(den).all() else den,
            "period": period[index[0]],
        }
    return out


def analyse_all(data: dict[str, Series]) -> int:
    """One batch per chart type; returns the number of signals found."""
    signals = 0
    for chart, series in data.items():
        batch = analyse_arrays(
            chart,
            series["numerator"],
            series["denominator"],
            x=series["period"] if chart in ("xbar", "s") else None,
            multiply=MULTIPLY.get(chart, 1.0),
        )
        signals += sum(int(part.runs.runs_signal.sum()) for part in batch.parts)
        signals += int(batch.sigma_signal.sum())
    return signals


def timed(func: Any, repeat: int) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20_240_601)
    # Called as bench.spc_bench.main() by ``python -m bench`` (make bench): defaults.
    args = parser.parse_args([] if argv is None else argv)

    import psycopg2  # imported here: only the bench needs a database driver

    from copcore.embedded_db import database_url

    charts, data = generate(args.series, args.points, args.seed)
    conn = psycopg2.connect(database_url())
    try:
        load(conn, charts, data)
        read_s, read_all, read_back = timed(lambda: read(conn), args.repeat)
    finally:
        with conn.cursor() as cur:
            cur.execute(DROP_SQL)
        conn.commit()
        conn.close()
    for chart, series in data.items():
        assert np.array_equal(read_back[chart]["numerator"], series["numerator"], equal_nan=True)
    analysis_s, analysis_all, signals = timed(lambda: analyse_all(read_back), args.repeat)

    ratio = analysis_s / read_s
    counts = {chart: int(series["ids"].size) for chart, series in data.items()}
    observations = sum(int(series["numerator"].size) for series in data.values())
    report = {
        "series": args.series,
        "points": args.points,
        "observations": observations,
        "charts": counts,
        "xbar_subgroup_size": SUBGROUP,
        "repeat": args.repeat,
        "read_seconds": round(read_s, 4),
        "analysis_seconds": round(analysis_s, 4),
        "read_seconds_each": [round(t, 4) for t in read_all],
        "analysis_seconds_each": [round(t, 4) for t in analysis_all],
        "ratio": round(ratio, 4),
        "goal": GOAL,
        "passed": ratio <= GOAL,
        "signals_found": signals,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    mix = ", ".join(f"{n:,} {chart}" for chart, n in counts.items())
    print(
        f"SPC bench: {args.series:,} series x {args.points} periods ({mix}; "
        f"{observations:,} values)\n"
        f"  read from PostgreSQL (median of {args.repeat}): {read_s:.3f} s\n"
        f"  analysis, batch path  (median of {args.repeat}): {analysis_s:.3f} s\n"
        f"  ratio analysis/read: {ratio:.3f} (goal <= {GOAL}) -> "
        f"{'PASS' if report['passed'] else 'FAIL'}\n"
        f"  written to {RESULTS}"
    )
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
