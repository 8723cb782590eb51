"""Command line: ``python -m measurement.spc < request.json > result.json``.

Reads one JSON object (the arguments of :func:`measurement.spc.analyse`) from
standard input and writes one JSON object to standard output. Exit codes:

* 0 -- analysed; the result is on standard output;
* 2 -- invalid input; ``{"error": {"code", "message", "fields"}}`` on standard
  error (``code`` is ``invalid_json`` or ``invalid_input``);
* 1 -- an unexpected failure inside the engine, reported the same way with
  ``code: internal_error`` (a bug: please report it with the input).

The contract is documented in docs/spc.md; keep it stable.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from . import analyse
from .errors import SpcInputError


def _reject_constant(name: str) -> Any:
    raise SpcInputError(f"{name} is not valid JSON (numbers must be finite)", code="invalid_json")


def _fail(stream: TextIO, body: dict[str, Any]) -> None:
    stream.write(json.dumps(body) + "\n")


def main(
    stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run one request; returns the exit code."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        try:
            request = json.loads(stdin.read(), parse_constant=_reject_constant)
        except json.JSONDecodeError as error:
            raise SpcInputError(f"standard input is not valid JSON: {error}", code="invalid_json")
        if not isinstance(request, dict):
            raise SpcInputError(
                "standard input must be one JSON object with the analysis arguments",
                {"input": ["expected a JSON object"]},
            )
        result = analyse(**request)
    except SpcInputError as error:
        _fail(stderr, error.as_dict())
        return 2
    except Exception as error:  # noqa: BLE001 -- the contract promises JSON on stderr
        _fail(
            stderr,
            {"error": {"code": "internal_error", "message": repr(error), "fields": {}}},
        )
        return 1
    stdout.write(json.dumps(result, allow_nan=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
