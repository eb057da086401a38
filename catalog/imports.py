"""Bulk imports in Redis: the record, its atomic progress counters, row errors and per-product outcomes."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from redis import Redis
from redis.client import Pipeline
from redis.commands.core import Script

from catalog.keys import Keys
from catalog.products import TAGGED, TaggingOutcome
from catalog.scripts import script

QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED = "queued", "running", "completed", "failed", "cancelled"
STATUSES = (QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED)
COUNTS = ("rows", "accepted", "rejected", "unchanged", "duplicates", "tagged", "failed", "superseded")
RECORD_TTL = 7 * 24 * 3600  # seconds a settled import stays readable
INDEX_TTL = 30 * 24 * 3600  # seconds an import stays listed, and at most lives unsettled
_LUA = Path(__file__).with_name("lua")


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _float(value: str | None) -> float | None:
    return float(value) if value else None


@cache
def _source(name: str) -> str:
    return (_LUA / "import_lib.lua").read_text(encoding="utf-8") + "\n" + (_LUA / f"{name}.lua").read_text()


def import_script(redis: Redis, name: str) -> Script:
    """catalog/lua/<name>.lua with the import scripts' shared settle() in front of it."""
    return redis.register_script(_source(name))


def job_prefix(import_id: str) -> str:
    """Every job of an import has an id starting with this: a product's job_id tells which import owns it."""
    return f"imp-{import_id}-"


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One import as stored: status, counters and timing (rate and ETA derive from them)."""

    id: str
    status: str
    format: str
    created_at: float
    updated_at: float
    receiving: bool
    settled: bool
    counts: dict[str, int]
    written: int = 0
    bytes: int = 0
    received_at: float | None = None
    settled_at: float | None = None
    first_done_at: float | None = None
    error: str | None = None
    columns: dict[str, Any] | None = None
    errors_total: int = 0
    first_errors: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_hash(
        cls, raw: Mapping[str, str], errors_total: int, first_errors: list[dict[str, Any]]
    ) -> ImportRecord:
        return cls(
            id=raw["id"],
            status=raw["status"],
            format=raw.get("format", ""),
            created_at=float(raw["created_at"]),
            updated_at=float(raw.get("updated_at") or raw["created_at"]),
            receiving=raw.get("receiving") == "1",
            settled=raw.get("settled") == "1",
            counts={name: int(raw.get(name) or 0) for name in COUNTS},
            written=int(raw.get("written") or 0),
            bytes=int(raw.get("bytes") or 0),
            received_at=_float(raw.get("received_at")),
            settled_at=_float(raw.get("settled_at")),
            first_done_at=_float(raw.get("first_done_at")),
            error=raw.get("error") or None,
            columns=json.loads(raw["columns"]) if raw.get("columns") else None,
            errors_total=errors_total,
            first_errors=first_errors,
        )

    @property
    def done(self) -> int:
        """Accepted products with an outcome: tagged, failed, or superseded by a later write."""
        return self.counts["tagged"] + self.counts["failed"] + self.counts["superseded"]

    def rate(self, now: float | None = None) -> float | None:
        """Products done per second since the import was created (upload included)."""
        end = self.settled_at or now or time.time()
        elapsed = end - self.created_at
        return self.done / elapsed if self.done and elapsed > 0 else None

    def eta_seconds(self, now: float | None = None) -> float | None:
        """Seconds until every product accepted so far is done, at the rate so far."""
        if self.settled:
            return 0.0
        rate = self.rate(now)
        return (self.counts["accepted"] - self.done) / rate if rate else None


@dataclass(slots=True)
class ChunkTally:
    """What one chunk of rows added to an import; written with the chunk's products in one MULTI."""

    rows: int = 0
    rejected: int = 0
    unchanged: int = 0
    duplicates: int = 0
    accepted: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IntakeState:
    """What a chunk's intake must know before writing: the import's status, the skus this import has
    already seen (flag + content hash), and each sku's stored (hash, status, taxonomy version)."""

    status: str | None
    seen: list[str | None]
    stored: list[tuple[str | None, str | None, str | None]]


class ImportStore:
    """Creates, reads, advances and cancels imports; the only code that knows their key names."""

    def __init__(self, redis: Redis, keys: Keys | None = None) -> None:
        self.redis = redis
        self.keys = keys or Keys.from_env()

    def _keys(self, import_id: str) -> list[str]:
        record = self.keys.import_record(import_id)
        return [record, f"{record}:outcomes", f"{record}:errors", f"{record}:seen"]

    def create(self, import_id: str, fmt: str, lease_seconds: float) -> None:
        now = time.time()
        record = self.keys.import_record(import_id)
        mapping: dict[Any, Any] = {
            "id": import_id,
            "status": QUEUED,
            "format": fmt,
            "created_at": now,
            "updated_at": now,
            "receiving": "1",
            "lease_until": now + lease_seconds,
        }
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(record, mapping=mapping)
            # A safety net: an import that never settles (all workers gone for a month) still expires.
            pipe.expire(record, INDEX_TTL)
            pipe.zadd(self.keys.imports, {import_id: now})
            pipe.zremrangebyscore(self.keys.imports, "-inf", now - INDEX_TTL)
            pipe.execute()

    def recent(self, limit: int) -> list[ImportRecord]:
        """The newest imports first (those whose record has expired are skipped)."""
        raw: list[bytes] = self.redis.zrevrange(self.keys.imports, 0, limit - 1)  # type: ignore[assignment]
        ids = [_text(i) or "" for i in raw]
        found = [self.get(i, first_errors=0) for i in ids]
        return [record for record in found if record is not None]

    def set_columns(self, import_id: str, columns: Mapping[str, Any]) -> None:
        self.redis.hset(self.keys.import_record(import_id), "columns", json.dumps(columns))

    def get(self, import_id: str, first_errors: int = 10) -> ImportRecord | None:
        """The import, or None; an upload whose lease ran out is marked failed first."""
        record, _, errors, _ = self._keys(import_id)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hgetall(record)
        pipe.llen(errors)
        pipe.lrange(errors, 0, max(first_errors, 1) - 1)
        raw, total, head = pipe.execute()
        if not raw:
            return None
        fields = {_text(k) or "": _text(v) or "" for k, v in raw.items()}
        if fields.get("receiving") == "1" and float(fields.get("lease_until") or 0) < time.time():
            self.finish(import_id, "expired", "upload interrupted: no data arrived before the lease ran out")
            return self.get(import_id, first_errors)
        return ImportRecord.from_hash(fields, int(total), [json.loads(e) for e in head[:first_errors]])

    def status(self, import_id: str) -> str | None:
        return _text(self.redis.hget(self.keys.import_record(import_id), "status"))

    def intake_state(self, import_id: str, skus: Sequence[str]) -> IntakeState:
        """One round trip: the import's status, what it has seen of skus, and their stored fingerprints."""
        record, _, _, seen = self._keys(import_id)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hget(record, "status")
        if skus:
            pipe.hmget(seen, list(skus))
        for sku in skus:
            pipe.hmget(self.keys.product(sku), ("hash", "status", "taxonomy_version"))
        status, *replies = pipe.execute()
        seen_values = [_text(v) for v in replies.pop(0)] if skus else []
        stored = [(_text(h), _text(s), _text(v)) for h, s, v in replies]
        return IntakeState(_text(status), seen_values, stored)

    def add_chunk(
        self, pipe: Pipeline, import_id: str, tally: ChunkTally, bytes_read: int, lease: float
    ) -> None:
        """Queue a chunk's counters, seen skus and row errors on pipe (the MULTI that stores its products)."""
        record, _, errors, seen = self._keys(import_id)
        for name in ("rows", "rejected", "unchanged", "duplicates", "accepted"):
            if getattr(tally, name):
                pipe.hincrby(record, name, getattr(tally, name))
        now = time.time()
        pipe.hset(record, mapping={"updated_at": now, "lease_until": now + lease, "bytes": bytes_read})
        if tally.seen:
            pipe.hset(seen, mapping=dict[Any, Any](tally.seen))
        if tally.errors:
            pipe.rpush(errors, *(json.dumps(e, ensure_ascii=False) for e in tally.errors))

    def record_chunk(self, import_id: str, tally: ChunkTally, bytes_read: int, lease: float) -> None:
        """A chunk with nothing to store (all rows rejected, unchanged or repeated): counters only."""
        with self.redis.pipeline(transaction=True) as pipe:
            self.add_chunk(pipe, import_id, tally, bytes_read, lease)
            pipe.execute()

    def finish(self, import_id: str, mode: str = "received", reason: str = "") -> str | None:
        """No more rows: mode received (the body ended), failed (it could not be read; reason says why)
        or expired (its lease ran out). Returns the status after."""
        finish = import_script(self.redis, "import_finish")
        status = finish(keys=self._keys(import_id), args=[time.time(), RECORD_TTL, mode, reason])
        return _text(status)

    def cancel(self, import_id: str) -> str | None:
        """Cancel a queued or running import; returns its status after (None: no such import)."""
        cancel = import_script(self.redis, "import_cancel")
        return _text(cancel(keys=self._keys(import_id), args=[time.time()]))

    def errors(self, import_id: str, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Row errors offset..offset+limit-1 (in row order) and how many there are."""
        errors = self._keys(import_id)[2]
        pipe = self.redis.pipeline(transaction=True)
        pipe.lrange(errors, offset, offset + limit - 1)
        pipe.llen(errors)
        items, total = pipe.execute()
        return [json.loads(e) for e in items], int(total)

    def commit(
        self, import_id: str, skus: Sequence[str], outcomes: Sequence[TaggingOutcome], taxonomy_version: str
    ) -> int:
        """Commit a job's tagging results and record every sku's outcome for the import, in one MULTI.
        skus are all the job's skus; outcomes those it tagged (or failed). Returns products written."""
        committed = {o.sku: o.hash for o in outcomes}
        args: list[Any] = [self.keys.prefix, job_prefix(import_id), time.time(), RECORD_TTL]
        for sku in dict.fromkeys(skus):
            args += [sku, committed.get(sku, "")]
        record = import_script(self.redis, "import_record")
        with self.redis.pipeline(transaction=True) as pipe:
            if outcomes:
                commit_args: list[str] = [self.keys.prefix, str(time.time()), taxonomy_version]
                for outcome in outcomes:
                    commit_args += outcome.script_args()
                script(self.redis, "commit_tags")(args=commit_args, client=pipe)
            record(keys=self._keys(import_id), args=args, client=pipe)
            replies = pipe.execute()
        return int(replies[-1])


def is_current(
    stored: tuple[str | None, str | None, str | None], content: str, taxonomy_version: str
) -> bool:
    """Stored (hash, status, version) says this content is already tagged with this taxonomy version."""
    stored_hash, status, version = stored
    return stored_hash == content and status == TAGGED and version == taxonomy_version
