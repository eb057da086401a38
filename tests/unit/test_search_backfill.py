"""A catalog written by an older version gets the current index from `neurotag reindex`, the same as new."""

from __future__ import annotations

import json

import fakeredis

from catalog.search import SearchQuery
from catalog.search_backfill import FORMAT, backfill, needs_backfill
from tests.search_oracle import World, expected

SEARCH_ENTRIES = ("bits:*", "word:*", "words", "by-title")  # what lib.lua keeps for search
FORMAT_1_FIELDS = (b"tags", b"search_words", b"index_words", b"index_title")


def _searches(world: World) -> list[tuple[SearchQuery, list[str], int]]:
    answers = []
    for _ in range(40):
        query = world.random_query()
        page = world.search.search(query)
        answers.append((query, [p.sku for p in page.items], page.total))
    return answers


def _assert_same_answers(world: World, before: list[tuple[SearchQuery, list[str], int]]) -> None:
    for query, skus, total in before:
        new = world.search.search(query)
        want, facets = expected(world, query)
        assert [p.sku for p in new.items] == skus == want[: query.limit]
        assert new.total == total and new.facets == facets


def test_backfill_builds_the_index_a_catalog_from_before_search_lacks() -> None:
    redis = fakeredis.FakeRedis()
    world = World(redis, "legacy", seed=3)
    world.build(120)
    before = _searches(world)
    # Make it a catalog from before the search index: no search entries, no words or title keys.
    for pattern in SEARCH_ENTRIES:
        for key in redis.scan_iter(f"legacy:{pattern}"):
            redis.delete(key)
    for key in redis.scan_iter("legacy:product:*"):
        redis.hdel(key, "words", "title_key")
    redis.delete("legacy:search-index")
    assert world.search.search(SearchQuery()).total == 0
    assert needs_backfill(world.store)

    assert backfill(world.store, batch=32) == 120 - 120 // 10  # the deleted tenth is gone for good
    assert not needs_backfill(world.store)
    _assert_same_answers(world, before)


def test_backfill_brings_a_format_1_catalog_to_the_current_format() -> None:
    """Format 1 kept tags as JSON with their evidence's words, each product's index entries in separate
    fields, and sorted sets per tag, tag score, brand and category beside the bitmaps."""
    redis = fakeredis.FakeRedis()
    world = World(redis, "old", seed=5)
    world.build(120)
    before = _searches(world)
    titles = {}
    for key in redis.scan_iter("old:product:*"):
        f = {k.decode(): v.decode() for k, v in redis.hgetall(key).items()}
        doc, pid, sku = json.loads(f["doc"]), int(f["id"]), f["sku"]
        titles[sku] = doc["title"]
        listed = bool(redis.getbit("old:bits:tagged", pid))
        ids = f["tag_ids"].split(",") if f.get("tag_ids") else []
        scores = f["tag_scores"].split(",") if ids else []
        evidence = [{"field": "title", "text": doc["title"][:4], "start": 0, "end": 4}]
        tags = [
            {"id": t, "group": "g", "label": "L", "score": float(s), "evidence": evidence}
            for t, s in zip(ids, scores, strict=True)
        ]
        member = f"{f['title_key']}\0{pid:012d}"
        legacy = {"tags": json.dumps(tags), "search_words": f["words"]}
        if listed:  # format 1 recorded a listed product's index entries; one never listed had none
            legacy |= {"index_words": f["words"], "index_title": member}
        redis.hset(key, mapping=legacy)
        redis.hdel(key, "words", "evidence")
        if pid % 3 == 0:  # older still: tags as JSON only, no tag_scores beside them
            redis.hdel(key, "tag_scores")
        for tag in f.get("index_ids", "").split(",") if f.get("index_ids") else []:
            redis.zadd(f"old:tag:{tag}", {sku: pid})
            redis.zadd(f"old:tagscore:{tag}", {sku: 1.0})
        if listed:
            redis.zadd(f"old:brand:{f['brand_key']}", {sku: pid})
            redis.zadd(f"old:category:{f['category_key']}", {sku: pid})
    redis.set("old:search-index", b"1")
    assert needs_backfill(world.store)

    assert backfill(world.store, batch=32) == 120 - 120 // 10
    assert redis.get("old:search-index") == FORMAT and not needs_backfill(world.store)
    for kind in ("tag", "tagscore", "brand", "category"):
        assert not list(redis.scan_iter(f"old:{kind}:*")), kind
    for key in redis.scan_iter("old:product:*"):
        assert not set(redis.hkeys(key)) & set(FORMAT_1_FIELDS), key
    _assert_same_answers(world, before)
    tagged = [p for p in world.store.get_many(sorted(titles)) if p is not None and p.tags]
    assert tagged
    for product in tagged:  # the evidence's words come back, cut from the product's own title
        want = [{"field": "title", "text": titles[product.sku][:4], "start": 0, "end": 4}]
        assert all(tag["evidence"] == want for tag in product.tags), product.sku


def test_an_edit_before_the_backfill_drops_the_older_versions_evidence() -> None:
    """Format 1 kept the evidence's words in its tags JSON: new content must not show them."""
    redis = fakeredis.FakeRedis()
    world = World(redis, "edit", seed=8)
    world.build(20)
    sku = next(s for s, listed in world.listed.items() if listed.scores)
    old = world.store.get(sku)
    assert old is not None
    words = [{"field": "title", "text": old.doc["title"][:4], "start": 0, "end": 4}]
    legacy = [{"id": t["id"], "score": t["score"], "evidence": words} for t in old.tags]
    redis.hset(f"edit:product:{sku}", "tags", json.dumps(legacy))
    assert world.store.get(sku).tags[0]["evidence"] == words  # type: ignore[union-attr]
    world.store.upsert([{**old.doc, "title": "Something Else Entirely"}], lambda pipe, skus: None)
    edited = world.store.get(sku)
    assert edited is not None and edited.status == "pending"
    assert [t["id"] for t in edited.tags] == [t["id"] for t in old.tags]
    assert all(t["evidence"] == [] for t in edited.tags)
