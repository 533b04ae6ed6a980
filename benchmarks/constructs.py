"""Call-graph accuracy per construct on our own hand-written cases.

Runs the cases of tests/analyzer/construct_cases.py (lambdas, tuple and chained assignment,
builtins calling a function argument, iteration protocols, raise, callbacks, dispatch
through self, dicts of functions, decorators, outside base classes, eval) and prints
true/false positives, misses, precision and recall per construct (goal: 0.99 / 0.97).

    .venv/bin/python benchmarks/constructs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.analyzer.construct_cases import CASES, found_edges, render, score


def main() -> int:
    print(render(score(CASES)))
    misses = []
    for case in CASES:
        found, _ = found_edges(case)
        for edge in sorted(case.expected - found):
            misses.append(f"  missed  {case.construct}/{case.name}: {edge[0]} -> {edge[1]}")
        for edge in sorted(found - case.expected):
            misses.append(f"  extra   {case.construct}/{case.name}: {edge[0]} -> {edge[1]}")
    if misses and "-v" in sys.argv:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
