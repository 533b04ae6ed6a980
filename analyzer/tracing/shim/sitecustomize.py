"""Put on PYTHONPATH by `mono2lambda trace`: starts the call recorder in every Python
process of the traced command (pytest, `manage.py test`, their subprocesses), then runs
the sitecustomize this one shadows, if the interpreter has one."""

import os
import sys


def _chain() -> None:
    """Run the next `sitecustomize` on sys.path (a distribution's or a venv's), as if ours were not there."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


if os.environ.get("M2L_TRACE_CONFIG"):
    import _m2l_tracer

    _m2l_tracer.start(os.environ["M2L_TRACE_CONFIG"])
_chain()
