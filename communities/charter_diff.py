"""A readable comparison of two charter versions, section by section.

Built with ``difflib`` on lines: every line is marked with a word and a symbol
("added +", "removed -"), not only a colour, so the template can render it as an
accessible table that also reads well in a screen reader.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from communities.models import CharterSections


@dataclass
class DiffLine:
    kind: str  # "same", "added" or "removed"
    text: str

    @property
    def symbol(self) -> str:
        return {"added": "+", "removed": "−", "same": ""}[self.kind]


@dataclass
class SectionDiff:
    key: str
    label: str
    changed: bool
    lines: list[DiffLine] = field(default_factory=list)


def charter_diff(old: CharterSections, new: CharterSections) -> list[SectionDiff]:
    """Each section of ``new`` compared with ``old``: unchanged lines, added, removed."""
    result = []
    for (key, label, old_text), (_k, _l, new_text) in zip(
        old.sections(), new.sections(), strict=True
    ):
        old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
        lines: list[DiffLine] = []
        for entry in difflib.ndiff(old_lines, new_lines):
            code, text = entry[:2], entry[2:]
            if code == "  ":
                lines.append(DiffLine("same", text))
            elif code == "- ":
                lines.append(DiffLine("removed", text))
            elif code == "+ ":
                lines.append(DiffLine("added", text))
            # "? " lines are ndiff's intraline hints: not shown.
        result.append(
            SectionDiff(key=key, label=str(label), changed=old_text != new_text, lines=lines)
        )
    return result
