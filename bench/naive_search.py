"""The baseline a first version would ship: load every tagged product from Redis and filter in Python.

Same answer as GET /v1/products with facets (OR within a group, AND across groups, disjunctive facet
counts, relevance order); query_load.py checks the totals and counts agree before it times anything."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis import Redis

from catalog import Keys

BATCH = 2000


@dataclass(frozen=True, slots=True)
class NaiveAnswer:
    total: int
    facets: dict[str, int]
    page: list[str]


def load_tagged(redis: Redis, keys: Keys) -> list[tuple[int, str, dict[str, float]]]:
    """(dense id, sku, tag id -> score) of every tagged product, read product by product."""
    skus: list[bytes] = redis.zrange(keys.tagged, 0, -1)  # type: ignore[assignment]
    out = []
    for start in range(0, len(skus), BATCH):
        pipe = redis.pipeline(transaction=False)
        chunk = [s.decode() for s in skus[start : start + BATCH]]
        for sku in chunk:
            pipe.hmget(keys.product(sku), ("id", "doc", "tag_ids", "tag_scores"))
        for sku, (pid, doc, ids, scores) in zip(chunk, pipe.execute(), strict=True):
            json.loads(doc)  # a storefront answer shows the product: the baseline reads it too
            tags = ids.decode().split(",") if ids else []
            out.append((int(pid), sku, dict(zip(tags, map(float, scores.decode().split(",")), strict=False))))
    return out


def answer(
    redis: Redis, keys: Keys, groups: Sequence[tuple[str, Sequence[str]]], selections: dict[str, list[str]]
) -> NaiveAnswer:
    """One storefront query (group selections, facets, relevance order, first page of 24), naively."""
    products = load_tagged(redis, keys)

    def in_groups(tags: dict[str, Any], skip: str) -> bool:
        return all(
            not chosen or any(t in tags for t in chosen) for g, chosen in selections.items() if g != skip
        )

    facets = {
        tag: sum(1 for _, _, tags in products if tag in tags and in_groups(tags, group))
        for group, group_tags in groups
        for tag in group_tags
    }
    found = [p for p in products if in_groups(p[2], "")]
    matched = [t for chosen in selections.values() for t in chosen]
    found.sort(key=lambda p: (-sum(int(p[2][t] * 100 + 1e-7) for t in matched if t in p[2]), -p[0]))
    return NaiveAnswer(len(found), facets, [sku for _, sku, _ in found[:24]])
