"""Disclosure control: small counts never reach anyone who is not a data steward.

Pure functions (no Django): the organization's rule is turned into a :class:`Rule`
by :func:`rule_from_model`, and everything a non-steward sees is derived from the
figures this module returns.

* **Primary suppression** -- each count on its own: with the rounding rule, counts
  from 1 to ``small_max`` (7 by default) become "*" and the others are rounded to the
  nearest ``rounding_base`` (5); with the threshold rule, counts from 1 to
  ``small_max`` become "*" and the others are shown exactly. Zeros are shown unless
  ``hide_zero``. Rates and percentages are computed from the disclosed (rounded)
  figures, and a rate is hidden when its numerator or denominator is.
* **Secondary suppression** -- a hidden count could be worked out from a total and
  the other counts that add up to it. Every additive relation the platform shows
  (sites add up to the CoP, categories add up to a total, periods add up to a
  window) is a *constraint*; wherever a constraint has exactly one hidden member,
  the smallest other member is hidden too, until no constraint has exactly one.
  Every page, chart, export and API answer takes its figures from one pass over
  all the constraints of a measure, so the same cells are hidden everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def _(text: str) -> str:
    """Django's gettext where Django is installed; the text itself without it."""
    try:
        from django.utils.translation import gettext
    except ImportError:  # pragma: no cover - used without Django
        return text
    return gettext(text)


SUPPRESSED_MARK = "*"

ROUND = "round"
THRESHOLD = "threshold"
NONE = "none"


@dataclass(frozen=True)
class Rule:
    """A disclosure rule. ``mode`` "none" is what data stewards get: figures as they are."""

    mode: str = ROUND
    small_max: int = 7
    rounding_base: int = 5
    hide_zero: bool = False
    secondary: bool = True

    @property
    def is_active(self) -> bool:
        return self.mode != NONE

    @property
    def signature(self) -> str:
        """Short text that changes with the rule (part of cache keys)."""
        return (
            f"{self.mode}-{self.small_max}-{self.rounding_base}-"
            f"{int(self.hide_zero)}-{int(self.secondary)}"
        )

    def describe(self) -> str:
        """The rule in words, for the pages that apply it (translated where Django is)."""
        if self.mode == NONE:
            return _("Figures are shown as recorded (data steward view).")
        low = 0 if self.hide_zero else 1
        text = _("Counts from %(low)s to %(high)s are shown as '%(mark)s'") % {
            "low": low,
            "high": self.small_max,
            "mark": SUPPRESSED_MARK,
        }
        if self.mode == ROUND:
            text += _(
                "; other counts are rounded to the nearest %(base)s, and rates are computed "
                "from the rounded figures"
            ) % {"base": self.rounding_base}
        if self.secondary:
            text += _("; other figures are hidden where a hidden one could be worked out")
        return text + "."


DEFAULT_RULE = Rule()
UNSUPPRESSED = Rule(mode=NONE, secondary=False)


@dataclass(frozen=True)
class Figure:
    """One disclosed count: ``value`` is what may be shown and computed with (None when
    missing or hidden); ``reason`` says why it is hidden ("primary"/"secondary")."""

    value: float | None
    suppressed: bool = False
    reason: str = ""

    @property
    def missing(self) -> bool:
        return self.value is None and not self.suppressed

    @property
    def display(self) -> str:
        if self.suppressed:
            return SUPPRESSED_MARK
        if self.value is None:
            return ""
        return format_number(self.value)


MISSING = Figure(None)


def format_number(value: float) -> str:
    """Whole numbers without decimals, others with up to four significant decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def round_to_base(count: float, base: int) -> float:
    """Round half up to the nearest multiple of ``base`` (12.5 -> 15 with base 5)."""
    if base <= 1:
        return float(Decimal(str(count)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    multiple = (Decimal(str(count)) / base).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(multiple * base)


def is_small(count: float, rule: Rule) -> bool:
    """Whether a count is hidden on its own (primary suppression)."""
    if not rule.is_active:
        return False
    if count == 0:
        return rule.hide_zero
    return 0 < count <= rule.small_max


def disclose_count(count: float | None, rule: Rule) -> Figure:
    """Primary suppression of one count."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return MISSING
    count = float(count)
    if is_small(count, rule):
        return Figure(None, True, "primary")
    if rule.mode == ROUND:
        return Figure(round_to_base(count, rule.rounding_base))
    return Figure(count)


def disclose_rate(numerator: Figure, denominator: Figure, multiply: float = 1.0) -> Figure:
    """A rate from disclosed figures: hidden when either part is hidden."""
    if numerator.suppressed or denominator.suppressed:
        return Figure(None, True, "component")
    if numerator.value is None or not denominator.value:
        return MISSING
    return Figure(numerator.value / denominator.value * multiply)


Key = Hashable
Constraint = tuple[Key, Sequence[Key]]  # (total, members that add up to it)


def suppress(
    counts: Mapping[Key, float | None],
    constraints: Iterable[Constraint],
    rule: Rule,
) -> dict[Key, Figure]:
    """Primary then secondary suppression of a set of counts linked by constraints.

    ``counts`` maps a key to its true count (None = missing: no data, not part of any
    sum); each constraint says ``counts[total] == sum(counts[m] for m in members)``.
    Returns the disclosed :class:`Figure` of every key.

    Secondary suppression: while some constraint has exactly one hidden figure among
    its total and members, hide the smallest shown member greater than zero (a zero
    if there is none, the total as a last resort). The smallest is chosen to lose as
    little information as possible; the loop ends because each step hides one more.
    """
    if not rule.is_active:
        return {k: (MISSING if v is None else Figure(float(v))) for k, v in counts.items()}
    result = {key: disclose_count(value, rule) for key, value in counts.items()}
    if not rule.secondary:
        return result
    lines = []
    for total, members in constraints:
        present = [m for m in members if m in counts and counts[m] is not None]
        if total in counts and counts[total] is not None and present:
            lines.append((total, present))
    # Index lines by key so only the lines touched by a newly hidden key are re-read.
    by_key: dict[Key, list[int]] = {}
    for index, (total, members) in enumerate(lines):
        for key in (total, *members):
            by_key.setdefault(key, []).append(index)
    pending = set(range(len(lines)))
    while pending:
        index = pending.pop()
        total, members = lines[index]
        hidden = sum(result[k].suppressed for k in (total, *members))
        if hidden != 1:
            continue
        candidates = [m for m in members if not result[m].suppressed]
        positive = [m for m in candidates if (counts[m] or 0) > 0]
        pool = positive or candidates
        if pool:
            victim = min(pool, key=lambda m: (counts[m] or 0, str(m)))
        elif not result[total].suppressed:
            victim = total
        else:  # pragma: no cover - a line with one hidden key always has a shown one
            continue
        result[victim] = Figure(None, True, "secondary")
        pending.update(by_key.get(victim, ()))
    return result


def primary_arrays(values, rule: Rule):
    """Primary suppression of an array of counts (NaN = missing), vectorised:
    ``(shown, hidden)`` where ``shown`` is NaN for hidden or missing figures."""
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    if not rule.is_active:
        return values.copy(), np.zeros(values.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        hidden = (values > 0) & (values <= rule.small_max)
        if rule.hide_zero:
            hidden |= values == 0
        shown = values.copy()
        if rule.mode == ROUND and rule.rounding_base > 1:
            # Half up, as round_to_base (the counts are not negative).
            shown = np.floor(values / rule.rounding_base + 0.5) * rule.rounding_base
    shown[hidden] = np.nan
    return shown, hidden


def suppress_arrays(values, constraints, rule: Rule):
    """:func:`suppress` for a flat array of counts and constraints given as index
    arrays (first index: the total, then its members); the same result, computed with
    NumPy so a CoP's thousands of cells take milliseconds. Returns
    ``(shown, hidden, secondary)``: shown values (NaN when hidden or missing), the
    hidden mask, and which of them were hidden by secondary suppression."""
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    shown, hidden = primary_arrays(values, rule)
    secondary = np.zeros(values.shape, dtype=bool)
    if not rule.is_active or not rule.secondary:
        return shown, hidden, secondary
    present = ~np.isnan(values)
    lines = []
    for line in constraints:
        line = np.asarray(line, dtype=np.int64)
        total, members = line[0], line[1:]
        members = members[present[members]]
        if present[total] and members.size:
            lines.append(np.concatenate(([total], members)))
    by_key: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        for key in line.tolist():
            by_key.setdefault(key, []).append(index)
    pending = set(range(len(lines)))
    while pending:
        line = lines[pending.pop()]
        if int(hidden[line].sum()) != 1:
            continue
        members = line[1:]
        candidates = members[~hidden[members]]
        if candidates.size:
            positive = candidates[values[candidates] > 0]
            pool = positive if positive.size else candidates
            victim = int(pool[np.argmin(values[pool])])
        elif not hidden[line[0]]:
            victim = int(line[0])
        else:  # pragma: no cover
            continue
        hidden[victim] = True
        secondary[victim] = True
        shown[victim] = np.nan
        pending.update(by_key.get(victim, ()))
    return shown, hidden, secondary


def recoverable(
    figures: Mapping[Key, Figure], constraints: Iterable[Constraint]
) -> list[tuple[Key, Key]]:
    """(total, key) pairs where a hidden key is the only hidden one in a constraint:
    empty whenever :func:`suppress` ran with secondary suppression. Used by tests and
    by anyone checking a table built elsewhere."""
    found = []
    for total, members in constraints:
        line = [k for k in (total, *members) if k in figures and not figures[k].missing]
        hidden = [k for k in line if figures[k].suppressed]
        if len(line) > 1 and len(hidden) == 1:
            found.append((total, hidden[0]))
    return found


def rule_from_model(model) -> Rule:
    """The :class:`Rule` of a ``DisclosureRule`` row (the default when None)."""
    if model is None:
        return DEFAULT_RULE
    return Rule(
        mode=model.mode,
        small_max=int(model.small_max),
        rounding_base=int(model.rounding_base),
        hide_zero=bool(model.hide_zero),
        secondary=bool(model.secondary_suppression),
    )
