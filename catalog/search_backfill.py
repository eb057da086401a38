"""Building the search index (bitmaps, words, title order) for products stored before it existed."""

from __future__ import annotations

from catalog.products import ProductStore
from catalog.scripts import script
from catalog.search_text import search_fields

FORMAT = b"1"  # bump when lib.lua's search entries change shape: `neurotag reindex` then rebuilds them


def needs_backfill(store: ProductStore) -> bool:
    """True when this catalog's search index was never built at the current format."""
    return bool(store.redis.get(store.keys.search_index) != FORMAT)


def backfill(store: ProductStore, batch: int = 500) -> int:
    """Give every product its words and title key and rebuild its index entries; returns products done.

    Safe beside running workers: each batch is one atomic script that writes words only for content
    still unchanged, and a commit meanwhile writes the same entries."""
    reindex = script(store.redis, "reindex_search")
    done = 0
    for skus in store.iter_skus(batch):
        args = [store.keys.prefix]
        for product in store.get_many(skus):
            if product is not None:
                fields = search_fields(product.doc)
                args += [product.sku, product.hash, fields["search_words"], fields["title_key"]]
        if len(args) > 1:
            done += int(reindex(args=args))
    store.redis.set(store.keys.search_index, FORMAT)
    return done
