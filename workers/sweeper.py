"""The last guard of "never pending forever": products still pending long after their job ended (or
vanished) are queued again. Workers run it in their maintenance, one at a time."""

from __future__ import annotations

import logging
import os
import time

from rq import Queue
from rq.job import Job, JobStatus

from catalog import ProductStore
from workers.queueing import QueueSettings, enqueue_tagging

log = logging.getLogger(__name__)
LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
CHUNK = 200


def stale_after() -> float:
    """NEUROTAG_PENDING_TIMEOUT: seconds a product may wait before its job is checked (default 600)."""
    return float(os.environ.get("NEUROTAG_PENDING_TIMEOUT", "600"))


def requeue_orphans(store: ProductStore, queue: Queue, settings: QueueSettings, older_than: float) -> int:
    """Queue again the products pending since before `older_than` whose job is gone or over; returns how
    many. A product whose job is still queued, running or scheduled for a retry is left to it."""
    orphans: list[str] = []
    for product in store.get_many(store.pending_skus(older_than)):
        if product is None or product.status != "pending":
            continue
        try:
            status = (
                Job.fetch(product.job_id, connection=store.redis).get_status() if product.job_id else None
            )
        except Exception:  # a job that expired, vanished or cannot be read is as good as gone
            status = None
        if status not in LIVE:
            orphans.append(product.sku)
    for start in range(0, len(orphans), CHUNK):
        skus = orphans[start : start + CHUNK]
        with store.redis.pipeline(transaction=True) as pipe:
            job_id = enqueue_tagging(queue, pipe, skus, settings)
            for sku in skus:  # the new job, and a fresh wait before the next check
                pipe.hset(store.keys.product(sku), "job_id", job_id)
                pipe.zadd(store.keys.pending, {sku: time.time()})
            pipe.execute()
    if orphans:
        log.warning("re-queued %d product(s) whose tagging job had ended without them", len(orphans))
    return len(orphans)


def sweep_once(store: ProductStore, queue: Queue, settings: QueueSettings, every: float) -> int:
    """Run requeue_orphans if no other worker did within `every` seconds (a Redis lock decides)."""
    if not store.redis.set(store.keys.sweep_lock, "1", nx=True, ex=max(1, int(every))):
        return 0
    return requeue_orphans(store, queue, settings, time.time() - stale_after())
