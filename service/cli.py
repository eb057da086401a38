"""The `neurotag` command line: up, worker, seed, tag."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from service.config import Settings


def cmd_up(args: argparse.Namespace) -> int:
    from service.supervisor import Supervisor

    return Supervisor(port=args.port, workers=args.workers, host=args.host).run()


def cmd_worker(args: argparse.Namespace) -> int:
    from workers.runner import run_worker

    run_worker(Settings.from_env().redis_url, burst=args.burst, name=args.name)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from service.app import create_app
    from service.extensions import EXTENSION
    from service.seeding import seed_once
    from tagging.seeds import seeds_dir

    app = create_app()
    path = Path(args.file) if args.file else seeds_dir() / "catalog.jsonl"
    report = seed_once(app.extensions[EXTENSION], path)
    if report is None:
        print("catalog already seeded; nothing to do", file=sys.stderr)
        return 0
    print(
        f"seeded {report.accepted} product(s) from {path}; {len(report.rejected)} rejected", file=sys.stderr
    )
    for row in report.rejected:
        print(json.dumps(row), file=sys.stderr)
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    from service.seeding import open_input, read_products
    from tagging import load_tagger

    tagger = load_tagger()
    failures = 0
    with open_input(args.file) as stream:
        for number, product in read_products(stream):
            if not isinstance(product, dict):
                print(
                    f"row {number}: {product if isinstance(product, ValueError) else 'not a JSON object'}",
                    file=sys.stderr,
                )
                failures += 1
                continue
            tags = [t.to_dict() for t in tagger.tag(product)]
            print(json.dumps({"sku": product.get("sku"), "tags": tags}, ensure_ascii=False), flush=False)
    sys.stdout.flush()
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurotag", description="Neurocosmetic and anti-aging product tagging."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start Redis (embedded unless REDIS_URL is set), the API and workers")
    up.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    up.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="tagging workers (default: CPU count)"
    )
    up.add_argument("--host", default="127.0.0.1", help="interface the API listens on (default 127.0.0.1)")
    up.set_defaults(func=cmd_up)

    worker = commands.add_parser("worker", help="run one tagging worker against REDIS_URL")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.add_argument("--name", help="worker name (default: generated)")
    worker.set_defaults(func=cmd_worker)

    seed = commands.add_parser("seed", help="import the seed catalog into REDIS_URL if it was never seeded")
    seed.add_argument("file", nargs="?", help="JSON lines file (default: seeds/catalog.jsonl)")
    seed.set_defaults(func=cmd_seed)

    tag = commands.add_parser("tag", help="tag products from a JSON array or JSON lines file ('-' for stdin)")
    tag.add_argument("file", help="path, or - for stdin")
    tag.set_defaults(func=cmd_tag)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=Settings.from_env().log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
