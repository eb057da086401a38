"""Bringing a catalog written by an older version to the current index format (`neurotag reindex`)."""

from __future__ import annotations

from catalog.evidence import encode as encode_evidence
from catalog.products import PENDING, ProductStore
from catalog.scripts import script
from catalog.search_text import search_fields

# Bump when lib.lua's entries change shape: `neurotag seed` (at start) and `neurotag reindex` rebuild.
# 1: query bitmaps, words and title order. 2: bitmaps only (no tag, tag-score, brand or category sorted
# sets), one copy of a product's words, evidence stored compactly instead of tags as JSON.
FORMAT = b"2"
_LEGACY_SETS = ("tag", "tagscore", "brand", "category")  # format 1's sorted sets, read by nothing now


def needs_backfill(store: ProductStore) -> bool:
    """True when this catalog's index was never built at the current format."""
    return bool(store.redis.get(store.keys.search_index) != FORMAT)


def backfill(store: ProductStore, batch: int = 500) -> int:
    """Give every product its words, title key and compact evidence, rebuild its index entries and drop
    the older format's sorted sets; returns products done.

    Safe beside running workers: each batch is one atomic script that writes only for content still
    unchanged, and a commit meanwhile writes the same entries."""
    for kind in _LEGACY_SETS:
        for key in store.redis.scan_iter(match=f"{store.keys.prefix}:{kind}:*", count=1000):
            store.redis.unlink(key)
    reindex = script(store.redis, "reindex_search")
    done = 0
    for skus in store.iter_skus(batch):
        args = [store.keys.prefix]
        for product in store.get_many(skus):
            if product is not None:
                fields = search_fields(product.doc)
                # a pending product's tags were computed from other content: their offsets would not fit
                evidence = (
                    ""
                    if product.status == PENDING
                    else encode_evidence([t["evidence"] for t in product.tags])
                )
                ids = ",".join(t["id"] for t in product.tags)
                scores = ",".join(repr(float(t["score"])) for t in product.tags)
                args += [product.sku, product.hash, fields["search_words"], fields["title_key"]]
                args += [evidence, ids, scores]
        if len(args) > 1:
            done += int(reindex(args=args))
    store.redis.set(store.keys.search_index, FORMAT)
    return done
