"""The disclosure rule as pure functions: primary and secondary suppression."""

from dashboards import disclosure
from dashboards.disclosure import DEFAULT_RULE, UNSUPPRESSED, Figure, Rule


def test_round_rule_hides_1_to_7_and_rounds_the_rest_to_5():
    shown = {n: disclosure.disclose_count(n, DEFAULT_RULE).display for n in range(0, 14)}
    assert shown == {0: "0", 1: "*", 2: "*", 3: "*", 4: "*", 5: "*", 6: "*", 7: "*",
                     8: "10", 9: "10", 10: "10", 11: "10", 12: "10", 13: "15"}  # fmt: skip
    assert disclosure.disclose_count(12.5, DEFAULT_RULE).value == 15  # half up
    assert disclosure.disclose_count(None, DEFAULT_RULE).missing


def test_threshold_rule_suppresses_below_ten_and_keeps_the_rest_exact():
    rule = Rule(mode="threshold", small_max=9)
    assert disclosure.disclose_count(9, rule).suppressed
    assert disclosure.disclose_count(10, rule).display == "10"
    assert disclosure.disclose_count(123, rule).display == "123"
    assert disclosure.disclose_count(0, rule).display == "0"
    assert disclosure.disclose_count(
        0, Rule(mode="threshold", small_max=9, hide_zero=True)
    ).suppressed


def test_rates_come_from_rounded_figures_and_hide_with_their_parts():
    num = disclosure.disclose_count(12, DEFAULT_RULE)  # 10
    den = disclosure.disclose_count(48, DEFAULT_RULE)  # 50
    assert disclosure.disclose_rate(num, den, 100).value == 20.0  # not 25.0
    hidden = disclosure.disclose_count(3, DEFAULT_RULE)
    assert disclosure.disclose_rate(hidden, den).suppressed
    assert disclosure.disclose_rate(num, hidden).suppressed


def test_secondary_suppression_protects_a_hidden_cell_in_a_row_and_a_column():
    # Two sites x two periods, with period totals and site totals.
    counts = {("a", 1): 3, ("b", 1): 40, ("c", 1): 25, ("a", 2): 30, ("b", 2): 35, ("c", 2): 12}
    counts |= {("t", 1): 68, ("t", 2): 77}
    counts |= {("w", "a"): 33, ("w", "b"): 75, ("w", "c"): 37}
    constraints = [
        (("t", 1), [("a", 1), ("b", 1), ("c", 1)]),
        (("t", 2), [("a", 2), ("b", 2), ("c", 2)]),
        (("w", "a"), [("a", 1), ("a", 2)]),
        (("w", "b"), [("b", 1), ("b", 2)]),
        (("w", "c"), [("c", 1), ("c", 2)]),
    ]
    rule = Rule(mode="threshold", small_max=7)
    figures = disclosure.suppress(counts, constraints, rule)
    assert figures[("a", 1)].reason == "primary"
    # The period total and the site total would give it away: a second cell is hidden
    # in each, and so on until no constraint has exactly one hidden figure.
    assert figures[("c", 1)].reason == "secondary"  # smallest other in period 1
    assert disclosure.recoverable(figures, constraints) == []
    hidden = {k for k, f in figures.items() if f.suppressed}
    assert len(hidden) >= 4
    # Without secondary suppression the hidden count is recoverable.
    plain = disclosure.suppress(counts, constraints, Rule(mode="threshold", secondary=False))
    assert disclosure.recoverable(plain, constraints)


def test_stewards_get_every_figure_as_recorded():
    figures = disclosure.suppress({"x": 3, "t": 3}, [("t", ["x"])], UNSUPPRESSED)
    assert figures == {"x": Figure(3.0), "t": Figure(3.0)}


def test_rule_from_model_defaults_to_the_safe_rule():
    assert disclosure.rule_from_model(None) == DEFAULT_RULE
    assert "1 to 7" in DEFAULT_RULE.describe()


def test_the_vectorised_suppression_agrees_with_the_reference():
    import numpy as np

    rng = np.random.default_rng(3)
    for _round in range(20):
        cells = rng.integers(0, 40, size=(6, 5)).astype(float)
        cells[rng.random((6, 5)) < 0.1] = np.nan
        rows = np.where(np.isnan(cells).all(1), np.nan, np.nansum(cells, 1))
        cols = np.where(np.isnan(cells).all(0), np.nan, np.nansum(cells, 0))
        values = np.concatenate([cells.ravel(), rows, cols])
        index = np.arange(30).reshape(6, 5)
        constraints = [np.concatenate(([30 + r], index[r])) for r in range(6)]
        constraints += [np.concatenate(([36 + c], index[:, c])) for c in range(5)]
        for rule in (DEFAULT_RULE, Rule(mode="threshold", small_max=9)):
            shown, hidden, _secondary = disclosure.suppress_arrays(values, constraints, rule)
            counts = {k: (None if np.isnan(v) else float(v)) for k, v in enumerate(values)}
            lines = [(int(c[0]), [int(m) for m in c[1:]]) for c in constraints]
            reference = disclosure.suppress(counts, lines, rule)
            figures = {
                k: Figure(None, True)
                if hidden[k]
                else Figure(None if np.isnan(shown[k]) else shown[k])
                for k in range(len(values))
            }
            assert disclosure.recoverable(figures, lines) == []
            primary = {k for k, f in reference.items() if f.reason == "primary"}
            assert primary <= {k for k in range(len(values)) if hidden[k]}
            for k, figure in reference.items():
                if not figure.suppressed and not hidden[k] and figure.value is not None:
                    assert shown[k] == figure.value
