"""The local emulator: moto's state is per process, yet each emulator starts empty.

Before, a stack the demo deployed (in-process, through CliRunner) was still there for the
deploy tests that ran after it, which then saw 'updated' where they expect 'created'.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from extractor.deploy.emulator import local_emulator


def queues(endpoint: str) -> list[str]:
    sqs: Any = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")
    return [url.rsplit("/", 1)[1] for url in sqs.list_queues().get("QueueUrls", [])]


def test_what_an_emulator_held_is_gone_with_it_but_not_while_one_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with local_emulator() as outer:
        boto3.client("sqs", endpoint_url=outer, region_name="us-east-1").create_queue(QueueName="left-behind")
        with local_emulator() as inner:  # started inside another: the same state
            assert "left-behind" in queues(inner)
        assert "left-behind" in queues(outer)  # the inner one's end emptied nothing
    with local_emulator() as later:
        assert "left-behind" not in queues(later)
