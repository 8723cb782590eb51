"""The one error the engine raises for bad input.

Callers (the CLI, the platform's services, other tools) need to tell "your input
is wrong" apart from "the engine broke", and to show the user *which* argument is
wrong. So every validation problem becomes an :class:`SpcInputError` carrying the
platform's error shape ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

from typing import Any


class SpcInputError(ValueError):
    """Invalid arguments for an SPC analysis.

    ``fields`` maps an argument name to the list of problems found with it, so a
    form can put each message beside its field.
    """

    def __init__(
        self,
        message: str,
        fields: dict[str, list[str]] | None = None,
        code: str = "invalid_input",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.code = code

    def as_dict(self) -> dict[str, Any]:
        """The platform's error body (see ARCHITECTURE.md, section 8)."""
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


def raise_for(problems: dict[str, list[str]]) -> None:
    """Raise one error naming every problem found, or return if there are none."""
    if not problems:
        return
    first_field, first_messages = next(iter(problems.items()))
    extra = sum(len(v) for v in problems.values()) - 1
    message = f"{first_field}: {first_messages[0]}"
    if extra:
        message += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    raise SpcInputError(message, problems)
