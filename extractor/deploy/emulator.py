"""A local AWS emulator inside this process: moto's standalone server on 127.0.0.1.

For trying a deploy without an AWS account (`--local`, or no credentials configured) and
for the tests. The server lives as long as the `with` block, and what is deployed to it
disappears with it. moto keeps its state per process, not per server, so the state is
emptied (moto's reset API) when the first emulator of the process starts and when the
last one stops: a deploy in one `with` block never finds what an earlier block deployed
(a test after the demo still creates its stacks), while an emulator started inside
another one shares the outer one's state. moto runs no Lambda code without Docker and knows no
SAM resources (hence the offline translation); resource types it does not model (such as
AWS::Lambda::EventInvokeConfig) it skips with a warning and a log line per request, which
are silenced here: they would bury the deploy's own output.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from analyzer.errors import InputError

_QUIET = ("werkzeug", "moto")  # request lines and "no CloudFormation support for ..." notes
_OPEN = 0  # emulators running in this process: they share moto's state
_OPEN_LOCK = threading.Lock()


@contextmanager
def local_emulator() -> Iterator[str]:
    """Start moto on a free port of 127.0.0.1; yield its endpoint URL; stop it at the end."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise InputError("the local emulator needs moto, which is not installed",
                         hint="pip install 'moto[server,cloudformation,awslambda-simple,sqs,s3,iam,events]'") from None
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    levels = {name: logging.getLogger(name).level for name in _QUIET}
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.ERROR)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    global _OPEN
    with _OPEN_LOCK:
        _OPEN += 1
        if _OPEN == 1:
            _reset(url)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not supported by moto", category=UserWarning)
            yield url
    finally:
        with _OPEN_LOCK:
            _OPEN -= 1
            if _OPEN == 0:
                _reset(url)
        server.stop()
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _reset(url: str) -> None:
    """Empty moto's state (every service, every region) through its server's reset API."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, whatever HTTP_PROXY says
    with direct.open(request, timeout=30) as answer:
        answer.read()
