"""Real historical splits as references: does `propose` find the package that left?

Each recipe (`*.json` beside this script) names a public repository, the monolith commit
just before a package left it for a repository of its own, and the module prefixes that
left (the reference service). For each monolith commit the script checks out a work tree
(from --git-dir REPO=PATH, a local clone or bare mirror; else it clones the URL), runs
`analyze` on it (with its git history, as a user would) and `propose` twice: with every
signal (co-change, vocabulary; there is no trace of these suites) and with those two off
(`--weight cochange=0 --weight vocabulary=0`). It prints the best-service F1 of each
reference: the F1 of the proposed service closest to it (precision and recall over the
graph's modules), for the default proposal and for the best level of its hierarchy (the
N-cut a user could pick from the dendrogram).

    .venv/bin/python benchmarks/splits/score_splits.py --git-dir ipython/ipython=PATH_TO_CLONE
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from analyzer.boundaries.partition import DEFAULT_WEIGHTS, ProposeOptions, propose_with_hierarchy
from analyzer.boundaries.placement import MONOLITH, SHARED
from analyzer.graph import CodeGraph
from analyzer.pipeline import analyze

GOAL = 0.9


@dataclass(frozen=True)
class Recipe:
    name: str
    repository: str  # owner/name on GitHub
    commit: str  # the monolith, just before the split
    reference: tuple[str, ...]  # module prefixes that left
    src: str = "."  # what is analysed, inside the checkout


def read_recipes(folder: Path) -> list[Recipe]:
    recipes = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        recipes.append(Recipe(data["name"], data["repository"], data["monolith_commit"], tuple(data["reference"]),
                              data.get("src", ".")))
    return recipes


def f1(found: set[str], reference: set[str]) -> float:
    both = len(found & reference)
    return 2 * both / (len(found) + len(reference)) if both else 0.0


def best_f1(groups: Iterable[set[str]], reference: set[str]) -> tuple[float, int]:
    """The best F1 of any group against the reference, and that group's size."""
    scored = [(f1(g, reference), -len(g)) for g in groups]
    best = max(scored, default=(0.0, 0))
    return best[0], -best[1]


def services(placement) -> list[set[str]]:
    found: dict[str, set[str]] = {}
    for unit in placement.units:
        place = placement.place_of(unit)
        if place not in (MONOLITH, SHARED):
            found.setdefault(place, set()).add(unit)
    return list(found.values())


def modules_under(graph: CodeGraph, prefixes: Iterable[str]) -> set[str]:
    return {m for m in graph.nodes("module") for p in prefixes if m == p or m.startswith(p + ".")}


def checkout(recipe: Recipe, git_dirs: dict[str, str], scratch: Path) -> Path:
    target = scratch / recipe.repository.replace("/", "+") / recipe.commit[:12] / recipe.repository.split("/")[-1]
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    source = git_dirs.get(recipe.repository) or f"https://github.com/{recipe.repository}.git"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", source, str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "checkout", "--quiet", "--detach", recipe.commit], check=True)
    return target


def score_recipe(graph: CodeGraph, recipe: Recipe) -> dict[str, object]:
    reference = modules_under(graph, recipe.reference)
    row: dict[str, object] = {"split": recipe.name, "reference_modules": len(reference)}
    for label, weights in (("all signals", DEFAULT_WEIGHTS),
                           ("without", replace(DEFAULT_WEIGHTS, cochange=0.0, vocabulary=0.0))):
        placement, hierarchy = propose_with_hierarchy(graph, options=ProposeOptions(weights=weights))
        default, size = best_f1(services(placement), reference)
        levels = [(best_f1(hierarchy.cut(n), reference)[0], n) for n in range(1, len(hierarchy.leaves) + 1)]
        level_f1, level = max(levels, key=lambda pair: (pair[0], -pair[1]))
        row[label] = {"f1": round(default, 3), "service_size": size, "services": len(services(placement)),
                      "best_level_f1": round(level_f1, 3), "best_level": level}
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--git-dir", action="append", default=[], metavar="OWNER/NAME=PATH")
    parser.add_argument("--work", type=Path, default=None, help="where checkouts and graphs go (default: temporary)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    git_dirs = dict(item.split("=", 1) for item in args.git_dir)
    rows = []
    with tempfile.TemporaryDirectory(prefix="m2l-splits-") as temporary:
        scratch = args.work or Path(temporary)
        graphs: dict[tuple[str, str, str], CodeGraph] = {}
        for recipe in read_recipes(HERE):
            key = (recipe.repository, recipe.commit, recipe.src)
            if key not in graphs:
                tree = checkout(recipe, git_dirs, scratch)
                out = scratch / "out" / recipe.repository.replace("/", "+") / recipe.commit[:12]
                graphs[key] = analyze(tree / recipe.src, out).load_graph()
            rows.append(score_recipe(graphs[key], recipe))
    if args.json:
        print(json.dumps(rows, indent=1, sort_keys=True))
    else:
        print(f"{'split':<24} {'modules':>7}  {'F1 all signals':>15} {'F1 without':>11}  "
              f"{'best level (all)':>17} {'best level (without)':>21}")
        for row in rows:
            a, b = row["all signals"], row["without"]  # type: ignore[index]
            print(f"{row['split']:<24} {row['reference_modules']:>7}  {a['f1']:>15.3f} {b['f1']:>11.3f}  "
                  f"{a['best_level_f1']:>10.3f} at {a['best_level']:>3} "
                  f"{b['best_level_f1']:>14.3f} at {b['best_level']:>3}")
    failed = [r for r in rows if r["all signals"]["f1"] < GOAL]  # type: ignore[index]
    print(f"goal: F1 >= {GOAL} with every signal: {len(rows) - len(failed)} of {len(rows)} splits")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
