"""The words a catalog must not use, read from docs/glossary.md.

The glossary names one word per term and language; where a catalog once used a second
word (Spanish "centro" and "sitio" for *site*), the table "Words the catalogs must not
use" rules the second one out. ``check_messages`` fails on any translation that uses a
ruled-out word, so a catalog cannot drift back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HEADING = "## Words the catalogs must not use"


@dataclass(frozen=True)
class Rule:
    language: str
    ruled_out: str
    use_instead: str
    term: str

    def pattern(self) -> re.Pattern[str]:
        words = r"\s+".join(re.escape(word) for word in self.ruled_out.split())
        return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def rules(glossary: Path) -> list[Rule]:
    """The table's rows, in order. An empty list when the glossary has no such table."""
    found: list[Rule] = []
    in_section = False
    for line in glossary.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_section = line.strip() == HEADING
            continue
        if not in_section or not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("language", "") or set(cells[0]) <= {"-"}:
            continue
        found.append(Rule(*cells))
    return found


def uses(messages: list[tuple[str, list[str]]], language: str, all_rules: list[Rule]):
    """(msgid, ruled-out word, word to use) for every translation that uses a word the
    glossary rules out for ``language``."""
    mine = [rule for rule in all_rules if rule.language == language]
    for msgid, strings in messages:
        for rule in mine:
            if any(rule.pattern().search(text) for text in strings if text):
                yield msgid, rule.ruled_out, rule.use_instead
