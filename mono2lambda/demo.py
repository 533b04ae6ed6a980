"""`mono2lambda demo`: the whole chain on the bundled example shop, in one command.

analyze -> propose -> report -> extract (every service of the reviewed plan but the three that
write tables they do not own) -> `prove` with
the shop's own tests (on the original, then in the strangled monolith with every service
behind `serve`) -> deploy every service to an embedded AWS emulator. Wiring only: each
step is the same function its own command calls. Each stage's result is handed to `show`
as soon as it finishes, so the terminal shows it while the next one runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analyzer.boundaries.partition import ProposeOptions
from analyzer.errors import InputError
from analyzer.pipeline import AnalysisResult, analyze
from extractor.deploy.deployment import DeployRequest, deploy_package
from extractor.deploy.emulator import local_emulator
from extractor.deploy.progress import DeployResult
from extractor.extract import ExtractResult
from extractor.prove.core import ProveReport
from extractor.prove.run import ProveRequest, run_prove

from .boundaries import Proposal, propose_plan, write_report
from .extraction import run_extract

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "shop"
# every service of the example's plan that extracts without --force (orders, shipping and reporting
# write tables they do not own: see its header)
DEMO_SERVICES = ("accounts", "cart", "catalog", "inventory", "notifications", "payments", "pricing", "rates", "tax")
SUITE = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")  # the shop's own tests
Say = Callable[[str], None]


@dataclass
class DemoResult:
    """What the demo made, filled in stage by stage (a stage's field is set when `show` gets its name)."""

    analysis: AnalysisResult
    proposal: Proposal | None = None
    plan: Path | None = None
    report: Path | None = None
    extraction: ExtractResult | None = None
    proof: ProveReport | None = None
    deploys: tuple[DeployResult, ...] = ()

    @property
    def passed(self) -> bool:
        """The shop's tests pass in the strangled monolith at least as on the original."""
        return self.proof is not None and self.proof.ok


Show = Callable[[str, DemoResult], None]  # stage ("analysis", "proposal", "extraction", "proof", "deploys")


def run_demo(out: Path, say: Say, show: Show = lambda stage, result: None) -> DemoResult:
    if not EXAMPLE.is_dir():  # an installed mono2lambda has no example: it lives in the repository
        raise InputError("the demo runs on the example shop of a mono2lambda checkout, which this installation "
                         "does not include", hint="clone the repository and run `make demo` there, or follow "
                         "docs/guide/tutorial.md on your own code")
    result = DemoResult(analyze(EXAMPLE, out))
    show("analysis", result)
    result.plan = out / "boundaries.yaml"
    result.proposal = propose_plan(result.analysis.graph_path, result.plan, ProposeOptions())
    result.report = out / "report.html"
    write_report(result.analysis.graph_path, result.plan, "html", result.report)
    show("proposal", result)
    say(f"extracting {', '.join(DEMO_SERVICES)} with the reviewed plan")
    result.extraction = run_extract(EXAMPLE / "boundaries.yaml", result.analysis.graph_path, EXAMPLE,
                                    out / "generated", DEMO_SERVICES, False, lambda _: None)
    show("extraction", result)
    say("proving: the shop's own tests on the original, then in the strangled monolith with every service "
        "behind `serve`")
    result.proof = prove_the_shop(out / "generated", out, say)
    show("proof", result)
    say("deploying every service to a local AWS emulator (moto)")
    result.deploys = deploy_locally(out / "generated", out, say)
    show("deploys", result)
    return result


def prove_the_shop(generated: Path, out: Path, say: Say) -> ProveReport:
    """`mono2lambda prove -- python -m pytest` on the shop: one fresh database and one test clock
    (examples/shop/README.md) for both runs and the workers."""
    database = out / "demo-shop.sqlite3"
    database.unlink(missing_ok=True)
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ.update(SHOP_DATABASE_URL=f"sqlite+pysqlite:///{database.resolve()}", POWERTOOLS_LOG_LEVEL="ERROR",
                   SHOP_CLOCK_FILE=str((out / "demo-shop.clock").resolve()),
                   PYTHONDONTWRITEBYTECODE="1")  # the source tree stays as it is
    return run_prove(ProveRequest(SUITE, EXAMPLE, generated, out / "serve-cache", environ), say)


def deploy_locally(generated: Path, out: Path, say: Say) -> tuple[DeployResult, ...]:
    results = []
    with local_emulator() as url:
        for service in DEMO_SERVICES:
            say(f"deploying {service}")
            request = DeployRequest(generated / service, endpoint_url=url, create_bucket=True,
                                    bucket="mono2lambda-demo", cache_dir=out / "deploy-cache")
            results.append(deploy_package(request))
    return tuple(results)
