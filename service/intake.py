"""Accepting products: skip what is already tagged, store the rest as pending and queue them, atomically."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rq import Queue

from catalog import ProductStore, StoredProduct, content_hash
from workers import QueueSettings, enqueue_tagging


@dataclass(frozen=True, slots=True)
class Intake:
    """Products accepted in one call: queued under job_id, or already current (nothing to do)."""

    queued: list[str]
    unchanged: list[StoredProduct]
    job_id: str | None


def accept_products(
    store: ProductStore,
    queue: Queue,
    settings: QueueSettings,
    docs: Sequence[Mapping[str, Any]],
    taxonomy_version: str,
) -> Intake:
    """Upsert validated docs; one tagging job for all that changed (the caller keeps chunks small)."""
    current = store.get_many(str(doc["sku"]) for doc in docs)
    changed: list[Mapping[str, Any]] = []
    unchanged: list[StoredProduct] = []
    for doc, stored in zip(docs, current, strict=True):
        if stored is not None and stored.is_current(content_hash(doc), taxonomy_version):
            unchanged.append(stored)
        else:
            changed.append(doc)
    job_id = None
    if changed:
        job_id = store.upsert(changed, lambda pipe, skus: enqueue_tagging(queue, pipe, skus, settings))
    return Intake([str(doc["sku"]) for doc in changed], unchanged, job_id)
