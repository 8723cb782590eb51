"""SPC engine benchmark: analysis time against the time to read the same data.

Run: ``python -m bench.spc_bench`` (``make bench``). It

1. generates 10,000 series of 60 monthly points (half p charts with numerator
   and denominator, half run charts of a measured value; about 1% missing),
   from a fixed seed;
2. writes them into a bench-owned table ``bench_spc_observation`` (created
   fresh with COPY, dropped at the end) in the platform's PostgreSQL
   (``copcore.embedded_db.database_url()``: ``DATABASE_URL`` or the embedded
   server);
3. times reading them back with psycopg2 -- ``SELECT ... ORDER BY series_id,
   period``, ``fetchall()`` and conversion to NumPy arrays -- and times the
   analysis with the engine's batch path (:func:`measurement.spc.analyse_arrays`,
   one call per chart type), each ``--repeat`` times, and reports the medians;
4. prints a short report and writes it as JSON to ``bench/results/spc.json``.

The goal (issue "SPC engine") is analysis time <= 0.25 x read time. Why this
comparison: dashboards read a measure's observations and analyse them in the
same request, so the analysis should never be the slow half.
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

DROP_SQL = "DROP TABLE IF EXISTS bench_spc_observation"
GOAL = 0.25
RESULTS = Path(__file__).resolve().parent / "results" / "spc.json"


def generate(series: int, points: int, seed: int) -> dict[str, np.ndarray]:
    """Deterministic observations: even series are p charts, odd ones run charts."""
    rng = np.random.default_rng(seed)
    is_p = np.arange(series) % 2 == 0
    n_p = int(is_p.sum())
    numerator = np.empty((series, points))
    denominator = np.full((series, points), np.nan)

    sizes = rng.integers(30, 400, size=(n_p, points))
    rate = rng.uniform(0.05, 0.5, size=(n_p, 1))
    shifted = rng.random(n_p) < 0.3  # a third of the p series improve half way
    rate = np.where(shifted[:, None] & (np.arange(points) >= points // 2), rate * 0.7, rate)
    numerator[is_p] = rng.binomial(sizes, rate)
    denominator[is_p] = sizes

    level = rng.uniform(20, 200, size=(series - n_p, 1))
    numerator[~is_p] = np.round(rng.normal(level, level * 0.1, size=(series - n_p, points)), 1)

    missing = rng.random((series, points)) < 0.01
    numerator[missing] = np.nan
    denominator[missing] = np.nan
    return {"numerator": numerator, "denominator": denominator, "is_p": is_p}


def months(points: int, start: date = date(2020, 1, 1)) -> list[str]:
    return [
        date(
            start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1
        ).isoformat()
        for k in range(points)
    ]


def to_csv(data: dict[str, np.ndarray]) -> io.StringIO:
    """COPY input: series_id, period, numerator, denominator (empty = NULL)."""
    numerator, denominator = data["numerator"], data["denominator"]
    periods = months(numerator.shape[1])
    lines = []
    for s in range(numerator.shape[0]):
        for t, period in enumerate(periods):
            num, den = numerator[s, t], denominator[s, t]
            lines.append(
                f"{s},{period},{'' if np.isnan(num) else repr(float(num))},"
                f"{'' if np.isnan(den) else repr(float(den))}"
            )
    return io.StringIO("\n".join(lines) + "\n")


def load(conn: Any, data: dict[str, np.ndarray]) -> None:
    with conn.cursor() as cur:
        cur.execute(DROP_SQL)
        cur.execute(
            "CREATE TABLE bench_spc_observation (series_id integer NOT NULL, "
            "period date NOT NULL, numerator double precision, denominator double precision)"
        )
        cur.copy_expert(
            "COPY bench_spc_observation (series_id, period, numerator, denominator) "
            "FROM STDIN WITH (FORMAT csv)",
            to_csv(data),
        )
        cur.execute("ANALYZE bench_spc_observation")
    conn.commit()


def read(conn: Any, series: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    """The read being compared: ordered SELECT, fetchall, NumPy (S, T) arrays."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT series_id, period, numerator, denominator FROM bench_spc_observation "
            "ORDER BY series_id, period"
        )
        rows = cur.fetchall()
    numerator = np.array([r[2] for r in rows], dtype=np.float64).reshape(series, points)
    denominator = np.array([r[3] for r in rows], dtype=np.float64).reshape(series, points)
    return numerator, denominator


def analyse_all(numerator: np.ndarray, denominator: np.ndarray) -> int:
    """One batch per chart type; a series is a p chart when it has denominators."""
    is_p = ~np.all(np.isnan(denominator), axis=1)
    p = analyse_arrays("p", numerator[is_p], denominator[is_p], multiply=100)
    run = analyse_arrays("run", numerator[~is_p])
    signals = sum(int(part.runs.runs_signal.sum()) for part in (*p.parts, *run.parts))
    return signals + int(p.sigma_signal.sum())


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

    data = generate(args.series, args.points, args.seed)
    conn = psycopg2.connect(database_url())
    try:
        load(conn, data)
        read_s, read_all, (numerator, denominator) = timed(
            lambda: read(conn, args.series, args.points), args.repeat
        )
    finally:
        with conn.cursor() as cur:
            cur.execute(DROP_SQL)
        conn.commit()
        conn.close()
    assert np.array_equal(numerator, data["numerator"], equal_nan=True)
    analysis_s, analysis_all, signals = timed(
        lambda: analyse_all(numerator, denominator), args.repeat
    )

    ratio = analysis_s / read_s
    report = {
        "series": args.series,
        "points": args.points,
        "observations": args.series * args.points,
        "charts": {"p": int(data["is_p"].sum()), "run": int((~data["is_p"]).sum())},
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
    print(
        f"SPC bench: {args.series:,} series x {args.points} points "
        f"({report['charts']['p']:,} p charts, {report['charts']['run']:,} run charts)\n"
        f"  read from PostgreSQL (median of {args.repeat}): {read_s:.3f} s\n"
        f"  analysis, batch path  (median of {args.repeat}): {analysis_s:.3f} s\n"
        f"  ratio analysis/read: {ratio:.3f} (goal <= {GOAL}) -> "
        f"{'PASS' if report['passed'] else 'FAIL'}\n"
        f"  written to {RESULTS}"
    )
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
