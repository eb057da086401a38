"""Import jobs: each tags one chunk (hundreds of products) of an import and records its outcomes."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from redis import Redis
from redis.client import Pipeline
from rq import Callback, Queue, Retry, get_current_job
from rq.job import Job

from catalog import ProductStore, StoredProduct
from catalog.imports import CANCELLED, ImportStore, job_prefix
from catalog.products import PENDING, TaggingOutcome
from tagging import Tagger, load_tagger
from workers.queueing import QueueSettings
from workers.tagging import tag_outcomes

log = logging.getLogger(__name__)


def enqueue_import_chunk(
    queue: Queue, pipe: Pipeline, import_id: str, number: int, skus: Sequence[str], settings: QueueSettings
) -> str:
    """Queue the job tagging one chunk of an import on pipe (the caller's MULTI); returns its id.

    Retries come without back-off: an abandoned job (its worker was killed) is then re-queued by the
    next registry maintenance even when the dead worker held the RQ scheduler's lock, which would
    otherwise delay a scheduled retry by a minute or more."""
    job_id = f"{job_prefix(import_id)}{number:06d}"
    retries = len(settings.retry_intervals)
    data = Queue.prepare_data(
        "workers.imports.tag_import_chunk",
        args=(import_id, list(skus)),
        job_id=job_id,
        timeout=settings.job_timeout,
        retry=Retry(max=retries) if retries else None,
        on_failure=Callback("workers.imports.on_import_chunk_failure"),
        result_ttl=600,
        failure_ttl=7 * 24 * 3600,
        description=f"import {import_id}: tag {len(skus)} product(s)",
    )
    queue.enqueue_many([data], pipeline=pipe)
    return job_id


def tag_import_chunk(import_id: str, skus: list[str]) -> dict[str, int]:
    """Tag the chunk's pending products, commit them and count them for the import (the job RQ runs)."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("tag_import_chunk runs inside an RQ job")
    connection = job.connection
    return run_import_chunk(ProductStore(connection), ImportStore(connection), load_tagger(), import_id, skus)


def run_import_chunk(
    store: ProductStore, imports: ImportStore, tagger: Tagger, import_id: str, skus: Sequence[str]
) -> dict[str, int]:
    """Only products still pending are tagged: a re-run of the chunk (its worker died after the commit)
    re-tags nothing and only completes the bookkeeping. A cancelled import's products fail instead."""
    started = time.perf_counter()
    pending = [p for p in store.get_many(skus) if p is not None and p.status == PENDING]
    if imports.status(import_id) == CANCELLED:
        reason = f"import {import_id} was cancelled before this product was tagged"
        outcomes = [_failed(p, reason) for p in pending if _owned(p, import_id)]
    else:
        outcomes = tag_outcomes(tagger, pending)
    written = imports.commit(import_id, skus, outcomes, tagger.version)
    failed = sum(1 for outcome in outcomes if outcome.tags is None)
    store.record_tagging(len(outcomes) - failed, failed, time.perf_counter() - started)
    return {"requested": len(skus), "tagged": len(outcomes) - failed, "failed": failed, "written": written}


def on_import_chunk_failure(
    job: Job, connection: Redis, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> Any:
    """After the last retry the chunk's products still pending fail with the reason, and are counted:
    an import always settles."""
    store = ProductStore(connection)
    store.count_failed_job()
    if job.retries_left:
        return None
    import_id, skus = str(job.args[0]), list(job.args[1])
    reason = f"{exc_type.__name__}: {exc}"[:500]
    pending = [p for p in store.get_many(skus) if p is not None and p.status == PENDING]
    outcomes = [_failed(p, reason) for p in pending if _owned(p, import_id)]
    ImportStore(connection, store.keys).commit(import_id, skus, outcomes, "")
    log.warning("import job %s gave up after retries; %d product(s) marked failed", job.id, len(outcomes))
    return None


def _owned(product: StoredProduct, import_id: str) -> bool:
    """Queued by this import (and not re-queued since by another write)."""
    return (product.job_id or "").startswith(job_prefix(import_id))


def _failed(product: StoredProduct, reason: str) -> TaggingOutcome:
    return TaggingOutcome(product.sku, product.hash, error=reason)
