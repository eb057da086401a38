"""Storefront queries on the per-tag index: set algebra and facet counts done in Redis, pipelined."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis

from catalog.errors import InvalidCursor
from catalog.keys import Keys
from catalog.products import ProductStore, StoredProduct

_SCRATCH_TTL = 30  # seconds: scratch keys outlive a crashed query by at most this much


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The product id a cursor points after; InvalidCursor if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor is not one this service issued") from exc
    if not isinstance(after, int) or after < 0:
        raise InvalidCursor("cursor is not one this service issued")
    return after


@dataclass(frozen=True, slots=True)
class QueryPage:
    items: list[StoredProduct]
    total: int
    next_cursor: str | None
    facets: dict[str, int] | None


class TagIndex:
    """Answers "tagged products having all/any of these tags and none of those", in product-id order.

    Paging by product id is stable: ids are dense and never reused, so a cursor ("after id N")
    neither repeats nor skips a product while pages are fetched."""

    def __init__(self, redis: Redis, tag_ids: Sequence[str], keys: Keys | None = None) -> None:
        self.redis = redis
        self.keys = keys or Keys.from_env()
        self.tag_ids = tuple(tag_ids)
        self.store = ProductStore(redis, self.keys)

    def query(
        self,
        tags: Sequence[str] = (),
        *,
        match: str = "all",
        exclude: Sequence[str] = (),
        limit: int = 24,
        cursor: str | None = None,
        facets: bool = False,
    ) -> QueryPage:
        after = decode_cursor(cursor) if cursor else 0
        result = self.keys.scratch(uuid.uuid4().hex)
        facet_key = self.keys.scratch(uuid.uuid4().hex)
        sources = [self.keys.tag(t) for t in tags] or [self.keys.tagged]
        pipe = self.redis.pipeline(transaction=True)
        if match == "any":
            pipe.zunionstore(result, sources, aggregate="MIN")
        else:
            pipe.zinterstore(result, sources, aggregate="MIN")
        if exclude:
            pipe.zdiffstore(result, [result, *(self.keys.tag(t) for t in exclude)])
        pipe.expire(result, _SCRATCH_TTL)
        pipe.zcard(result)
        pipe.zrangebyscore(result, f"({after}", "+inf", start=0, num=limit + 1, withscores=True)
        if facets:
            for tag in self.tag_ids:
                pipe.zinterstore(facet_key, [result, self.keys.tag(tag)])
            pipe.delete(facet_key)
        pipe.delete(result)
        replies = pipe.execute()
        offset = 2 if exclude else 1
        total = int(replies[offset + 1])
        rows = replies[offset + 2]
        facet_counts = None
        if facets:
            counts = replies[offset + 3 : offset + 3 + len(self.tag_ids)]
            facet_counts = {tag: int(count) for tag, count in zip(self.tag_ids, counts, strict=True)}
        page, more = rows[:limit], len(rows) > limit
        products = [p for p in self.store.get_many(_text(sku) for sku, _ in page) if p is not None]
        next_cursor = encode_cursor(int(page[-1][1])) if more and page else None
        return QueryPage(products, total, next_cursor, facet_counts)

    def counts(self) -> dict[str, int]:
        """Tagged products per tag, for the taxonomy endpoint."""
        pipe = self.redis.pipeline(transaction=False)
        for tag in self.tag_ids:
            pipe.zcard(self.keys.tag(tag))
        return {tag: int(n) for tag, n in zip(self.tag_ids, pipe.execute(), strict=True)}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
