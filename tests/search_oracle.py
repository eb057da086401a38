"""A random catalog written through the real write path, and the same search answered in plain Python.

Shared by the fakeredis and the real-Redis tests of catalog/search.py: the Lua engine must agree with
this reference on membership, order, totals and facet counts for every query."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from redis import Redis

from catalog import Keys, ProductStore
from catalog.products import TaggingOutcome, content_hash, facet_key
from catalog.search import CatalogSearch, SearchQuery
from catalog.search_text import query_terms, search_fields, words

GROUPS = [("neuro", ["touch", "scent", "active"]), ("benefit", ["calm", "hydra", "sun", "glow"])]
TAGS = [t for _, tags in GROUPS for t in tags]
BRANDS = ["Quietroot", "Crème Lab", "Nocturna", "Tidewell"]
CATEGORIES = ["Moisturizers", "Serums", "Masks"]
WORDS = ["lavender", "lavish", "night", "cream", "serum", "rose", "hydrating", "mist", "c", "balm"]


@dataclass
class Listed:
    """What the oracle knows of a listed product."""

    id: int
    sku: str
    title: str
    brand: str
    category: str
    scores: dict[str, float] = field(default_factory=dict)


def hundredths(score: float) -> int:
    return max(0, min(100, math.floor(score * 100 + 1e-7)))


class World:
    """Builds the catalog in Redis and keeps the oracle's view of it in step."""

    def __init__(self, redis: Redis, prefix: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.keys = Keys(prefix)
        self.store = ProductStore(redis, self.keys)
        self.search = CatalogSearch(redis, GROUPS, self.keys)
        self.listed: dict[str, Listed] = {}

    def _doc(self, n: int) -> dict[str, Any]:
        rng = self.rng
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).title()
        if rng.random() < 0.1:
            title = "<img src=x onerror=alert(1)>"
        return {"sku": f"p{n}", "title": f"{title} {n}", "brand": rng.choice(BRANDS)}

    def _tags(self) -> list[dict[str, Any]]:
        chosen = self.rng.sample(TAGS, self.rng.randint(0, 4))
        return [{"id": t, "score": round(self.rng.uniform(0.5, 1.0), 3), "evidence": []} for t in chosen]

    def build(self, n: int) -> None:
        docs = [self._doc(i) for i in range(1, n + 1)]
        self.store.upsert(docs, lambda pipe, skus: None)
        self._commit(docs)
        # Re-tag a third (bits must be cleared, not only set), fail some, delete some, correct some.
        again = self.rng.sample(docs, n // 3)
        self._commit(again)
        failed = self.rng.sample(docs, n // 10)
        self.store.commit([TaggingOutcome(d["sku"], content_hash(d), error="boom") for d in failed], "v1")
        for doc in failed:
            self.listed.pop(doc["sku"], None)
        for doc in self.rng.sample(docs, n // 10):
            self.store.delete(doc["sku"])
            self.listed.pop(doc["sku"], None)
        for product in self.rng.sample(list(self.listed.values()), min(8, len(self.listed))):
            tag = self.rng.choice(TAGS)
            if self.rng.random() < 0.5:
                self.store.correct(product.sku, tag, "pinned")
                product.scores[tag] = 1.0
            else:
                self.store.correct(product.sku, tag, "suppressed")
                product.scores.pop(tag, None)

    def _commit(self, docs: list[dict[str, Any]]) -> None:
        outcomes = []
        for doc in docs:
            tags = self._tags()
            category = self.rng.choice(CATEGORIES)
            outcomes.append(
                TaggingOutcome(doc["sku"], content_hash(doc), tags, doc={**doc, "category": category})
            )
            stored = self.store.get(doc["sku"])
            assert stored is not None
            self.listed[doc["sku"]] = Listed(
                stored.id,
                doc["sku"],
                doc["title"],
                doc["brand"],
                category,
                {t["id"]: t["score"] for t in tags},
            )
        self.store.commit(outcomes, "v1")

    def random_query(self) -> SearchQuery:
        rng = self.rng

        def some(items: list[str], most: int) -> tuple[str, ...]:
            return tuple(rng.sample(items, rng.randint(0, most)))

        return SearchQuery(
            all_tags=some(TAGS, 1) if rng.random() < 0.3 else (),
            any_tags=some(TAGS, 2) if rng.random() < 0.2 else (),
            exclude=some(TAGS, 1) if rng.random() < 0.2 else (),
            selections=tuple(some(tags, 2) for _, tags in GROUPS),
            brands=some(BRANDS, 2) if rng.random() < 0.25 else (),
            categories=some(CATEGORIES, 1) if rng.random() < 0.2 else (),
            text=" ".join(rng.sample(["lav", "night", "cream", "c", "ros", "zzz"], rng.randint(1, 2)))
            if rng.random() < 0.25
            else "",
            min_score=rng.choice([0.0, 0.0, 0.6, 0.75, 0.9]),
            sort=rng.choice(["oldest", "newest", "relevance", "title"]),
            limit=rng.randint(1, 7),
            facets=True,
        )


def expected(world: World, query: SearchQuery) -> tuple[list[str], dict[str, dict[str, int]]]:
    """(every matching sku in order, grouped facet counts), computed product by product."""
    floor = round(query.min_score * 100)

    def has(p: Listed, tag: str) -> bool:
        return tag in p.scores and (floor <= 0 or hundredths(p.scores[tag]) >= floor)

    def matches_text(p: Listed) -> bool:
        own = set(words(f"{p.title} {p.brand}"))
        return all(
            any(w == term or (prefix and w.startswith(term)) for w in own)
            for term, prefix in query_terms(query.text)
        )

    def base(p: Listed) -> bool:
        return (
            all(has(p, t) for t in query.all_tags)
            and (not query.any_tags or any(has(p, t) for t in query.any_tags))
            and not any(t in p.scores for t in query.exclude)
            and (not query.brands or facet_key(p.brand) in {facet_key(b) for b in query.brands})
            and (not query.categories or facet_key(p.category) in {facet_key(c) for c in query.categories})
            and matches_text(p)
        )

    def in_groups(p: Listed, skip: int) -> bool:
        return all(
            not chosen or any(has(p, t) for t in chosen)
            for g, chosen in enumerate(query.selections)
            if g != skip
        )

    pool = [p for p in world.listed.values() if base(p)]
    found = [p for p in pool if in_groups(p, -1)]
    facets = {
        group: {tag: sum(1 for p in pool if in_groups(p, g) and has(p, tag)) for tag in tags}
        for g, (group, tags) in enumerate(GROUPS)
    }
    matched = query.matched_tags()
    if query.sort == "oldest":
        found.sort(key=lambda p: p.id)
    elif query.sort == "newest":
        found.sort(key=lambda p: -p.id)
    elif query.sort == "relevance":
        found.sort(key=lambda p: (-sum(hundredths(p.scores[t]) for t in matched if has(p, t)), -p.id))
    else:
        found.sort(key=lambda p: search_fields({"title": p.title})["title_key"].encode() + b"\0%012d" % p.id)
    return [p.sku for p in found], facets


def pages(world: World, query: SearchQuery) -> Iterator[tuple[list[str], int, Any]]:
    """Follow next_cursor from the first page to the last: (skus, total, facets) per page."""
    cursor = None
    for _ in range(1000):
        page = world.search.search(replace(query, cursor=cursor))
        yield [p.sku for p in page.items], page.total, page.facets
        cursor = page.next_cursor
        if cursor is None:
            return
    raise AssertionError("paging did not end")
