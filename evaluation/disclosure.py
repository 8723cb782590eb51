"""Small-number suppression for evaluation results, following the organization's
disclosure rule (``dashboards.disclosure``, configured per organization).

Survey answers are about people, not patients, but the same arithmetic protects them:
a group (all respondents, or one site's) with a small number of responses shows only
that it is small, and the counts inside a shown group are disclosed with the rule
(primary suppression, rounding when the rule rounds, and secondary suppression where
counts add up to a total). Survey results are never shown unsuppressed, not even to
data stewards: an anonymous answer must stay anonymous for everyone. When the
organization's rule is switched off ("none"), the platform's default rule applies to
surveys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dashboards import disclosure as base
from dashboards.disclosure import SUPPRESSED_MARK, Figure, Rule

SUPPRESSED = SUPPRESSED_MARK


def survey_rule(organization) -> Rule:
    """The rule for survey results: the organization's, or the default when it is off."""
    from dashboards.selectors import organization_rule

    rule = organization_rule(organization)
    return rule if rule.is_active else base.DEFAULT_RULE


def is_small(count: int | None, rule: Rule) -> bool:
    """Whether a group of ``count`` responses is too small to show."""
    return count is not None and base.is_small(float(count), rule)


def shown(count: int | None, rule: Rule) -> str:
    """A count as it may be shown ("*" when small, rounded when the rule rounds)."""
    return base.disclose_count(count, rule).display


def counts_adding_up(
    total: int, parts: Mapping[str, int], rule: Rule, *, additive: bool = True
) -> tuple[str, dict[str, str]]:
    """Disclose a total and its parts (options of a single-choice question, values of a
    scale). With ``additive`` the parts add up to the total, so secondary suppression
    applies across them."""
    counts: dict = {"__total__": total, **parts}
    constraints: Sequence = [("__total__", list(parts))] if additive else []
    figures: dict[object, Figure] = base.suppress(counts, constraints, rule)
    return figures["__total__"].display, {k: figures[k].display for k in parts}
