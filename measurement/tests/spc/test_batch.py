"""The vectorised batch path gives the same answers as one series at a time.

``analyse_arrays`` computes many series in one pass (runs analysis by forward
fill, moving ranges by row); these tests compare it, series by series, with the
single-series ``analyse`` on random data with gaps, and check ``analyse_many``
keeps request order across its groups. The single-series results are themselves
checked against published examples in the other test modules.
"""

from __future__ import annotations

import numpy as np
import pytest

from measurement.spc import SpcInputError, analyse, analyse_arrays, analyse_many
from measurement.spc.output import series_output

LINES = ("y", "cl", "lcl", "ucl", "lcl95", "ucl95", "sigma_signal", "part", "included")


def random_batch(chart: str, seed: int = 7, series: int = 40, points: int = 30):
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 400, size=(series, points)).astype(float)
    if chart in ("p", "pp"):
        y = rng.binomial(n.astype(int), rng.uniform(0.05, 0.6, size=(series, 1))).astype(float)
    elif chart in ("u", "up", "c"):
        y = rng.poisson(n * 0.05).astype(float)
    else:
        y = np.round(rng.normal(50, 10, size=(series, points)), 1)
        y[:, 10:12] = np.round(np.median(y, axis=1), 1)[:, None]  # ties with the median
    y[rng.random((series, points)) < 0.05] = np.nan  # gaps
    return y, (n if chart in ("p", "pp", "u", "up") else None)


def as_list(row):
    return [None if np.isnan(v) else float(v) for v in row]


@pytest.mark.parametrize("chart", ["run", "i", "mr", "p", "pp", "u", "up", "c"])
@pytest.mark.parametrize(
    "options",
    [{}, {"freeze": 12}, {"part": [10, 20], "exclude": [3, 15]}, {"multiply": 100}],
)
def test_batch_equals_single_series(chart, options):
    y, n = random_batch(chart)
    batch = analyse_arrays(chart, y, n, **options)
    for row in range(y.shape[0]):
        single = analyse(
            chart=chart,
            y=as_list(y[row]),
            n=None if n is None else as_list(n[row]),
            **options,
        )
        assert series_output(batch, row) == single


def test_analyse_many_keeps_order_across_groups():
    requests = [
        {"chart": "run", "y": [1, 2, 3, 4]},
        {"chart": "p", "y": [1, 2], "n": [10, 10]},
        {"chart": "run", "y": [4, 3, 2, 1]},
        {"chart": "run", "y": [1, 2, 3, 4, 5]},
    ]
    results = analyse_many(requests)
    assert results == [analyse(**r) for r in requests]


def test_analyse_many_names_the_bad_request():
    with pytest.raises(SpcInputError) as info:
        analyse_many([{"y": [1, 2]}, {"chart": "c", "y": [1, -1]}])
    assert info.value.message.startswith("request 1:")
    assert "y" in info.value.fields


def test_batch_validation_names_series_and_position():
    y = np.array([[1.0, 2.0], [3.0, -1.0]])
    with pytest.raises(SpcInputError) as info:
        analyse_arrays("c", y)
    assert "series 2 position 2" in info.value.fields["y"][0]


def runs_by_loop(values: list[float], centre: float) -> tuple[int, int | None, int | None]:
    """runs.analysis() step by step: signs, drop zeros/NA, rle, max, runs - 1."""
    signs = [int(v > centre) - int(v < centre) for v in values if not np.isnan(v)]
    signs = [s for s in signs if s != 0]
    if not signs:
        return 0, None, None
    lengths = [1]
    for previous, current in zip(signs, signs[1:], strict=False):
        if current == previous:
            lengths[-1] += 1
        else:
            lengths.append(1)
    return len(signs), max(lengths), len(lengths) - 1


@pytest.mark.parametrize("chart", ["run", "i", "p"])
def test_vectorised_runs_analysis_matches_a_plain_loop(chart):
    y, n = random_batch(chart, seed=11, series=200)
    batch = analyse_arrays(chart, y, n, part=[15])
    for row in range(y.shape[0]):
        for part in batch.parts:
            cols = range(part.start, part.stop)
            values = [float(batch.y_raw[row, c]) for c in cols]
            expected = runs_by_loop(values, float(batch.cl[row, part.start]))
            got = (
                int(part.runs.n_useful[row]),
                None if np.isnan(part.runs.longest_run[row]) else int(part.runs.longest_run[row]),
                None if np.isnan(part.runs.n_crossings[row]) else int(part.runs.n_crossings[row]),
            )
            assert got == expected
