"""catalog/search.py on a real Redis server (6.2 here, 7.x in Compose): the Lua agrees with the Python
oracle, and `neurotag reindex` builds the index for a catalog that predates it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from catalog.search import SearchQuery
from tests.search_oracle import World, expected, pages

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(redis_url: str) -> Iterator[World]:
    prefix = f"it-search-{uuid.uuid4().hex[:8]}"
    redis = Redis.from_url(redis_url)
    built = World(redis, prefix, seed=11)
    built.build(400)
    yield built
    for key in redis.scan_iter(f"{prefix}:*"):
        redis.delete(key)


@pytest.mark.parametrize("title_walk", [4000, 0], ids=["walk-title-index", "sort-few-results"])
def test_random_queries_match_the_oracle(world: World, title_walk: int) -> None:
    world.search.title_walk = title_walk
    for _ in range(80):
        query = world.random_query()
        want, facets = expected(world, query)
        got: list[str] = []
        for skus, total, page_facets in pages(world, query):
            assert (total, page_facets) == (len(want), facets), query
            got += skus
        assert got == want, query


def test_queries_reuse_a_few_scratch_bitmaps_and_never_reach_the_aof(world: World) -> None:
    """Scratch bitmaps are kept for the next query (bitmaps.lua): their number is bounded by the largest
    query, not the number of queries; what was accumulated into is dropped; and no query is written to
    the AOF (the script's effects are not replicated)."""
    redis = world.store.redis
    for _ in range(20):
        world.search.search(world.random_query())
    after_20 = set(redis.scan_iter(f"{world.keys.prefix}:tmp:*"))
    for _ in range(60):
        world.search.search(world.random_query())
    after_80 = set(redis.scan_iter(f"{world.keys.prefix}:tmp:*"))
    assert after_20 and len(after_80) <= 128  # bitmaps.lua's KEEP
    assert {redis.type(key) for key in after_80} == {b"string"}  # no scratch set or zset left
    config = redis.config_get("appendonly")
    if config.get("appendonly") == "yes":
        directory = Path(redis.config_get("dir")["dir"])
        aof = b"".join(path.read_bytes() for path in directory.rglob("*.aof*") if path.is_file())
        assert aof and f"{world.keys.prefix}:tmp:search:".encode() not in aof


def test_neurotag_reindex_builds_the_index_of_an_older_catalog(world: World, redis_url: str) -> None:
    redis = world.store.redis
    query = SearchQuery(selections=(("touch", "scent"), ()), facets=True, sort="title", limit=50)
    before = world.search.search(query)
    for pattern in ("bits:*", "word:*", "words", "by-title"):
        for key in redis.scan_iter(f"{world.keys.prefix}:{pattern}"):
            redis.delete(key)
    assert world.search.search(query).total == 0
    env = {**os.environ, "REDIS_URL": redis_url, "NEUROTAG_KEY_PREFIX": world.keys.prefix}
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "reindex"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "search index: rebuilt for" in done.stderr
    after = world.search.search(query)
    assert [p.sku for p in after.items] == [p.sku for p in before.items]
    assert (after.total, after.facets) == (before.total, before.facets) and after.total > 0
