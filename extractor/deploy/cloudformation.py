"""CloudFormation's vocabulary as plain values, and the rules for reading its statuses.

Pure: the adapter (`aws.py`) turns API answers into these values, the executor asks
these functions what a status or an event means. Keeping the rules here lets them be
tested without a network, and keeps both the real service's and the emulator's
behaviour written down in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# CloudFormation answers an update that changes nothing with a FAILED change set. The
# reason is the first text on AWS today (moto 5 copies it word for word); the second is
# what AWS says for the same case through UpdateStack and in older change-set answers.
NO_CHANGE_REASONS = ("didn't contain changes", "No updates are to be performed")
CHANGE_SET_DONE = frozenset({"CREATE_COMPLETE", "FAILED", "DELETE_COMPLETE", "DELETE_FAILED"})
SUCCEEDED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})
# A stack in these statuses is not worth keeping: it never held anything (REVIEW_IN_PROGRESS,
# left by a change set that was never executed) or holds nothing any more (a first create
# that rolled back). CloudFormation cannot update either; it has to be deleted first.
EMPTY_STACK = frozenset({"REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"})
# Statuses a person has to resolve (in the console or with continue-update-rollback).
STUCK = frozenset({"UPDATE_ROLLBACK_FAILED", "DELETE_FAILED", "IMPORT_ROLLBACK_FAILED"})
_CANCELLED = ("cancelled", "canceled")  # resources CloudFormation stopped because another one failed


@dataclass(frozen=True)
class StackEvent:
    """One line of the stack's event log."""

    event_id: str
    timestamp: str  # ISO 8601, UTC
    logical_id: str
    resource_type: str
    status: str
    reason: str


@dataclass(frozen=True)
class ResourceChange:
    """One line of a change set: what happens to which resource."""

    action: str  # Add, Modify, Remove, Import, Dynamic
    logical_id: str
    resource_type: str
    replacement: str  # True, False, Conditional; "" when the service does not say (moto never does)


@dataclass(frozen=True)
class ChangeSet:
    change_set_id: str
    stack_id: str
    status: str
    execution_status: str
    reason: str
    changes: tuple[ResourceChange, ...]


@dataclass(frozen=True)
class Stack:
    stack_id: str
    name: str
    status: str
    reason: str
    outputs: tuple[tuple[str, str], ...]  # (key, value), sorted by key


def is_no_change(change_set: ChangeSet) -> bool:
    return change_set.status == "FAILED" and any(text in change_set.reason for text in NO_CHANGE_REASONS)


def is_settled(status: str | None) -> bool:
    """True once a stack operation has ended; None means the stack is gone (deleted).

    REVIEW_IN_PROGRESS counts as not settled: right after ExecuteChangeSet, AWS may still
    report it for a moment before CREATE_IN_PROGRESS."""
    return status is None or not status.endswith("_IN_PROGRESS")


def succeeded(status: str | None, operation: str) -> bool:
    if operation == "DELETE":
        return status in (None, "DELETE_COMPLETE")
    return status in SUCCEEDED


def first_failure(events: Iterable[StackEvent]) -> StackEvent | None:
    """The event that explains a failed operation: the earliest resource that failed for a
    reason of its own, not one CloudFormation cancelled because of it."""
    for event in sorted(events, key=lambda event: event.timestamp):
        if event.status.endswith("_FAILED") and not any(word in event.reason.lower() for word in _CANCELLED):
            return event
    return None


def describe_failure(stack: Stack | None, events: Iterable[StackEvent]) -> str:
    """One line: the failing resource and its reason, else the stack's own reason."""
    event = first_failure(events)
    if event is not None:
        return f"{event.logical_id} ({event.resource_type}) {event.status}: {event.reason or 'no reason given'}"
    if stack is not None and stack.reason:
        return f"{stack.status}: {stack.reason}"
    return f"the stack ended in {stack.status if stack else 'deletion'} without saying why"
