"""Waiting for CloudFormation: poll until a change set or a stack operation has ended,
passing each new stack event on as it appears.

AWS runs both asynchronously (a change set takes seconds to compute, a stack minutes to
create); moto finishes them inside the call, so its first poll already sees the end.
The adapter stays one call per method; the polling loop lives here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..aws import AwsClient
from .cloudformation import CHANGE_SET_DONE, ChangeSet, Stack, StackEvent, is_settled
from .errors import DeployError

OnEvent = Callable[[StackEvent], None]


@dataclass(frozen=True)
class Polling:
    interval: float = 3.0  # seconds between two looks; CloudFormation's own waiters use 5 to 30
    timeout: float = 3600.0  # a Lambda stack that takes an hour is stuck
    sleep: Callable[[float], None] = time.sleep


def wait_for_change_set(aws: AwsClient, change_set_id: str, polling: Polling) -> ChangeSet:
    deadline = time.monotonic() + polling.timeout
    while True:
        change_set = aws.describe_change_set(change_set_id)
        if change_set.status in CHANGE_SET_DONE:
            return change_set
        _pause(polling, deadline, f"change set {change_set_id} ({change_set.status})")


def wait_for_stack(aws: AwsClient, stack: str, after: str | None, polling: Polling,
                   on_event: OnEvent) -> tuple[Stack | None, list[StackEvent]]:
    """The stack once settled (None if deleted) and the events since `after`, each also given to `on_event`."""
    deadline = time.monotonic() + polling.timeout
    seen: list[StackEvent] = []
    while True:
        current = aws.describe_stack(stack)
        for event in aws.stack_events(stack, seen[-1].event_id if seen else after):
            seen.append(event)
            on_event(event)
        if is_settled(current.status if current else None):
            return current, seen
        _pause(polling, deadline, f"stack {stack} ({current.status if current else 'deleted'})")


def _pause(polling: Polling, deadline: float, what: str) -> None:
    if time.monotonic() > deadline:
        raise DeployError(f"gave up waiting for {what} after {polling.timeout:.0f} s",
                          hint="look at the stack in the CloudFormation console; deploy again once it has settled")
    polling.sleep(polling.interval)
