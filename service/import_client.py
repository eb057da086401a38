"""`neurotag import`: stream a catalog file to a running service, follow the import with a progress bar,
print a summary. Standard library HTTP only, so the command needs nothing the service does not."""

from __future__ import annotations

import http.client
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode, urlsplit

from tqdm import tqdm

MEDIA_TYPES = {"json": "application/json", "ndjson": "application/x-ndjson", "csv": "text/csv"}
SUFFIXES = {".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson", ".csv": "csv"}
BLOCK = 1 << 16


class ClientError(Exception):
    """The service could not be reached, or answered something that is not an import."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]


class _Reading:
    """A file whose reads report progress (http.client sends a body by reading it block by block)."""

    def __init__(self, stream: IO[bytes], progress: Callable[[int], object]) -> None:
        self.stream = stream
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.progress(len(data))
        return data


class ImportClient:
    """Talks to one service: POST /v1/imports with a streamed body, GET the import."""

    def __init__(self, url: str, key: str | None = None, timeout: float = 300.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ClientError(f"{url!r} is not an http(s) URL")
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.base = parts.path.rstrip("/")
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.timeout = timeout

    def _connection(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return kind(self.host, self.port, timeout=self.timeout, blocksize=BLOCK)

    def _request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Answer:
        connection = self._connection()
        try:
            connection.request(
                method, self.base + path, body=body, headers={**self.headers, **(headers or {})}
            )
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise ClientError(f"{method} {path}: {exc}") from exc
        finally:
            connection.close()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            raise ClientError(f"{method} {path}: {response.status}, not JSON: {raw[:200]!r}") from None
        return Answer(response.status, data if isinstance(data, dict) else {"body": data})

    def upload(self, path: Path, fmt: str, mapping: list[str], progress: Callable[[int], object]) -> Answer:
        query = f"?{urlencode([('map', m) for m in mapping])}" if mapping else ""
        headers = {"Content-Type": MEDIA_TYPES[fmt], "Content-Length": str(path.stat().st_size)}
        with path.open("rb") as stream:
            return self._request("POST", f"/v1/imports{query}", _Reading(stream, progress), headers)

    def get(self, import_id: str) -> Answer:
        return self._request("GET", f"/v1/imports/{import_id}")


def format_of(path: Path, given: str | None) -> str:
    if given:
        return given
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise ClientError(f"cannot tell the format of {path.name}: give --format json, ndjson or csv")
    return found


def import_file(
    client: ImportClient,
    path: Path,
    fmt: str,
    mapping: list[str],
    *,
    wait: bool = True,
    interval: float = 0.5,
    out: IO[str] = sys.stderr,
) -> int:
    """Upload, then follow the import until nothing is left to do. Exit status: 0 completed, 1 otherwise."""
    size = path.stat().st_size
    with tqdm(total=size, unit="B", unit_scale=True, desc="upload", file=out, leave=True) as bar:
        answer = client.upload(path, fmt, mapping, bar.update)
    body = answer.body
    import_id = body.get("id") or body.get("import_id")
    if answer.status != 202:
        print(f"import refused ({answer.status}): {body.get('detail') or body}", file=out)
        if not import_id:
            return 1
    if not wait:
        print(f"import {import_id} accepted; follow it at /v1/imports/{import_id}", file=out)
        return 0
    record = follow(client, str(import_id), interval, out)
    print(summary(record), file=out)
    return 0 if record["status"] == "completed" and answer.status == 202 else 1


def follow(client: ImportClient, import_id: str, interval: float, out: IO[str]) -> dict[str, Any]:
    """Poll the import with a bar of products done out of accepted, until it has settled."""
    with tqdm(total=0, unit="product", desc="tagging", file=out, leave=True) as bar:
        while True:
            answer = client.get(import_id)
            if answer.status != 200:
                raise ClientError(f"GET /v1/imports/{import_id}: {answer.status} {answer.body.get('detail')}")
            record = answer.body
            counts = record["counts"]
            bar.total = counts["accepted"]
            bar.update(counts["tagged"] + counts["failed"] + counts["superseded"] - bar.n)
            bar.set_postfix(status=record["status"], refresh=False)
            if record.get("completed_at"):
                return record
            time.sleep(interval)


def summary(record: dict[str, Any]) -> str:
    c = record["counts"]
    head = f"import {record['id']} {record['status']}"
    if record.get("error"):
        head += f" ({record['error']})"
    head += f": {c['rows']} rows, {c['accepted']} accepted, {c['rejected']} rejected, "
    head += f"{c['unchanged']} unchanged, {c['duplicates']} duplicates; "
    head += f"{c['tagged']} tagged, {c['failed']} failed"
    if c["superseded"]:
        head += f", {c['superseded']} superseded"
    if record.get("rate"):
        head += f"; {record['rate']:.0f} products/s"
    lines = [head]
    for error in record.get("errors") or []:
        details = "; ".join(f"{e['field']}: {e['detail']}" for e in error["errors"])
        sku = f" ({error['sku']})" if error.get("sku") else ""
        lines.append(f"  row {error['row']}{sku}: {details}")
    more = record.get("errors_total", 0) - len(record.get("errors") or [])
    if more > 0:
        lines.append(f"  … {more} more: GET /v1/imports/{record['id']}/errors")
    return "\n".join(lines)
