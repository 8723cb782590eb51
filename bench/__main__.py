"""``make bench``: run every ``bench/*_bench.py`` module (or the ones named) in turn.

Each module exposes ``main()`` and prints its own report; figures are also written
as JSON under ``bench/results/``. Benchmarks measure; tests never time anything.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if m.name.endswith("_bench")
    )
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
