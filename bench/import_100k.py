"""A 100,000-product catalog imported end to end over HTTP, beside products posted one by one, in one run.

    .venv/bin/python bench/import_100k.py [--products 100000] [--baseline 2000]

Builds an NDJSON catalog from ../shared/data (the two Sephora catalogs, replicated with unique skus, a
title variant and a description drawn from a pool of sentences), starts an embedded Redis (AOF on, as
`neurotag up` runs it), two `neurotag worker` processes and gunicorn as `neurotag up` runs it, then:

* streams the file to POST /v1/imports with the `neurotag import` client and polls the import until it
  is completed: products/s from the first byte sent to `completed`;
* peak RSS of each gunicorn worker (VmHWM) and of each tagging worker, its job processes included
  (sampled every 0.2 s);
* Redis memory per product: INFO used_memory after minus before, per product, minus the product's own
  text (its stored JSON document), with a breakdown from MEMORY USAGE;
* the baseline: products POSTed one at a time to /v1/products (each its own job), timed until tagged.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import requests
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.embedded_redis import EmbeddedRedis  # noqa: E402
from service.import_client import ImportClient  # noqa: E402
from service.supervisor import gunicorn_command  # noqa: E402
from tagging.datasets import cosmetics_products, sephora_products  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
KEY = "bench-admin-key"
PREFIX = "bench"
VARIANTS = ["", "Travel Size", "Refill", "Mini", "Jumbo", "Limited Edition", "Value Size", "Duo", "Deluxe",
            "Holiday Edition", "Gift Set", "Pro"]  # fmt: skip
SENTENCES = [
    "A lightweight formula that sinks in fast and leaves skin soft.",
    "Deeply hydrating with hyaluronic acid for plump, dewy skin.",
    "A calming lavender scent turns your evening routine into a ritual.",
    "Broad spectrum SPF 30 protects against UVA and UVB rays.",
    "Rich in antioxidants that defend against free radicals and pollution.",
    "Works overnight to repair the skin barrier while you sleep.",
    "Soothes redness and comforts sensitive skin.",
    "Peptides support collagen for firmer-looking skin.",
    "A silky, cushiony texture melts on contact.",
    "Fragrance-free and non-comedogenic.",
    "Dermatologist tested; suitable for all skin types.",
    "Our best seller, now in a new size.",
    "Massage in gently with upward strokes.",
    "Infused with adaptogens to help skin cope with stress.",
    "Vitamin C brightens and evens tone.",
]


def base_products() -> list[dict[str, Any]]:
    info, cosmetics = DATA / "sephora_product_info.csv", DATA / "sephora_cosmetics.csv"
    if not info.exists() or not cosmetics.exists():
        raise SystemExit(f"skipped: {DATA} is absent (the Sephora catalogs live in ../shared/data)")
    products = []
    for product in [*sephora_products(info), *cosmetics_products(cosmetics)]:
        product = {k: v for k, v in product.items() if k not in ("highlights", "primary_category") and v}
        if isinstance(product.get("ingredients"), list):
            product["ingredients"] = product["ingredients"][:20]
        products.append(product)
    return products


def catalog(count: int) -> Iterator[dict[str, Any]]:
    """count products: the base catalogs over and over, each copy with its own sku, title and description."""
    base = base_products()
    rng = random.Random(4)
    for n in range(count):
        product = dict(base[n % len(base)])
        copy = n // len(base)
        variant = VARIANTS[copy % len(VARIANTS)]
        product["sku"] = f"{product['sku']}-{copy:02d}"[:128]
        product["title"] = f"{product['title']} {variant}".strip() if variant else product["title"]
        product["description"] = " ".join(rng.sample(SENTENCES, 3))
        yield product


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Peaks:
    """Peak RSS per process tree, sampled in the background (a worker's job processes come and go)."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self.peaks = dict.fromkeys(roots, 0)
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            for name, pid in self.roots.items():
                try:
                    root = psutil.Process(pid)
                    rss = max(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                except psutil.Error:
                    continue
                self.peaks[name] = max(self.peaks[name], rss)
            time.sleep(0.2)

    def stop(self) -> dict[str, int]:
        self.running = False
        self.thread.join()
        return self.peaks


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children, the finished ones (a worker's job processes) included."""
    root = psutil.Process(pid)
    times = root.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child_times = child.cpu_times()
            total += child_times.user + child_times.system
    return total


def busiest_commands(redis: Redis, top: int = 5) -> list[str]:
    stats = redis.info("commandstats")
    ranked = sorted(stats.items(), key=lambda item: -float(item[1]["usec"]))[:top]  # type: ignore[union-attr]
    return [f"{name[8:]} {float(s['usec']) / 1e6:.1f} s ({s['calls']} calls)" for name, s in ranked]  # type: ignore[index]


def vm_hwm(pid: int) -> int:
    """The kernel's peak resident set of one process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


class Stack:
    """Embedded Redis, two workers and gunicorn, as `neurotag up` starts them."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.redis_server = EmbeddedRedis(workdir / "redis", port=free_port())
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        url = self.redis_server.start()
        self.redis = Redis.from_url(url)
        self.env = {
            **os.environ,
            "REDIS_URL": url,
            "NEUROTAG_KEY_PREFIX": PREFIX,
            "NEUROTAG_QUEUE": PREFIX,
            "NEUROTAG_API_KEYS": f"admin:{KEY}",
            "NEUROTAG_RATE_LIMIT": "off",
            "NEUROTAG_LOG_LEVEL": "WARNING",
        }
        logs = self.workdir / "logs"
        logs.mkdir()
        worker = [sys.executable, "-m", "service.cli", "worker"]
        self.workers = [self._spawn(worker, logs / f"worker-{n}.log") for n in (1, 2)]
        self.api = self._spawn(
            gunicorn_command("127.0.0.1", self.port),
            logs / "api.log",
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the stack did not start; see {logs}")

    def _spawn(self, command: list[str], log: Path) -> subprocess.Popen[bytes]:
        out = log.open("wb")
        process = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        self.processes.append(process)
        return process

    def api_workers(self) -> list[int]:
        return [p.pid for p in psutil.Process(self.api.pid).children()]

    def stop(self) -> None:
        """The API first, then the workers (each with its job process and scheduler), then Redis."""
        for process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                for child in psutil.Process(process.pid).children(recursive=True):
                    child.kill()
                process.kill()
        self.redis_server.stop()


def used_memory(redis: Redis) -> int:
    return int(redis.info("memory")["used_memory"])  # type: ignore[index]


def run_import(stack: Stack, path: Path) -> tuple[dict[str, Any], float]:
    client = ImportClient(stack.url, KEY)
    started = time.monotonic()
    answer = client.upload(path, "ndjson", [], progress=lambda n: None)
    if answer.status != 202:
        raise SystemExit(f"import refused: {answer.status} {answer.body}")
    uploaded = time.monotonic() - started
    print(f"  uploaded and read in {uploaded:.1f} s; tagging goes on…", flush=True)
    while True:
        record = client.get(answer.body["id"]).body
        if record.get("completed_at"):
            return record, time.monotonic() - started
        time.sleep(0.25)


def redis_breakdown(redis: Redis, count: int, sample: int = 500) -> dict[str, float]:
    """Per product, from MEMORY USAGE (exact, SAMPLES 0): its hash (sampled over `sample` products) with the
    bytes of its document, of its tags JSON and of all its field values; then every other key of the
    catalog by kind (tag indexes, search indexes…), and what RQ keeps of finished jobs."""
    keys = [
        k for _, k in zip(range(sample), redis.scan_iter(f"{PREFIX}:product:*", count=1000), strict=False)
    ]
    hashes = [int(redis.memory_usage(k, samples=0) or 0) for k in keys]
    fields = [redis.hgetall(k) for k in keys]
    kinds: dict[str, int] = {}
    for key in redis.scan_iter("*", count=1000):
        parts = key.decode().split(":")
        kind = parts[1] if parts[0] == PREFIX and len(parts) > 1 else parts[0]
        if kind != "product":
            kinds[kind] = kinds.get(kind, 0) + int(redis.memory_usage(key, samples=0) or 0)
    breakdown = {
        "product hash": sum(hashes) / len(keys),
        "  of which document": sum(len(f.get(b"doc", b"")) for f in fields) / len(keys),
        "  of which evidence": sum(len(f.get(b"evidence", b"")) for f in fields) / len(keys),
        "  of which all field values": sum(sum(map(len, f.values())) for f in fields) / len(keys),
    }
    for kind, size in sorted(kinds.items(), key=lambda item: -item[1]):
        if size / count >= 1:
            breakdown[f"{kind} keys"] = size / count
    return breakdown


def baseline(stack: Stack, products: list[dict[str, Any]]) -> float:
    """Products/s when each is POSTed alone: one request, one MULTI and one forked job per product."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {KEY}"
    started = time.monotonic()
    for product in products:
        response = session.post(f"{stack.url}/v1/products", json=product, timeout=30)
        if response.status_code not in (200, 202):
            raise SystemExit(f"baseline POST failed: {response.status_code} {response.text[:200]}")
    skus = [p["sku"] for p in products]
    while True:
        pipe = stack.redis.pipeline(transaction=False)
        for sku in skus:
            pipe.hget(f"{PREFIX}:product:{sku}", "status")
        if all(status in (b"tagged", b"failed") for status in pipe.execute()):
            return len(products) / (time.monotonic() - started)
        time.sleep(0.25)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=2_000, help="products posted one by one")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the stack (finally) when killed
    workdir = Path(tempfile.mkdtemp(prefix="neurotag-bench-"))
    path = workdir / "catalog.ndjson"
    with path.open("w", encoding="utf-8") as out:
        for product in catalog(args.products):
            out.write(json.dumps(product, ensure_ascii=False) + "\n")
    size = path.stat().st_size
    print(f"catalog: {args.products} products, {size / 1e6:.1f} MB of NDJSON ({path})", flush=True)
    stack = Stack(workdir)
    try:
        stack.start()
        before = used_memory(stack.redis)
        stack.redis.config_resetstat()
        roles = {"API": stack.api.pid, "worker 1": stack.workers[0].pid, "worker 2": stack.workers[1].pid}
        roles["Redis"] = stack.redis_server.process.pid  # type: ignore[union-attr]
        cpu_before = {name: cpu_seconds(pid) for name, pid in roles.items()}
        load_before = os.getloadavg()[0]
        peaks = Peaks(
            {"api": stack.api.pid, "worker 1": stack.workers[0].pid, "worker 2": stack.workers[1].pid}
        )
        record, seconds = run_import(stack, path)
        sampled = peaks.stop()
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in roles.items()}
        load_after = os.getloadavg()[0]
        api_hwm = {pid: vm_hwm(pid) for pid in stack.api_workers()}
        after = used_memory(stack.redis)
        counts = record["counts"]
        rate = args.products / seconds
        mb = 2**20
        print(
            f"import {record['status']} in {seconds:.1f} s: {rate:,.0f} products/s end to end (target 2,000)"
        )
        print(f"  counts: {json.dumps(counts)}")
        print(f"  load average (1 min): {load_before:.1f} before, {load_after:.1f} after (2 cores here)")
        used = sum(cpu.values())
        print(f"  CPU seconds: {', '.join(f'{k} {v:.1f}' for k, v in cpu.items())}; {used:.1f} in all,")
        ceiling = 2 * args.products / used
        per_product = used / args.products * 1e6
        print(f"  {per_product:.0f} µs per product: two idle cores would cap this at {ceiling:,.0f}/s")
        print(f"  Redis's busiest commands: {'; '.join(busiest_commands(stack.redis))}")
        hwm = ", ".join(f"{v / mb:.0f} MB" for v in api_hwm.values())
        print(f"peak RSS, API (each gunicorn worker, VmHWM): {hwm} (target ≤ 200 MB)")
        for name in ("worker 1", "worker 2"):
            print(
                f"peak RSS, {name} (its largest process, job processes included): {sampled[name] / mb:.0f} MB"
            )
        per_product = (after - before) / args.products
        breakdown = redis_breakdown(stack.redis, args.products)
        text, values = breakdown["  of which document"], breakdown["  of which all field values"]
        print(f"Redis: {per_product:,.0f} B per product (INFO used_memory after - before, / products)")
        print(
            f"  {per_product - text:,.0f} B beyond its own text, the {text:,.0f} B document (target ≤ 2,048)"
        )
        print(f"  {per_product - values:,.0f} B beyond all strings stored for it ({values:,.0f} B: document,")
        print("  compact evidence, search words…)")
        for name, value in breakdown.items():
            print(f"  {name:<28}{value:>8,.0f} B")

        sample = [{**p, "sku": f"one-{p['sku']}"} for p in catalog(args.baseline)]
        one_by_one = baseline(stack, sample)
        print(f"baseline, {args.baseline} products POSTed one by one: {one_by_one:,.0f} products/s")
        print(
            f"  {args.products:,} would take {args.products / one_by_one / 60:.1f} min; "
            f"the import is {rate / one_by_one:.1f}x faster"
        )
        return 0 if record["status"] == "completed" and counts["tagged"] == counts["accepted"] else 1
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
