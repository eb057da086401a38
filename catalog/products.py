"""Products in Redis: upsert as pending, read, delete, and commit tagging results atomically."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from redis.client import Pipeline

from catalog.evidence import decode as decode_evidence
from catalog.evidence import encode as encode_evidence
from catalog.keys import Keys
from catalog.scripts import script
from catalog.search_text import search_fields
from tagging.folding import fold_phrase

PENDING, TAGGED, FAILED = "pending", "tagged", "failed"
PINNED, SUPPRESSED = "pinned", "suppressed"
TAGGING_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05)  # seconds per product
_FIELDS = (
    "id",
    "sku",
    "doc",
    "hash",
    "status",
    "error",
    "tag_ids",
    "tag_scores",
    "evidence",
    "taxonomy_version",
    "tagged_at",
    "updated_at",
    "job_id",
    "tags",  # the tags as JSON with their evidence, as stored before catalog/evidence.py: read, never written
)
PRODUCT_FIELDS = _FIELDS  # what StoredProduct.from_hash reads, in order (search.lua reads them too)


def content_hash(doc: Mapping[str, Any]) -> str:
    """A stable hash of a product's content: same fields and values, same hash."""
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _stored_tags(row: Mapping[str, str | None], doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The engine's tags, {id, score, evidence}, from their ids, scores and compact evidence."""
    if row["tags"]:  # written by an older version; the next commit replaces it
        return [
            {"id": t["id"], "score": t["score"], "evidence": t["evidence"]} for t in json.loads(row["tags"])
        ]
    ids = row["tag_ids"].split(",") if row["tag_ids"] else []
    scores = [float(s) for s in row["tag_scores"].split(",")] if ids and row["tag_scores"] else []
    scores += [0.0] * (len(ids) - len(scores))  # never short since format 2, but always readable
    evidence = decode_evidence(row["evidence"] or "", len(ids), doc)
    return [
        {"id": tag, "score": score, "evidence": items}
        for tag, score, items in zip(ids, scores, evidence, strict=False)
    ]


@dataclass(frozen=True, slots=True)
class StoredProduct:
    """A product as stored: its content plus tagging status and tags."""

    sku: str
    id: int
    doc: dict[str, Any]
    hash: str
    status: str
    error: str | None = None
    tags: list[dict[str, Any]] = field(default_factory=list)
    taxonomy_version: str | None = None
    tagged_at: float | None = None
    updated_at: float | None = None
    job_id: str | None = None
    corrections: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_hash(
        cls,
        values: Sequence[bytes | str | None],
        corrections: Mapping[bytes | str, bytes | str] | None = None,
    ) -> StoredProduct | None:
        row = dict(zip(_FIELDS, (_text(v) for v in values), strict=True))
        if row["doc"] is None:
            return None
        doc = json.loads(row["doc"])
        return cls(
            sku=row["sku"] or "",
            id=int(row["id"] or 0),
            doc=doc,
            hash=row["hash"] or "",
            status=row["status"] or PENDING,
            error=row["error"],
            tags=_stored_tags(row, doc),
            taxonomy_version=row["taxonomy_version"],
            tagged_at=float(row["tagged_at"]) if row["tagged_at"] else None,
            updated_at=float(row["updated_at"]) if row["updated_at"] else None,
            job_id=row["job_id"],
            corrections={
                _text(k) or "": json.loads(_text(v) or "{}") for k, v in (corrections or {}).items()
            },
        )

    def is_current(self, content: str, taxonomy_version: str) -> bool:
        """True when this content is already tagged with this taxonomy version: nothing to do."""
        return self.hash == content and self.status == TAGGED and self.taxonomy_version == taxonomy_version

    def effective_tags(self) -> list[dict[str, Any]]:
        """Engine tags with corrections applied: suppressed ones dropped, pinned ones added or marked."""
        tags = []
        for tag in self.tags:
            correction = self.corrections.get(tag["id"])
            if correction and correction["state"] == SUPPRESSED:
                continue
            tags.append({**tag, "source": "manual" if correction else "engine"})
        engine_ids = {tag["id"] for tag in self.tags}
        for tag_id, correction in self.corrections.items():
            if correction["state"] == PINNED and tag_id not in engine_ids:
                tags.append({"id": tag_id, "score": 1.0, "evidence": [], "source": "manual"})
        return tags


def facet_key(value: Any) -> str:
    """The index key of a brand or category: folded so "Drunk Elephant" and "DRUNK ELEPHANT" match."""
    return fold_phrase(value) if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class TaggingOutcome:
    """What a worker computed for one product: tags (as API dicts) or the reason tagging failed.

    doc is the content that was tagged: the index's brand, category, words and title key come from it."""

    sku: str
    hash: str
    tags: list[dict[str, Any]] | None = None
    error: str | None = None
    doc: Mapping[str, Any] = field(default_factory=dict)

    def script_args(self) -> list[str]:
        """The 10 values commit_tags.lua reads per product."""
        text = search_fields(self.doc)
        listing = [
            facet_key(self.doc.get("brand")),
            facet_key(self.doc.get("category")),
            text["search_words"],
            text["title_key"],
        ]
        if self.tags is None:
            return [self.sku, self.hash, FAILED, self.error or "tagging failed", "", "", *listing]
        return [
            self.sku,
            self.hash,
            TAGGED,
            encode_evidence([tag["evidence"] for tag in self.tags]),
            ",".join(tag["id"] for tag in self.tags),
            ",".join(repr(float(tag["score"])) for tag in self.tags),
            *listing,
        ]


class ProductStore:
    """Reads and writes products; every multi-key change is one Lua script or one MULTI."""

    def __init__(self, redis: Redis, keys: Keys | None = None) -> None:
        self.redis = redis
        self.keys = keys or Keys.from_env()

    def get(self, sku: str) -> StoredProduct | None:
        return self.get_many([sku])[0]

    def get_many(self, skus: Iterable[str]) -> list[StoredProduct | None]:
        pipe = self.redis.pipeline(transaction=False)
        for sku in skus:
            pipe.hmget(self.keys.product(sku), _FIELDS)
            pipe.hgetall(self.keys.corrections(sku))
        replies = pipe.execute()
        return [
            StoredProduct.from_hash(values, corr)
            for values, corr in zip(replies[::2], replies[1::2], strict=True)
        ]

    def upsert(
        self,
        docs: Sequence[Mapping[str, Any]],
        enqueue: Callable[[Pipeline, list[str]], str | None],
    ) -> str | None:
        """Store docs as pending and, in the same transaction, queue them with enqueue(pipeline, skus).
        Returns what enqueue returned (the job id)."""
        upsert = script(self.redis, "upsert")
        now = str(time.time())
        skus = [str(doc["sku"]) for doc in docs]
        with self.redis.pipeline(transaction=True) as pipe:
            job_id = enqueue(pipe, skus)
            for doc in docs:
                sku = str(doc["sku"])
                upsert(
                    keys=[self.keys.product(sku), self.keys.sequence, self.keys.pending],
                    args=[sku, json.dumps(doc, ensure_ascii=False), content_hash(doc), now, job_id or ""],
                    client=pipe,
                )
            # Responses show content and status, so a changed product must change ETags at once.
            pipe.incr(self.keys.catalog_version)
            pipe.execute()
        return job_id

    def delete(self, sku: str) -> bool:
        return bool(script(self.redis, "delete")(args=[self.keys.prefix, sku]))

    def commit(self, outcomes: Sequence[TaggingOutcome], taxonomy_version: str) -> int:
        """Write a chunk's results in one atomic script; returns how many products were written."""
        args: list[str] = [self.keys.prefix, str(time.time()), taxonomy_version]
        for outcome in outcomes:
            args += outcome.script_args()
        return int(script(self.redis, "commit_tags")(args=args))

    def correct(self, sku: str, tag_id: str, state: str | None, note: str | None = None) -> bool:
        """Pin or suppress a tag for a product (state None clears it); False if there is no such product.
        The index moves at once, and the correction outlives re-tagging and re-imports."""
        correction = json.dumps({"state": state, "note": note, "at": time.time()}) if state else ""
        return bool(script(self.redis, "correct")(args=[self.keys.prefix, sku, tag_id, correction]))

    def mark_failed(self, skus: Sequence[str], reason: str) -> int:
        """Mark still-pending products failed with a reason (a job that ran out of retries)."""
        products = self.get_many(skus)
        outcomes = [
            TaggingOutcome(p.sku, p.hash, error=reason)
            for p in products
            if p is not None and p.status == PENDING
        ]
        return self.commit(outcomes, "") if outcomes else 0

    def pending_skus(self, older_than: float, limit: int = 1000) -> list[str]:
        """SKUs queued before older_than (seconds since the epoch): candidates for a re-queue."""
        found: list[bytes] = self.redis.zrangebyscore(self.keys.pending, "-inf", older_than, 0, limit)  # type: ignore[assignment]
        return [_text(s) or "" for s in found]

    def iter_skus(self, batch: int = 500) -> Iterator[list[str]]:
        """Every stored SKU, in batches (SCAN: no long blocking call on a large catalog)."""
        prefix = self.keys.product("")
        skus: list[str] = []
        for key in self.redis.scan_iter(match=f"{prefix}*", count=batch):
            skus.append((_text(key) or "")[len(prefix) :])
            if len(skus) >= batch:
                yield skus
                skus = []
        if skus:
            yield skus

    def iter_corrected(self, batch: int = 200) -> Iterator[StoredProduct]:
        """Every product that carries at least one merchandiser correction."""
        prefix = self.keys.corrections("")
        skus = [
            (_text(k) or "")[len(prefix) :] for k in self.redis.scan_iter(match=f"{prefix}*", count=batch)
        ]
        for start in range(0, len(skus), batch):
            yield from (p for p in self.get_many(skus[start : start + batch]) if p is not None)

    def stale(self, skus: Sequence[str], taxonomy_version: str) -> list[str]:
        """Those of skus whose tags come from another taxonomy version (or failed), pending ones excepted."""
        pipe = self.redis.pipeline(transaction=False)
        for sku in skus:
            pipe.hmget(self.keys.product(sku), ("status", "taxonomy_version"))
        return [
            sku
            for sku, (status, version) in zip(skus, pipe.execute(), strict=True)
            if status is not None and _text(status) != PENDING and _text(version) != taxonomy_version
        ]

    def version_counts(self) -> dict[str, int]:
        """How many products carry tags from each taxonomy version."""
        raw: dict[bytes, bytes] = self.redis.hgetall(self.keys.versions)  # type: ignore[assignment]
        return {_text(k) or "": int(v) for k, v in raw.items() if int(v) > 0}

    def count_by_status(self) -> dict[str, int]:
        pipe = self.redis.pipeline(transaction=False)
        pipe.zcard(self.keys.tagged)
        pipe.zcard(self.keys.pending)
        pipe.zcard(self.keys.failed)
        tagged, pending, failed = pipe.execute()
        return {TAGGED: int(tagged), PENDING: int(pending), FAILED: int(failed)}

    def record_tagging(self, tagged: int, failed: int, seconds: float) -> None:
        """Count a finished chunk in the workers' counters (read by /metrics), with its time per product
        in a cumulative histogram."""
        per_product = seconds / max(1, tagged + failed)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hincrby(self.keys.stats, "jobs_done", 1)
        pipe.hincrby(self.keys.stats, "products_tagged", tagged)
        pipe.hincrby(self.keys.stats, "products_failed", failed)
        pipe.hincrbyfloat(self.keys.stats, "tagging_seconds_sum", seconds)
        for bound in TAGGING_BUCKETS:
            if per_product <= bound:
                pipe.hincrby(self.keys.stats, f"tagging_le_{bound}", tagged + failed)
        pipe.hincrby(self.keys.stats, "tagging_count", tagged + failed)
        pipe.execute()

    def count_failed_job(self) -> None:
        self.redis.hincrby(self.keys.stats, "jobs_failed", 1)

    def stats(self) -> dict[str, float]:
        raw: dict[bytes, bytes] = self.redis.hgetall(self.keys.stats)  # type: ignore[assignment]
        return {(_text(k) or ""): float(v) for k, v in raw.items()}
