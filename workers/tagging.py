"""Tagging a chunk of products: read them, run the engine on each, commit all results at once."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from catalog import ProductStore, StoredProduct
from catalog.products import TaggingOutcome
from tagging import Tagger, TagScore

log = logging.getLogger(__name__)


def tag_dicts(tagger: Tagger, scores: Sequence[TagScore]) -> list[dict[str, Any]]:
    """Tags as the API shows them: id, group, label, score and evidence."""
    infos = tagger.taxonomy.tags
    return [
        {
            "id": s.id,
            "group": infos[s.id].group,
            "label": infos[s.id].label,
            "score": s.score,
            "evidence": [e.to_dict() for e in s.evidence],
        }
        for s in scores
    ]


def tag_chunk(store: ProductStore, tagger: Tagger, skus: Sequence[str]) -> dict[str, int]:
    """Tag skus and write every result in one transaction. A product the engine cannot tag fails alone,
    with its reason; products deleted or changed meanwhile are left to the job their change queued."""
    started = time.perf_counter()
    outcomes = tag_outcomes(tagger, [p for p in store.get_many(skus) if p is not None])
    failed = sum(1 for outcome in outcomes if outcome.tags is None)
    written = store.commit(outcomes, tagger.version) if outcomes else 0
    store.record_tagging(len(outcomes) - failed, failed, time.perf_counter() - started)
    return {"requested": len(skus), "written": written, "failed": failed}


def tag_outcomes(tagger: Tagger, products: Iterable[StoredProduct]) -> list[TaggingOutcome]:
    """Run the engine on each product; one that raises becomes a failed outcome with its reason."""
    outcomes: list[TaggingOutcome] = []
    for product in products:
        try:
            tags = [score.to_dict() for score in tagger.tag(product.doc)]
        except Exception as exc:  # one poison product must not sink its chunk
            log.exception("tagging %s failed", product.sku)
            outcomes.append(
                TaggingOutcome(product.sku, product.hash, error=f"{type(exc).__name__}: {exc}"[:500])
            )
            continue
        outcomes.append(TaggingOutcome(product.sku, product.hash, tags, doc=product.doc))
    return outcomes
