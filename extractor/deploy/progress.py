"""What a deploy tells its caller while it runs, and what it returns at the end.

The core never prints: it hands these values to a callback, and the command line renders
them (`mono2lambda/deploy_command.py`). Tests collect them in a list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cloudformation import ResourceChange, StackEvent
from .plan import DeployPlan, Step


@dataclass(frozen=True)
class StepStarted:
    step: Step
    performed: bool  # False in a dry run for steps it only shows


@dataclass(frozen=True)
class ChangesFound:
    """The change set is ready: what executing it will do."""

    change_set: str
    changes: tuple[ResourceChange, ...]


@dataclass(frozen=True)
class Notice:
    text: str


Progress = StepStarted | ChangesFound | Notice | StackEvent
Report = Callable[[Progress], None]

CREATED, UPDATED, NO_CHANGES, DRY_RUN = "created", "updated", "no changes", "dry run"


@dataclass(frozen=True)
class DeployResult:
    outcome: str  # created, updated, no changes, dry run
    plan: DeployPlan
    changes: tuple[ResourceChange, ...]  # what the change set did (or, in a dry run, would do)
    outputs: tuple[tuple[str, str], ...]  # the stack's outputs after the deploy, sorted by key
    dry_run: bool = False

    @property
    def stack(self) -> str:
        return self.plan.stack
