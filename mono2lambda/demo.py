"""`mono2lambda demo`: the whole chain on the bundled example shop, in one command.

analyze -> propose -> report -> extract (the reviewed plan's first wave) -> the shop's own
tests through `serve` -> deploy every service to an embedded AWS emulator. Wiring only:
each step is the same function its own command calls.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analyzer.boundaries.partition import ProposeOptions
from analyzer.pipeline import AnalysisResult, analyze
from extractor.deploy.deployment import DeployRequest, deploy_package
from extractor.deploy.emulator import local_emulator
from extractor.deploy.progress import DeployResult
from extractor.extract import ExtractResult
from extractor.serve.deps import Install
from extractor.serve.plan import install_missing, plan_serve
from extractor.serve.server import LambdaServer

from .boundaries import Proposal, propose_plan, write_report
from .extraction import run_extract

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop"
DEMO_SERVICES = ("notifications", "rates", "tax")  # the example's first extraction wave (see its plan)
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_DEFAULT_REGION": "us-east-1"}
Say = Callable[[str], None]


@dataclass(frozen=True)
class SuiteRun:
    passed: bool
    summary: str  # pytest's last line
    invocations: dict[str, int]  # function -> invocations the endpoint served


@dataclass(frozen=True)
class DemoResult:
    analysis: AnalysisResult
    proposal: Proposal
    plan: Path
    report: Path
    extraction: ExtractResult
    suite: SuiteRun
    deploys: tuple[DeployResult, ...]


def run_demo(out: Path, say: Say) -> DemoResult:
    analysis = analyze(EXAMPLE, out)
    plan = out / "boundaries.yaml"
    proposal = propose_plan(analysis.graph_path, plan, ProposeOptions())
    report = out / "report.html"
    write_report(analysis.graph_path, plan, "html", report)
    say(f"extracting {', '.join(DEMO_SERVICES)} with the reviewed plan")
    extraction = run_extract(EXAMPLE / "boundaries.yaml", analysis.graph_path, EXAMPLE, out / "generated",
                             DEMO_SERVICES, False, lambda _: None)
    say("running the shop's own tests against the strangled monolith, every service behind `serve`")
    suite = run_suite_through_serve(out / "generated", out, say)
    say("deploying every service to a local AWS emulator (moto)")
    deploys = deploy_locally(out / "generated", out, say)
    return DemoResult(analysis, proposal, plan, report, extraction, suite, deploys)


def run_suite_through_serve(generated: Path, out: Path, say: Say) -> SuiteRun:
    plan = plan_serve(generated, out / "serve-cache")
    install_missing(plan, lambda install: say(f"installing {_what(install)} for the workers (once; cached)"))
    database = out / "demo-shop.sqlite3"
    database.unlink(missing_ok=True)
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ.update(DUMMY_CREDENTIALS, SHOP_DATABASE_URL=f"sqlite+pysqlite:///{database.resolve()}",
                   POWERTOOLS_LOG_LEVEL="ERROR")
    with LambdaServer(plan, port=0, environ=environ) as server:
        environ.update(M2L_TRANSPORT="lambda", AWS_ENDPOINT_URL_LAMBDA=server.url)
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                              cwd=generated / "monolith", env=environ, capture_output=True, text=True, check=False)
        counts = dict(sorted(server.counts.items()))
    lines = [line for line in done.stdout.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    return SuiteRun(done.returncode == 0, lines[-1].strip("= ") if lines else done.stderr[-300:], counts)


def _what(install: Install) -> str:
    if install.requirements is not None:
        return f"the requirements of {install.requirements.parent.name}"
    return ", ".join(install.lines)


def deploy_locally(generated: Path, out: Path, say: Say) -> tuple[DeployResult, ...]:
    results = []
    with local_emulator() as url:
        for service in DEMO_SERVICES:
            say(f"deploying {service}")
            request = DeployRequest(generated / service, endpoint_url=url, create_bucket=True,
                                    bucket="mono2lambda-demo", cache_dir=out / "deploy-cache")
            results.append(deploy_package(request))
    return tuple(results)
