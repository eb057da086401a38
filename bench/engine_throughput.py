"""Engine throughput over the 8,494-product Sephora catalog, beside a naive baseline, in one run.

    .venv/bin/python bench/engine_throughput.py [--repeat 3]

The baseline is what one would write first: one compiled regex per lexicon term (claims and every
ingredient synonym), each run over the product's text — the same terms, no automaton.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tagging import load_tagger  # noqa: E402
from tagging.datasets import sephora_products  # noqa: E402
from tagging.seeds import read_seed, seeds_dir  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "sephora_product_info.csv"


def lexicon_terms() -> list[str]:
    """Every phrase the engine matches: claim terms, decoys, signal terms and ingredient names."""
    directory = seeds_dir()
    terms: list[str] = list(read_seed(directory, "claims.yaml").get("decoys", []))
    for entries in read_seed(directory, "claims.yaml")["tags"].values():
        for entry in entries:
            terms += entry["terms"]
    for spec in read_seed(directory, "signals.yaml")["signals"].values():
        terms += spec["terms"]
    for entry in read_seed(directory, "ingredients.yaml")["ingredients"]:
        terms += [entry["name"], *(entry.get("synonyms") or [])]
    return sorted({str(t) for t in terms})


def product_text(product: dict[str, Any]) -> str:
    ingredients = product.get("ingredients") or ""
    if isinstance(ingredients, list):
        ingredients = " ".join(ingredients)
    return (
        " ".join(str(product.get(k) or "") for k in ("title", "category", "description")) + " " + ingredients
    )


def naive_tagger(terms: list[str]) -> list[re.Pattern[str]]:
    return [
        re.compile(r"\b" + re.escape(t.rstrip("*")) + (r"\w*" if t.endswith("*") else r"\b"), re.IGNORECASE)
        for t in terms
    ]


def run_naive(patterns: list[re.Pattern[str]], products: list[dict[str, Any]]) -> int:
    found = 0
    for product in products:
        text = product_text(product)
        for pattern in patterns:
            if pattern.search(text):
                found += 1
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="engine passes over the catalog (best is kept)")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} is absent (the Sephora catalogs live in ../shared/data)")
        return 0
    products = [
        {k: v for k, v in p.items() if k not in ("highlights", "primary_category")}
        for p in sephora_products(DATA)
    ]
    tagger = load_tagger()
    tagger.tag(products[0])  # warm up

    passes: list[float] = []
    tags = 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        tags = sum(len(tagger.tag(p)) for p in products)
        passes.append(time.perf_counter() - start)
    # The first pass is cold: the per-ingredient memo fills as it goes, as in a fresh worker process.
    cold_rate = len(products) / passes[0]
    engine_rate = len(products) / min(passes)

    terms = lexicon_terms()
    patterns = naive_tagger(terms)
    sample = products[:: max(1, len(products) // 1000)]  # the baseline is slow: time it on ~1,000 products
    start = time.perf_counter()
    run_naive(patterns, sample)
    naive_rate = len(sample) / (time.perf_counter() - start)

    print(f"products            {len(products)}")
    print(f"lexicon terms       {len(terms)}")
    print(f"engine, cold pass   {cold_rate:,.0f} products/s")
    print(f"engine              {engine_rate:,.0f} products/s  (best of {args.repeat}, {tags} tags assigned)")
    print(f"naive regex/term    {naive_rate:,.0f} products/s  (on {len(sample)} products)")
    print(f"ratio               {engine_rate / naive_rate:,.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
