"""The `neurotag` command line: up, worker, seed, tag."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from service.config import Settings

if TYPE_CHECKING:
    from catalog import ProductStore


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
    _build_search_index(app.extensions[EXTENSION].store, only_if_missing=True)
    path = Path(args.file) if args.file else seeds_dir() / "catalog.jsonl"
    report = seed_once(app.extensions[EXTENSION], path)
    if report is None:
        print("catalog already seeded; nothing to do", file=sys.stderr)
        return 0
    counts = report.counts
    print(
        f"seeded {counts['accepted']} product(s) from {path} (import {report.id}); "
        f"{counts['rejected']} rejected",
        file=sys.stderr,
    )
    for row in report.first_errors:
        print(json.dumps(row), file=sys.stderr)
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from service.app import create_app
    from service.extensions import EXTENSION

    _build_search_index(create_app().extensions[EXTENSION].store, only_if_missing=False)
    return 0


def _build_search_index(store: ProductStore, *, only_if_missing: bool) -> None:
    """The storefront's search index for products stored before it existed (run by seed, so by `up`
    and the compose seed job, once per catalog)."""
    from catalog.search_backfill import backfill, needs_backfill

    if only_if_missing and not needs_backfill(store):
        return
    done = backfill(store)
    if done or not only_if_missing:
        print(f"search index: rebuilt for {done:,} stored product(s)", file=sys.stderr)


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


def cmd_import(args: argparse.Namespace) -> int:
    from service.import_client import ClientError, ImportClient, format_of, import_file

    path = Path(args.file)
    try:
        client = ImportClient(args.url, args.key)
        return import_file(client, path, format_of(path, args.format), args.map, wait=not args.no_wait)
    except (ClientError, OSError) as exc:
        print(f"neurotag import: {exc}", file=sys.stderr)
        return 2


def cmd_eval(args: argparse.Namespace) -> int:
    from tagging import load_tagger
    from tagging.evaluation import evaluate, format_report

    if args.corrections:
        return _eval_corrections()
    if not args.files:
        print("neurotag eval: give gold files, or --corrections", file=sys.stderr)
        return 2

    gold: list[dict[str, object]] = []
    for path in args.files:
        with open_path(path) as stream:
            gold += [json.loads(line) for line in stream if line.strip()]
    report = evaluate(load_tagger(), gold)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(format_report(report, max_errors=args.errors))
    return 0


def _eval_corrections() -> int:
    from redis import Redis

    from catalog import ProductStore
    from tagging import load_tagger
    from tagging.evaluation import compare_corrections

    store = ProductStore(Redis.from_url(Settings.from_env().redis_url))
    corrected = (
        (p.sku, p.doc, {tag: str(c["state"]) for tag, c in p.corrections.items()})
        for p in store.iter_corrected()
    )
    result = compare_corrections(load_tagger(), corrected)
    print(
        f"corrections {result.corrections}, engine disagrees with {result.disagreements} ({result.rate:.1%})"
    )
    for tag, (total, disagreements) in sorted(result.per_tag.items()):
        print(f"  {tag:<24}{disagreements:>5}/{total:<5}")
    for sku, tag, state in result.examples[:50]:
        print(
            f"    {sku}: {tag} {state} by a merchandiser, engine says {'no' if state == 'pinned' else 'yes'}"
        )
    return 0


def cmd_eval_highlights(args: argparse.Namespace) -> int:
    from tagging import load_tagger
    from tagging.datasets import sephora_products
    from tagging.highlights import check_highlights, load_rules
    from tagging.seeds import seeds_dir

    recall, contradictions = load_rules(seeds_dir())
    recall_results, contradiction_results = check_highlights(
        load_tagger(), sephora_products(Path(args.file)), recall, contradictions
    )
    for result in recall_results:
        print(f"recall    {result.rule.tag:<24}{result.hits:>6}/{result.products:<6}{result.rate:>7.3f}")
    for result in contradiction_results:
        print(f"contradicts {result.rule.tag:<22}{result.hits:>6}/{result.products:<6}{result.rate:>7.3f}")
        for sku, title, evidence in result.examples:
            print(f"    {sku}  {title[:60]}  <- {'; '.join(evidence)[:160]}")
    if args.misses:
        for result in recall_results:
            print(f"\nmissed {result.rule.tag} ({len(result.examples)}):")
            for sku, title, _ in result.examples[: args.misses]:
                print(f"    {sku}  {title[:90]}")
    return 0


def cmd_kb_coverage(args: argparse.Namespace) -> int:
    from tagging import load_tagger
    from tagging.coverage import measure
    from tagging.datasets import cosmetics_products, sephora_products

    data = Path(args.data)
    tagger = load_tagger()
    print(f"knowledge base: {tagger.ingredients.size} entries")
    for name, reader in (
        ("sephora_product_info.csv", sephora_products),
        ("sephora_cosmetics.csv", cosmetics_products),
    ):
        path = data / name
        if not path.exists():
            print(f"{name}: absent from {data}, skipped")
            continue
        print(f"{name}: {measure(tagger, reader(path)).summary()}")
    return 0


def open_path(path: str) -> IO[str]:
    return sys.stdin if path == "-" else Path(path).open(encoding="utf-8")


def cmd_retag(args: argparse.Namespace) -> int:
    import time

    from redis import Redis
    from rq.job import Job
    from tqdm import tqdm

    from catalog import ProductStore
    from tagging import load_tagger
    from workers.queueing import QueueSettings, tagging_queue
    from workers.retag import queue_retag

    redis = Redis.from_url(Settings.from_env().redis_url)
    store = ProductStore(redis)
    settings = QueueSettings.from_env()
    version = load_tagger().version
    before = store.version_counts().get(version, 0)
    plan = queue_retag(store, tagging_queue(redis, settings), settings, version)
    print(f"queued {plan.products} product(s) for re-tagging with taxonomy {version}", file=sys.stderr)
    if args.no_wait or not plan.products:
        return 0
    with tqdm(total=plan.products, unit="product", desc="re-tagging") as bar:
        finished = False
        while not finished:
            jobs = Job.fetch_many(plan.job_ids, connection=redis)
            finished = all(job is None or job.is_finished or job.is_failed for job in jobs)
            bar.update(min(plan.products, store.version_counts().get(version, 0) - before) - bar.n)
            if not finished:
                time.sleep(0.5)
    left = plan.products - bar.n
    print(f"re-tagged {bar.n} product(s); {left} did not reach the new version (failed)", file=sys.stderr)
    return 1 if left else 0


def cmd_keys(args: argparse.Namespace) -> int:
    from redis import Redis

    from service.auth import KeyStore

    store = KeyStore(Redis.from_url(Settings.from_env().redis_url))
    if args.action == "create":
        key, record = store.create(args.scope, args.name or "")
        print(f"{record['id']} {record['scope']} {record['name']}".rstrip())
        print(key)  # shown once: only its SHA-256 is stored
        return 0
    if args.action == "revoke":
        if not args.id:
            print("neurotag keys revoke: give the key id (see `neurotag keys list`)", file=sys.stderr)
            return 2
        if not store.revoke(args.id):
            print(f"no key {args.id}", file=sys.stderr)
            return 1
        print(f"revoked {args.id}")
        return 0
    for record in store.list():
        print(f"{record['id']}  {record['scope']:<6} {record['name']}")
    return 0


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

    reindex = commands.add_parser(
        "reindex",
        help="rebuild the storefront search index (bitmaps, words, title order) from stored products",
    )
    reindex.set_defaults(func=cmd_reindex)

    tag = commands.add_parser("tag", help="tag products from a JSON array or JSON lines file ('-' for stdin)")
    tag.add_argument("file", help="path, or - for stdin")
    tag.set_defaults(func=cmd_tag)

    upload = commands.add_parser("import", help="upload a catalog file to a running service and follow it")
    upload.add_argument("file", help="JSON array (.json), JSON lines (.ndjson, .jsonl) or CSV (.csv)")
    upload.add_argument("--url", default="http://127.0.0.1:8000", help="the service (default %(default)s)")
    upload.add_argument("--key", help="API key, sent as Authorization: Bearer KEY")
    upload.add_argument(
        "--map", action="append", default=[], metavar="COLUMN:FIELD",
        help="CSV column mapping, repeatable; Brand+Name:sku derives a sku from two columns",
    )  # fmt: skip
    upload.add_argument("--format", choices=("json", "ndjson", "csv"), help="default: from the file suffix")
    upload.add_argument("--no-wait", action="store_true", help="exit once the file is uploaded")
    upload.set_defaults(func=cmd_import)

    evaluate = commands.add_parser(
        "eval", help="precision, recall and F1 per tag against labelled JSON lines"
    )
    evaluate.add_argument("files", nargs="*", help="gold JSON lines files (products with must and may)")
    evaluate.add_argument(
        "--corrections",
        action="store_true",
        help="compare the engine with merchandisers' corrections in REDIS_URL",
    )
    evaluate.add_argument("--json", action="store_true", help="machine-readable output")
    evaluate.add_argument("--errors", type=int, default=None, help="list at most this many errors")
    evaluate.set_defaults(func=cmd_eval)

    highlights = commands.add_parser(
        "eval-highlights", help="recall of Sephora highlights mapped to our tags"
    )
    highlights.add_argument("file", help="sephora_product_info.csv")
    highlights.add_argument("--misses", type=int, default=0, help="list this many missed products per tag")
    highlights.set_defaults(func=cmd_eval_highlights)
    retag = commands.add_parser("retag", help="re-tag every product tagged with another taxonomy version")
    retag.add_argument(
        "--no-wait", action="store_true", help="queue the work and exit without a progress bar"
    )
    retag.set_defaults(func=cmd_retag)

    coverage = commands.add_parser(
        "kb-coverage", help="share of a catalog's ingredients the knowledge base knows"
    )
    coverage.add_argument("--data", default="../shared/data", help="folder with the Sephora CSV files")
    coverage.set_defaults(func=cmd_kb_coverage)

    keys = commands.add_parser("keys", help="manage API keys in REDIS_URL (stored hashed)")
    keys.add_argument("action", choices=("create", "list", "revoke"))
    keys.add_argument("id", nargs="?", help="key id, for revoke")
    keys.add_argument("--scope", choices=("read", "write", "admin"), default="read", help="for create")
    keys.add_argument("--name", help="what the key is for, for create")
    keys.set_defaults(func=cmd_keys)

    return parser


def main(argv: list[str] | None = None) -> int:
    from service.observability import configure_logging

    configure_logging(Settings.from_env().log_level)
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
