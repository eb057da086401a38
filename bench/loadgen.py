"""A small HTTP/1.1 load generator: N concurrent keep-alive connections for T seconds, loopback only.

    python bench/loadgen.py --port 8000 --concurrency 16 --duration 30 < paths.txt

Reads request paths (one per line) from stdin and sends them round-robin from a shuffled order; prints
one JSON line with every latency summary. asyncio and raw sockets keep the generator's own CPU per
request small: it shares the machine with the server it measures."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"  # loopback only: this tool must never load someone else's server


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    bytes: int = 0
    cache_hits: int = 0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers


async def _client(port: int, paths: list[str], start: int, deadline: float, tally: Tally, gzip: bool) -> None:
    reader = writer = None
    i = start
    accept = "Accept-Encoding: gzip, deflate, br\r\n" if gzip else ""
    while time.perf_counter() < deadline:
        path = paths[i % len(paths)]
        i += 1
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: application/json\r\n{accept}\r\n".encode()
        )
        began = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            assert reader is not None
            writer.write(request)
            status, body, headers = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            writer = None
            continue
        tally.latencies.append(time.perf_counter() - began)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        tally.bytes += len(body)
        tally.cache_hits += headers.get("x-page-cache") == "hit"
        if status != 200:
            tally.errors.append(f"HTTP {status} for {path}: {body[:200]!r}")
        if headers.get("connection", "").lower() == "close":
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def run(
    port: int, paths: list[str], concurrency: int, duration: float, gzip: bool
) -> dict[str, object]:
    tally = Tally()
    began = time.perf_counter()
    deadline = began + duration
    step = max(1, len(paths) // concurrency)
    await asyncio.gather(*(_client(port, paths, n * step, deadline, tally, gzip) for n in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies = sorted(tally.latencies)
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p90_ms": percentile(latencies, 0.90) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else float("nan")) * 1000,
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
        "statuses": tally.statuses,
        "mean_body_bytes": tally.bytes / max(1, len(latencies)),
        "page_cache_hits": tally.cache_hits / max(1, len(latencies)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip, as browsers do")
    args = parser.parse_args()
    paths = [line.strip() for line in sys.stdin if line.strip()]
    random.Random(args.seed).shuffle(paths)
    result = asyncio.run(run(args.port, paths, args.concurrency, min(args.duration, 120.0), args.gzip))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
