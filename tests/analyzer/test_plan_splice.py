"""A move as a line edit (plan/splice.py) writes exactly what the tree edit writes, or steps aside."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import analyzer.boundaries.plan.edit as edit_module
from analyzer.boundaries.placement import MONOLITH, SHARED
from analyzer.boundaries.plan import keep, move, parse_plan, plan_from_placement, share
from analyzer.boundaries.plan.document import PlanDocument
from analyzer.boundaries.plan.splice import splice_move

from .test_plan import EXAMPLE
from .test_report_scale import generated_graph, generated_placement

ROOT = Path(__file__).resolve().parents[2]

# Comments and blank lines at every place a splice must not touch; a quoted entry; the
# first, middle and last item of lists; an empty monolith list is left out on purpose.
COMMENTED = """\
# a plan with comments around its entries
version: 1
source: big
unit: module
services:
  alpha:
    modules:
      # first comes a
      - big.a1
      - big.a2      # a2 eol
      - big.a3
      # after a3

      - big.a4
      - big.a5
    memory: 512
  beta:
    modules:
      - big.b1
      - "big.b2"
      - big.b3
  gamma:
    modules:
      - big.c1
      - big.c3
    pinned:
      - big.c3
shared:
  - big.a0
  - big.s1
  - big.s2
"""


def tree_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edit_module, "splice_move", lambda *args: None)


def place_unit(doc: PlanDocument, unit: str, place: str) -> str:
    if place == MONOLITH:
        return keep(doc, unit).doc.text
    if place == SHARED:
        return share(doc, unit).doc.text
    return move(doc, unit, place).doc.text


def every_move(doc: PlanDocument) -> list[tuple[str, str]]:
    places = [*doc.plan.service_names(), MONOLITH, SHARED]
    listed = {u for s in doc.plan.services for u in s.modules} | set(doc.plan.monolith) | set(doc.plan.shared)
    units = sorted(listed | {f"{doc.plan.source}.unlisted", f"{doc.plan.source}.a35", "zz.last", "aa.first"})
    return [(unit, place) for unit in units for place in places if not unit.endswith("*")]


@pytest.mark.parametrize("text", [EXAMPLE, COMMENTED, (ROOT / "examples" / "shop" / "boundaries.yaml").read_text()],
                         ids=["commented-everywhere", "commented", "shop"])
def test_every_move_writes_what_the_tree_edit_writes(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = parse_plan(text)
    spliced = 0
    expected = {}
    for unit, place in every_move(doc):
        if unit not in [u for s in doc.plan.services if s.name == place for u in s.modules]:
            spliced += splice_move(doc, unit, _place_of(doc, unit), place) is not None
    with monkeypatch.context() as patched:
        tree_only(patched)
        for unit, place in every_move(doc):
            expected[(unit, place)] = _attempt(doc, unit, place)
    for (unit, place), text_or_error in expected.items():
        assert _attempt(doc, unit, place) == text_or_error, (unit, place)
    assert spliced > 0


def test_a_chain_of_moves_on_a_big_plan_matches_the_tree_edit(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = generated_graph(modules=400, packages=8)
    doc = parse_plan(plan_from_placement(generated_placement(graph), "big", "module", None).dumps())
    rng = random.Random(3)
    units = sorted(graph.nodes("module"))
    places = [*doc.plan.service_names(), MONOLITH, SHARED]
    fast = slow = doc
    for _ in range(40):
        unit, place = rng.choice(units), rng.choice(places)
        fast = parse_plan(_attempt(fast, unit, place) if not _attempt(fast, unit, place).startswith("!") else fast.text)
        with monkeypatch.context() as patched:
            tree_only(patched)
            answer = _attempt(slow, unit, place)
            slow = parse_plan(answer) if not answer.startswith("!") else slow
        assert fast.text == slow.text


def test_what_a_splice_cannot_do_goes_through_the_tree() -> None:
    doc = parse_plan(COMMENTED)
    assert splice_move(doc, "big.a2", "alpha", "beta") is None  # its end-of-line comment
    assert splice_move(doc, "big.a3", "alpha", "beta") is None  # a comment follows it
    assert splice_move(doc, "big.b2", "beta", "alpha") is None  # quoted
    assert splice_move(doc, "big.c3", "gamma", "alpha") is None  # pinned: the pin moves along
    assert splice_move(doc, "big.c1", "gamma", MONOLITH) is None  # no monolith list yet
    assert splice_move(doc, "big.a0", SHARED, "alpha") is None  # would land under "# first comes a"
    assert splice_move(doc, "big.a4", "alpha", "gamma") is not None
    assert splice_move(doc, "big.new", None, "gamma") is not None  # listed nowhere: only a line in
    assert splice_move(parse_plan(COMMENTED.replace("\n", "\r\n")), "big.a4", "alpha", "gamma") is None


def _place_of(doc: PlanDocument, unit: str) -> str | None:
    for service in doc.plan.services:
        if unit in service.modules:
            return service.name
    return MONOLITH if unit in doc.plan.monolith else SHARED if unit in doc.plan.shared else None


def _attempt(doc: PlanDocument, unit: str, place: str) -> str:
    try:
        return place_unit(doc, unit, place)
    except Exception as error:  # the same refusal either way
        return f"!{type(error).__name__}: {error}"
