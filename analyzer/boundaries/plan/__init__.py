"""The plan (`boundaries.yaml`): what goes where, as a file people and tools both edit.

    model.py     frozen values: Plan, Service, Operation, Invocation, Problem
    yamltree.py  the ruamel.yaml adapter: round-trip trees, lines, comment-keeping edits
    schema.py    structural validation (tree -> Plan, every problem with its line)
    document.py  PlanDocument, parse/read/write (atomic)
    assign.py    plan + units -> Placement (exact beats glob, longer glob beats shorter)
    check.py     semantic validation against a CodeGraph
    edit.py      move, merge, split, rename, keep, share
    pins.py      pin, unpin (what `propose` must keep where it is)
    generate.py  placement -> plan, keeping what a person wrote in the previous one

The format is documented in docs/plan-format.md.
"""

from ...errors import PlanError
from .assign import assign
from .check import check_plan
from .document import DEFAULT_PLAN, PlanDocument, parse_plan, plan_error, read_plan, write_plan
from .edit import Edit, keep, merge, move, rename, share, split
from .generate import plan_from_placement
from .model import INVOCATIONS, Invocation, Operation, Plan, Problem, Service
from .pins import is_pinned, pin, unpin

__all__ = [
    "DEFAULT_PLAN", "INVOCATIONS", "Edit", "Invocation", "Operation", "Plan", "PlanDocument", "PlanError",
    "Problem", "Service", "assign", "check_plan", "is_pinned", "keep", "merge", "move", "parse_plan", "pin",
    "plan_error", "plan_from_placement", "read_plan", "rename", "share", "split", "unpin", "write_plan",
]
