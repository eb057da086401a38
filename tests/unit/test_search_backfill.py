"""A catalog written before the search index existed gets one from `neurotag reindex`, the same as new."""

from __future__ import annotations

import fakeredis

from catalog.search import SearchQuery
from catalog.search_backfill import backfill, needs_backfill
from tests.search_oracle import World, expected

LEGACY = ("bits:*", "word:*", "words", "by-title")  # what lib.lua added for search


def test_backfill_rebuilds_what_an_older_catalog_lacks() -> None:
    redis = fakeredis.FakeRedis()
    world = World(redis, "legacy", seed=3)
    world.build(120)
    queries = [world.random_query() for _ in range(40)]
    before = [world.search.search(q) for q in queries]
    # Make it an old catalog: no search entries, no words or title keys on the products.
    for pattern in LEGACY:
        for key in redis.scan_iter(f"legacy:{pattern}"):
            redis.delete(key)
    for key in redis.scan_iter("legacy:product:*"):
        redis.hdel(key, "search_words", "title_key", "index_words", "index_title")
    assert world.search.search(SearchQuery()).total == 0
    assert needs_backfill(world.store)

    assert backfill(world.store, batch=32) == 120 - 120 // 10  # the deleted tenth is gone for good
    assert not needs_backfill(world.store)
    for query, old in zip(queries, before, strict=True):
        new = world.search.search(query)
        want, facets = expected(world, query)
        assert [p.sku for p in new.items] == [p.sku for p in old.items] == want[: query.limit]
        assert new.total == old.total and new.facets == old.facets == facets
