"""A local AWS emulator inside this process: moto's standalone server on 127.0.0.1.

For trying a deploy without an AWS account (`--local`, or no credentials configured) and
for the tests. The server lives as long as the `with` block: what is deployed to it
disappears when the command ends. moto runs no Lambda code without Docker and knows no
SAM resources (hence the offline translation); resource types it does not model (such as
AWS::Lambda::EventInvokeConfig) it skips with a warning and a log line per request, which
are silenced here: they would bury the deploy's own output.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from analyzer.errors import InputError

_QUIET = ("werkzeug", "moto")  # request lines and "no CloudFormation support for ..." notes


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
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not supported by moto", category=UserWarning)
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
    finally:
        server.stop()
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
