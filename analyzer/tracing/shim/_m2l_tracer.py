"""The call recorder `mono2lambda trace` loads into the traced program.

It counts, for each call of a function of the project (a file the graph holds), the
project code that made it (the nearest project frame up the stack, through at most
MAX_HOPS library frames: a view reached through Flask's dispatch, a receiver through a
signal library) and the line it was on, and which test was running (pytest's node id, or
unittest's test id). At exit each process writes its counts as one JSON file into the
folder the configuration names; `mono2lambda trace` maps them onto the graph's names.

Only the project's own calls cost anything:
- on Python 3.12 and later through `sys.monitoring`: a function outside the project
  disables its own start event at its first call;
- before, the project's modules are compiled at import with one call to the recorder at
  the top of each function (`def`, `async def` and `lambda`). A global
  `sys.settrace` or `sys.setprofile` hook would slow every line of every library: three
  times the plain time on the bundled shop's suite under Python 3.11.
Tests are named by wrapping pytest's `runtestprotocol` and unittest's `TestCase.run` when
those modules load. Standard library only, Python 3.8 syntax: the traced program may run
on another interpreter than mono2lambda.
"""

from __future__ import annotations

import ast
import atexit
import builtins
import importlib.machinery
import itertools
import json
import os
import sys

MAX_HOPS = 12  # library frames crossed looking for the project code behind a call
TOOL_NAME = "mono2lambda-trace"
NOT_OURS, CALLED, CALLER_ONLY = 0, 1, 2  # module and class bodies, comprehensions: code, not calls
NOT_CALLS = frozenset({"<module>", "<genexpr>", "<listcomp>", "<dictcomp>", "<setcomp>"})
CO_OPTIMIZED = 0x1  # set on functions, not on module or class bodies
HIT = "__m2l_hit__"
_serial = itertools.count()


class Recorder:
    """Counts per (test, called code, line of the call, calling code)."""

    def __init__(self, root: str, files: set, out: str) -> None:
        self.root = root
        self.files = files  # paths relative to root, with forward slashes
        self.out = out
        self.kinds: dict = {}  # code -> NOT_OURS, CALLED or CALLER_ONLY
        self.paths: dict = {}  # co_filename -> path relative to root, "" when not ours
        self.keys: list = []  # instrumented functions: index -> (path, first line, name, qualified name)
        self.counts: dict = {}
        self.test = [None]  # the running test's id
        self.tracer = ""

    def path_of(self, filename: str) -> str:
        path = self.paths.get(filename)
        if path is None:
            path = ""
            if filename and not filename.startswith("<"):
                try:
                    relative = os.path.relpath(os.path.realpath(filename), self.root).replace(os.sep, "/")
                    path = relative if relative in self.files else ""
                except ValueError:  # another drive
                    pass
            self.paths[filename] = path
        return path

    def classify(self, code) -> int:
        if not self.path_of(code.co_filename):
            kind = NOT_OURS
        elif code.co_name in NOT_CALLS or not code.co_flags & CO_OPTIMIZED:
            kind = CALLER_ONLY
        else:
            kind = CALLED
        self.kinds[code] = kind
        return kind

    def record(self, callee, caller) -> None:
        """A call of `callee` (a code object, or an instrumented function's index) from the frame `caller`."""
        kinds, classify = self.kinds, self.classify
        hops = 0
        while caller is not None:
            kind = kinds.get(caller.f_code)
            if kind is None:
                kind = classify(caller.f_code)
            if kind:
                break
            hops += 1
            caller = caller.f_back if hops <= MAX_HOPS else None
        key = (self.test[0], callee, 0, None) if caller is None else (self.test[0], callee, caller.f_lineno,
                                                                      caller.f_code)
        counts = self.counts
        counts[key] = counts.get(key, 0) + 1

    def key_of(self, code) -> list:
        if isinstance(code, int):
            return list(self.keys[code])
        return [self.paths[code.co_filename], code.co_firstlineno, code.co_name, getattr(code, "co_qualname", "")]

    def dump(self) -> None:
        if not self.counts:
            return
        codes: dict = {}
        tests: dict = {}
        calls = []
        for (test, callee, line, caller), count in list(self.counts.items()):
            test_index = -1 if test is None else tests.setdefault(test, len(tests))
            caller_index = -1 if caller is None else codes.setdefault(caller, len(codes))
            calls.append([test_index, caller_index, line, codes.setdefault(callee, len(codes)), count])
        document = {"python": f"{sys.version_info[0]}.{sys.version_info[1]}", "tracer": self.tracer, "calls": calls,
                    "codes": [self.key_of(code) for code in codes], "tests": list(tests)}
        name = os.path.join(self.out, f"calls-{os.getpid()}-{next(_serial)}.json")
        with open(name + ".part", "w", encoding="utf-8") as handle:
            json.dump(document, handle)
        os.replace(name + ".part", name)


class Instrument(ast.NodeTransformer):
    """Puts `__m2l_hit__(INDEX)` first in each function's body (after its docstring)."""

    def __init__(self, path: str, keys: list) -> None:
        self.path = path
        self.keys = keys
        self.scope: list = []

    def visit_ClassDef(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()
        return node

    def visit_FunctionDef(self, node):
        first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        self.keys.append((self.path, first, node.name, ".".join([*self.scope, node.name])))
        index = len(self.keys) - 1
        self.scope += [node.name, "<locals>"]
        self.generic_visit(node)
        del self.scope[-2:]
        body = node.body
        at = 1 if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                   and isinstance(body[0].value.value, str)) else 0
        anchor = body[min(at, len(body) - 1)]
        hit = ast.Expr(ast.Call(ast.Name(HIT, ast.Load()), [ast.Constant(index)], []))
        body.insert(at, ast.fix_missing_locations(ast.copy_location(hit, anchor)))
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        """`lambda x: body` becomes `lambda x: (__m2l_hit__(INDEX), body)[1]`, named as the graph
        names lambdas: the code that wrote it, then `<lambda:LINE:COLUMN>`."""
        parent = self.scope[:-1] if self.scope[-1:] == ["<locals>"] else self.scope
        self.keys.append((self.path, node.lineno, "<lambda>",
                          ".".join([*parent, f"<lambda:{node.lineno}:{node.col_offset}>"])))
        index = len(self.keys) - 1
        self.generic_visit(node)
        hit = ast.Call(ast.Name(HIT, ast.Load()), [ast.Constant(index)], [])
        second = ast.Constant(1) if sys.version_info >= (3, 9) else ast.Index(ast.Constant(1))  # type: ignore[attr-defined]
        pair = ast.Subscript(ast.Tuple([hit, node.body], ast.Load()), second, ast.Load())
        node.body = ast.fix_missing_locations(ast.copy_location(pair, node.body))
        return node


class InstrumentingLoader(importlib.machinery.SourceFileLoader):
    """Compiles a project module with the recorder's calls; never reads or writes its .pyc."""

    recorder: Recorder

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        source = self.get_data(path)
        try:
            tree = ast.parse(source, path)
        except SyntaxError:
            return super().get_code(fullname)
        Instrument(self.recorder.path_of(path), self.recorder.keys).visit(tree)
        return compile(tree, path, "exec", dont_inherit=True)


class Finder:
    """On sys.meta_path: project modules get the instrumenting loader (unless `sys.monitoring`
    records), and pytest's runner and unittest's case module name the running test."""

    def __init__(self, recorder: Recorder, instrument: bool) -> None:
        self.recorder = recorder
        self.instrument = instrument
        # every folder and file name of the project: an import whose first name is none of
        # them (the standard library, third-party packages) is left to the usual finders at once
        self.names = {os.path.splitext(part)[0] for path in recorder.files for part in path.split("/")}

    def find_spec(self, name, path=None, target=None):
        watched = name in ("_pytest.runner", "unittest.case")
        if not watched and (not self.instrument or name.partition(".")[0] not in self.names):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        if watched:
            spec.loader = _after_exec(spec.loader, self.name_tests)
        elif self.recorder.path_of(spec.origin or ""):
            loader = InstrumentingLoader(spec.loader.name, spec.loader.path)
            loader.recorder = self.recorder
            spec.loader = loader
        else:
            return None
        return spec

    def name_tests(self, module) -> None:
        current = self.recorder.test
        if module.__name__ == "_pytest.runner":
            protocol = module.runtestprotocol

            def runtestprotocol(item, *args, **kwargs):
                current[0] = getattr(item, "nodeid", None)
                return protocol(item, *args, **kwargs)

            module.runtestprotocol = runtestprotocol
        else:
            case = module.TestCase
            run = case.run

            def run_test(self, *args, **kwargs):
                if not sys.modules.get("_pytest.runner"):  # under pytest, its node id names the test
                    current[0] = self.id()
                return run(self, *args, **kwargs)

            case.run = run_test


def _after_exec(loader, then):
    class Watching(type(loader)):
        def exec_module(self, module):
            super().exec_module(module)
            then(module)

    watching = Watching(loader.name, loader.path)
    return watching


def _monitor(recorder: Recorder) -> bool:
    """Record through sys.monitoring (3.12+): a PY_START callback per function start."""
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is None:
        return False
    tool = next((t for t in (monitoring.PROFILER_ID, 3, 4) if monitoring.get_tool(t) is None), None)
    if tool is None:
        return False
    kinds, classify, record, disable, frame_of = (recorder.kinds, recorder.classify, recorder.record,
                                                  monitoring.DISABLE, sys._getframe)

    def started(code, offset):
        kind = kinds.get(code)
        if kind is None:
            kind = classify(code)
        if kind != CALLED:
            return disable
        record(code, frame_of(1).f_back)
        return None

    monitoring.use_tool_id(tool, TOOL_NAME)
    monitoring.register_callback(tool, monitoring.events.PY_START, started)
    monitoring.set_events(tool, monitoring.events.PY_START)
    recorder.tracer = "sys.monitoring"
    return True


def _instrument(recorder: Recorder) -> None:
    record, frame_of = recorder.record, sys._getframe

    def hit(index):
        record(index, frame_of(1).f_back)

    setattr(builtins, HIT, hit)
    recorder.tracer = "instrumented imports"


def start(config_path: str):
    """Start recording as the configuration at `config_path` says ({"root", "files", "out"})."""
    try:
        with open(config_path, encoding="utf-8") as handle:
            config = json.load(handle)
        recorder = Recorder(config["root"], set(config["files"]), config["out"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    monitored = _monitor(recorder)
    if not monitored:
        _instrument(recorder)
    sys.meta_path.insert(0, Finder(recorder, instrument=not monitored))
    atexit.register(recorder.dump)
    if hasattr(os, "register_at_fork"):  # a forked child reports its own calls, not its parent's again
        os.register_at_fork(after_in_child=recorder.counts.clear)
    return recorder
