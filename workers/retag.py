"""Re-tagging the catalog after the taxonomy changed: queue every product tagged with another version."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rq import Queue, get_current_job

from catalog import ProductStore
from tagging import load_tagger
from workers.queueing import QueueSettings, enqueue_tagging, tagging_queue

log = logging.getLogger(__name__)
CHUNK = 200  # products per tagging job: a forking worker costs milliseconds per job, not per product


@dataclass(frozen=True, slots=True)
class RetagPlan:
    products: int
    job_ids: list[str]


def queue_retag(
    store: ProductStore, queue: Queue, settings: QueueSettings, taxonomy_version: str
) -> RetagPlan:
    """Queue tagging jobs for every product not tagged with taxonomy_version."""
    queued = 0
    job_ids: list[str] = []
    batch: list[str] = []
    for skus in store.iter_skus():
        batch += store.stale(skus, taxonomy_version)
        while len(batch) >= CHUNK:
            job_ids.append(_enqueue(store, queue, settings, batch[:CHUNK]))
            queued += len(batch[:CHUNK])
            batch = batch[CHUNK:]
    if batch:
        job_ids.append(_enqueue(store, queue, settings, batch))
        queued += len(batch)
    return RetagPlan(queued, job_ids)


def _enqueue(store: ProductStore, queue: Queue, settings: QueueSettings, skus: list[str]) -> str:
    with store.redis.pipeline(transaction=True) as pipe:
        job_id = enqueue_tagging(queue, pipe, skus, settings)
        pipe.execute()
    return job_id


def retag_catalog() -> int:
    """RQ job: queue the re-tagging of the catalog with this worker's taxonomy version."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("retag_catalog runs inside an RQ job")
    settings = QueueSettings.from_env()
    version = load_tagger().version
    plan = queue_retag(
        ProductStore(job.connection), tagging_queue(job.connection, settings), settings, version
    )
    log.info(
        "re-tagging %d product(s) with taxonomy %s in %d job(s)", plan.products, version, len(plan.job_ids)
    )
    return plan.products
