"""The staff's command line: `python -m ingest.backoffice upload|order|summary|nightly ...`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from . import clock, orders, reports, storage, uploads
from .errors import IngestError

UPLOAD_BUCKET = "partner-uploads"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        print(args.run(args))
    except IngestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def upload(args: argparse.Namespace) -> str:
    """Store a partner's file as the upload form does, then import it."""
    path = Path(args.file)
    key = f"incoming/{path.name}"
    size = storage.write_object(UPLOAD_BUCKET, key, path.read_bytes())
    return f"{uploads.ingest_file(UPLOAD_BUCKET, key, size)} new order(s) from {key}"


def show_order(args: argparse.Namespace) -> str:
    order = orders.get_order(args.order_id)
    return f"{order.order_id}: {order.quantity} x {order.sku} ({order.source}, {order.imported_at:%Y-%m-%d})"


def summary(args: argparse.Namespace) -> str:
    found = reports.day_summary(date.fromisoformat(args.day))
    return f"{found.day}: {found.orders} order(s), {found.units} unit(s)"


def nightly(args: argparse.Namespace) -> str:
    return f"{reports.nightly_summary(clock.now())} order(s) summarised"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ingest.backoffice", description=__doc__)
    commands = parser.add_subparsers(required=True)
    for name, run, arguments in (("upload", upload, ["file"]), ("order", show_order, ["order_id"]),
                                 ("summary", summary, ["day"]), ("nightly", nightly, [])):
        command = commands.add_parser(name)
        for argument in arguments:
            command.add_argument(argument)
        command.set_defaults(run=run)
    return parser


if __name__ == "__main__":
    sys.exit(main())
