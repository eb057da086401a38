"""Reads and writes under load: 60 s at concurrency 32 against gunicorn (2 workers) and 2 tagging workers,
with API keys and rate limits as deployed; 0 errors and no memory growth expected.

    .venv/bin/python bench/mixed_load.py [--duration 60] [--concurrency 32] [--writes 0.2]

One run (loopback only): an embedded Redis, the seed catalog, gunicorn and two `neurotag worker`s, then
a baseline phase (one client, 10 s) and the load phase; prints p50/p99, requests/s, errors, the ratio
of throughput to the baseline, and the resident memory of the API and workers before and after."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.embedded_redis import EmbeddedRedis  # noqa: E402
from service.supervisor import gunicorn_command  # noqa: E402
from tagging import load_tagger  # noqa: E402

HOST = "127.0.0.1"  # loopback only
KEY = "bench-write-key"
RATE_LIMIT = "1000000 per minute"  # checked on every request (its cost is measured), never reached


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def request_mix(count: int, writes: float, seed: int) -> list[tuple[str, str, bytes]]:
    """(method, path, body): storefront queries, product reads and taxonomy reads, and product upserts."""
    rng = random.Random(seed)
    tags = load_tagger().taxonomy.tag_ids
    seeds = [json.loads(line) for line in (ROOT / "seeds" / "catalog.jsonl").read_text().splitlines() if line]
    mix = []
    for n in range(count):
        if rng.random() < writes:
            product = dict(rng.choice(seeds), sku=f"load-{seed}-{n}")
            mix.append(("POST", "/v1/products", json.dumps(product).encode()))
        elif rng.random() < 0.6:
            query = "&".join(f"tag={t}" for t in rng.sample(tags, rng.randint(1, 2)))
            mix.append(("GET", f"/v1/products?{query}&facets=true&limit=24", b""))
        elif rng.random() < 0.8:
            mix.append(("GET", f"/v1/products/{rng.choice(seeds)['sku']}", b""))
        else:
            mix.append(("GET", "/v1/tags", b""))
    return mix


async def client(
    port: int, mix: list[tuple[str, str, bytes]], start: int, deadline: float, tally: Tally
) -> None:
    reader = writer = None
    i = start
    while time.perf_counter() < deadline:
        method, path, body = mix[i % len(mix)]
        i += 1
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Bearer {KEY}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        began = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            assert reader is not None
            writer.write(head.encode() + b"\r\n" + body)
            raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
            await reader.readexactly(int(headers.get("content-length", "0")))
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.errors.append(f"{type(exc).__name__}: {exc}"[:160])
            writer = None
            continue
        tally.latencies.append(time.perf_counter() - began)
        if status >= 300:
            tally.errors.append(f"HTTP {status} for {method} {path}")


def phase(port: int, mix: list[tuple[str, str, bytes]], concurrency: int, seconds: float) -> dict[str, float]:
    tally = Tally()
    began = time.perf_counter()

    async def go() -> None:
        step = max(1, len(mix) // concurrency)
        deadline = began + seconds
        await asyncio.gather(*(client(port, mix, n * step, deadline, tally) for n in range(concurrency)))

    asyncio.run(go())
    elapsed = time.perf_counter() - began
    lat = sorted(tally.latencies)
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")  # noqa: E731
    if tally.errors:
        print("  first errors:", tally.errors[:3])
    return {"requests": len(lat), "rps": len(lat) / elapsed, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
            "errors": len(tally.errors)}  # fmt: skip


def rss_mb(processes: list[subprocess.Popen[bytes]]) -> dict[str, float]:
    """Resident memory of each long-lived process: gunicorn's master with its workers, and each tagging
    worker alone — its job processes are forked per job and exit with it, so counting one that happens
    to be running would double the pages it shares with its parent and read as growth."""
    out = {}
    for number, process in enumerate(processes):
        parent = psutil.Process(process.pid)
        gunicorn = "gunicorn" in str(process.args)
        family = [parent, *parent.children(recursive=True)] if gunicorn else [parent]
        role = "gunicorn (master + workers)" if gunicorn else "tagging worker"
        out[f"{number}: {role}"] = sum(p.memory_info().rss for p in family if p.is_running()) / 2**20
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--writes", type=float, default=0.2, help="share of requests that upsert a product")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="neurotag-load-"))
    server = EmbeddedRedis(work / "redis")
    env = dict(
        os.environ,
        REDIS_URL=server.start(),
        NEUROTAG_API_KEYS=f"write:{KEY}",
        NEUROTAG_RATE_LIMIT=RATE_LIMIT,
        NEUROTAG_LOG_LEVEL="WARNING",
        # The API's page and product caches grow to their caps by design; off here, so that any growth
        # in RSS is a leak (bench/query_load.py measures the caches).
        NEUROTAG_PAGE_CACHE_MB="0",
        NEUROTAG_PRODUCT_CACHE_MB="0",
        PROMETHEUS_MULTIPROC_DIR=str(work / "metrics"),
    )
    port = free_port()
    log = (work / "processes.log").open("wb")
    start = lambda cmd: subprocess.Popen(cmd, env=env, stdout=log, stderr=log)  # noqa: E731
    subprocess.run([sys.executable, "-m", "service.cli", "seed"], env=env, check=True, stderr=log)
    processes = [
        start(gunicorn_command(HOST, port)),
        start([sys.executable, "-m", "service.cli", "worker"]),
        start([sys.executable, "-m", "service.cli", "worker"]),
    ]  # fmt: skip
    try:
        time.sleep(4)
        phase(port, request_mix(500, args.writes, 0), 8, 3)  # warm-up: caches, connections
        before = rss_mb(processes)
        baseline = phase(port, request_mix(20_000, args.writes, 1), 1, 10)
        loaded = phase(port, request_mix(200_000, args.writes, 2), args.concurrency, args.duration)
        time.sleep(3)  # let the workers drain the writes
        after = rss_mb(processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
        server.stop()
    print(f"mixed load, {args.writes:.0%} writes, API keys on, rate limit {RATE_LIMIT} checked per request,")
    print("page and product caches off (so RSS growth would be a leak)")
    print(f"baseline  1 client,  10 s: {baseline['rps']:8.0f} req/s  p50 {baseline['p50_ms']:6.2f} ms  "
          f"p99 {baseline['p99_ms']:6.2f} ms  errors {baseline['errors']}")  # fmt: skip
    print(f"load     {args.concurrency:2d} clients, {args.duration:.0f} s: {loaded['rps']:8.0f} req/s  "
          f"p50 {loaded['p50_ms']:6.2f} ms  p99 {loaded['p99_ms']:6.2f} ms  "
          f"errors {loaded['errors']}")  # fmt: skip
    print(f"ratio     {loaded['rps'] / baseline['rps']:.2f}x the baseline's throughput")
    for name in before:
        print(f"RSS {name:<28} before {before[name]:7.1f} MB  after {after[name]:7.1f} MB  "
              f"growth {after[name] - before[name]:+6.1f} MB")  # fmt: skip
    return 1 if loaded["errors"] or baseline["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
