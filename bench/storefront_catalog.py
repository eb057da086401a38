"""A large tagged catalog for storefront benchmarks, written through the real write path.

Each Sephora product (../shared/data/sephora_product_info.csv) is tagged once by the engine; copies
of it ("… No. 2", "… No. 3", with their own SKU) fill the catalog up to the size asked for. Every copy
is upserted with ProductStore.upsert and committed with ProductStore.commit, exactly as workers do,
so every index (tag sets, bitmaps, words, title order) is built by the production Lua."""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog import Keys, ProductStore  # noqa: E402
from catalog.products import TaggingOutcome, content_hash  # noqa: E402
from tagging import load_tagger  # noqa: E402
from tagging.datasets import sephora_products  # noqa: E402
from workers.tagging import tag_dicts  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sephora_product_info.csv"
CHUNK = 500  # products per upsert and per commit, as an import job would


def _prices(path: Path) -> dict[str, float]:
    with path.open(encoding="utf-8") as stream:
        return {row["product_id"]: float(row["price_usd"] or 0) for row in csv.DictReader(stream)}


def tagged_sources(path: Path = DATA) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(product, its tags as the API shows them) for every Sephora product, tagged once."""
    tagger = load_tagger()
    prices = _prices(path)
    out = []
    for raw in sephora_products(path):
        doc = {k: v for k, v in raw.items() if k not in ("highlights", "primary_category") and v}
        doc.update(price=prices.get(doc["sku"], 0.0), currency="USD")
        out.append((doc, tag_dicts(tagger, tagger.tag(doc))))
    return out


def copies(sources: list[tuple[dict[str, Any], list[dict[str, Any]]]], n: int) -> Iterator[Any]:
    for i in range(n):
        doc, tags = sources[i % len(sources)]
        copy = i // len(sources)
        if copy:
            doc = {**doc, "sku": f"{doc['sku']}-{copy}", "title": f"{doc['title']} No. {copy + 1}"}
        yield doc, tags


def build(store: ProductStore, n: int, path: Path = DATA, log: Any = print) -> dict[str, float]:
    """Write n tagged products; returns seconds spent tagging and writing."""
    started = time.perf_counter()
    sources = tagged_sources(path)
    tagged_s = time.perf_counter() - started
    log(f"  tagged {len(sources):,} Sephora products with the engine in {tagged_s:.1f} s")
    version = load_tagger().version
    batch: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    written = 0
    write_started = time.perf_counter()
    for item in copies(sources, n):
        batch.append(item)
        if len(batch) == CHUNK:
            written += _write(store, batch, version)
            batch = []
    if batch:
        written += _write(store, batch, version)
    write_s = time.perf_counter() - write_started
    log(f"  upserted and committed {written:,} products in {write_s:.1f} s ({written / write_s:,.0f}/s)")
    return {"tagging_s": tagged_s, "write_s": write_s, "products": written}


def _write(
    store: ProductStore, batch: list[tuple[dict[str, Any], list[dict[str, Any]]]], version: str
) -> int:
    store.upsert([doc for doc, _ in batch], lambda pipe, skus: None)
    outcomes = [TaggingOutcome(doc["sku"], content_hash(doc), tags, doc=doc) for doc, tags in batch]
    return store.commit(outcomes, version)


def open_store(redis_url: str, prefix: str) -> ProductStore:
    from redis import Redis

    return ProductStore(Redis.from_url(redis_url), Keys(prefix))
