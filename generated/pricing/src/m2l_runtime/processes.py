"""Child processes that must end with everything they started: the one starter of a worker
with its two pipes, and the one process-group killer.

A child runs in a process group of its own, so killing the group ends whatever it started
too: a handler's subprocesses, a test suite's servers. A worker's group stays in the
caller's session: a session of its own is also a scheduling group of its own on Linux
(autogroup), and under load each request then waits some 20 to 30 µs longer for the worker
to wake (Python 3.10 has no `process_group`: a session there). A command run by
`run_in_session` gets a session of its own. Used by the `local` transport here and, from the
extractor's copy, by `mono2lambda serve`, `extract` (reading the monolith's types) and
`prove` (the app's test command). Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

_OWN_GROUP: dict[str, Any] = {"process_group": 0} if sys.version_info >= (3, 11) else {"start_new_session": True}


class Started(NamedTuple):
    process: subprocess.Popen[bytes]
    requests: int  # the caller's end of the request pipe (write)
    answers: int  # the caller's end of the answer pipe (read)


def start_worker(command: Sequence[str], cwd: Path, env: Mapping[str, str], stderr: int) -> Started:
    """Run `command FD_IN FD_OUT` in a process group of its own: FD_IN is the pipe it reads requests
    from, FD_OUT the one it writes answers to (stdout and stderr stay the program's own, piped)."""
    request_read, request_write = os.pipe()
    answer_read, answer_write = os.pipe()
    try:
        process = subprocess.Popen(
            [*command, str(request_read), str(answer_write)], cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=stderr, pass_fds=(request_read, answer_write), **_OWN_GROUP)
    except BaseException:
        os.close(request_write)
        os.close(answer_read)
        raise
    finally:
        os.close(request_read)
        os.close(answer_write)
    return Started(process, request_write, answer_read)


def kill_group(process: subprocess.Popen[Any]) -> None:
    """Kill the process's whole group, also when the process itself has exited already, then reap it."""
    with contextlib.suppress(OSError):  # the group is empty: nothing is left to kill
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        with contextlib.suppress(OSError):
            process.kill()
    process.wait()


def run_in_session(command: Sequence[str], timeout: float, input: str | None = None,
                   **options: Any) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(command, capture_output=True, text=True, timeout=timeout)` in a session of its
    own: on a timeout (or an interrupt) the whole group is killed, not only the command, and
    TimeoutExpired is raised; a command that is not found raises FileNotFoundError."""
    with subprocess.Popen(list(command), stdin=subprocess.PIPE if input is not None else None, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, start_new_session=True, **options) as process:
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except BaseException:
            kill_group(process)
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
