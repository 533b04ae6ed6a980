"""Tiny ORM apps laid out as extract lays them out, called through each transport (`local`, `serve`).

A package (`generated/<service>/`: its handler, code, runtime, SAM template and requirements) and a
monolith whose module is the codemod's proxy; the caller is a child process in the monolith.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from extractor.codemods.proxy import make_proxy
from extractor.serve.plan import install_missing, plan_serve
from extractor.serve.server import LambdaServer

RUNTIME = Path(__file__).parents[2] / "extractor" / "runtime"
TRANSPORTS = ("local", "serve")
# for the callers' programs: asserts that `action` raises the runtime's DetachedRowError naming `words`
REFUSED = """

from m2l_runtime.orm_models import DetachedRowError  # pydantic 2 or not


def refused(action, *words):
    try:
        action()
    except DetachedRowError as error:
        assert all(word in str(error) for word in words), str(error)
    else:
        raise AssertionError(f"expected DetachedRowError with {words}")

"""
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_REGION": "us-east-1"}
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  ServiceFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: handler.handler
      FunctionName: "{function}"
      Runtime: python3.12
      MemorySize: 256
      Timeout: 60
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def layout(root: Path, service: str, files: Mapping[str, str], module: str, boot: dict[str, str],
           operations: tuple[str, ...], requirements: tuple[str, ...],
           includes: Mapping[str, tuple[str, ...]] | None = None) -> Path:
    """generated/<service>/ (template, requirements, src/ with the handler) and generated/monolith/;
    `includes`: function name -> the relationships of its returned rows sent along (the plan's)."""
    includes = dict(includes or {})
    generated = root / "generated"
    monolith, package = generated / "monolith", generated / service
    path = module.replace(".", "/") + ".py"
    for base, proxied in ((monolith, True), (package / "src", False)):
        for name, text in files.items():
            write(base / name, make_proxy(textwrap.dedent(text), service, module, {}, includes=includes)
                   if proxied and name == path else text)
        shutil.copytree(RUNTIME / "m2l_runtime", base / "m2l_runtime", ignore=shutil.ignore_patterns("describe.py"))
    write(package / "src" / "handler.py",
           "from m2l_runtime.bootstrap import boot\nfrom m2l_runtime.service import Operation, Service\n\n"
           f"boot({boot!r})\nINCLUDES = {includes!r}\nservice = Service({service!r}, {{f'{module}.{{name}}': "
           f"Operation({module!r}, name, include=INCLUDES.get(name, ())) for name in {operations!r}}})\n\n\n"
           "def handler(event, context):\n"
           "    return service.handle(event, context)\n")
    write(package / "template.yaml", TEMPLATE.format(function=f"toy-{service}"))
    write(package / "requirements.txt", "".join(f"{name}=={metadata.version(name)}\n" for name in requirements))
    config = {"services": {service: {"function": f"toy-{service}", "package": f"../{service}/src", "timeout": 60}}}
    write(monolith / "m2l_runtime" / "services.json", json.dumps(config))
    return generated


@contextmanager
def transport(name: str, generated: Path, environ: dict[str, str], cache: Path) -> Iterator[dict[str, str]]:
    """The caller's environment for `name`; for serve, with the endpoint running meanwhile."""
    if name == "local":
        yield {**environ, "M2L_TRANSPORT": "local"}
        return
    plan = plan_serve(generated, cache)
    install_missing(plan, lambda install: None)
    with LambdaServer(plan, port=0, environ={**environ, **CREDENTIALS}) as server:
        yield {**environ, **CREDENTIALS, "M2L_TRANSPORT": "lambda", "AWS_ENDPOINT_URL_LAMBDA": server.url}


def call(generated: Path, script: str, environ: dict[str, str], pydantic_1: bool = False) -> dict[str, object]:
    """Run `script` in the monolith; `pydantic_1`: its `import pydantic` fails as pydantic 2's names do
    on pydantic 1 (CTFd pins 1.x), so its proxies take the plain-JSON side (plain.py)."""
    monolith = generated / "monolith"
    path = [str(monolith)]
    if pydantic_1:
        write(generated / "old" / "pydantic" / "__init__.py", "raise ImportError('cannot import name ConfigDict')\n")
        path.insert(0, str(generated / "old"))
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=monolith, capture_output=True,
                          text=True, timeout=300, env={**environ, "PYTHONPATH": os.pathsep.join(path)})
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("M2L_", "AWS_", "DJANGO_")) and k != "PYTHONPATH"}
    return {**kept, "POWERTOOLS_LOG_LEVEL": "ERROR", "TOY_DB": str(tmp_path / "toy.db"), **extra}


def describe(package: Path, framework: dict[str, str], environ: dict[str, str], operations: tuple[str, ...],
             module: str) -> dict[str, dict[str, object]]:
    """What extract's describe step reads of `operations` in a package's code, its framework booted."""
    request = {"framework": framework,
               "operations": [{"operation": f"{module}.{name}", "module": module, "function": name}
                              for name in operations]}
    path = os.pathsep.join((str(RUNTIME), str(package)))  # the package's copy of the runtime leaves describe.py out
    done = subprocess.run([sys.executable, "-m", "m2l_runtime.describe"], cwd=package.parent, capture_output=True,
                          input=json.dumps(request), text=True, timeout=300, env={**environ, "PYTHONPATH": path})
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout)
    return {name: answer[name] for name in answer if name.startswith(module)}
