"""Running one RQ worker process on the tagging queue, with the engine loaded before the first job."""

from __future__ import annotations

import logging

from redis import Redis

from tagging import load_tagger
from workers.liveness import LeasedWorker, Liveness
from workers.queueing import QueueSettings, tagging_queue

log = logging.getLogger(__name__)


def run_worker(redis_url: str, *, burst: bool = False, name: str | None = None) -> bool:
    """Work the tagging queue until stopped (SIGTERM: finish the current job, then exit)."""
    tagger = load_tagger()  # loaded once here; forked job processes inherit it
    log.info("taxonomy %s loaded: %d tags", tagger.version, len(tagger.taxonomy.tag_ids))
    redis = Redis.from_url(redis_url, health_check_interval=30)
    queue = tagging_queue(redis, QueueSettings.from_env())
    liveness = Liveness.from_env()
    # A short job lease: a chunk abandoned by a killed worker is re-queued in seconds (workers/liveness.py).
    worker = LeasedWorker(
        [queue], connection=redis, name=name, lease=liveness.lease, **liveness.worker_options()
    )
    # The scheduler moves retried jobs back to the queue when their back-off interval ends.
    return worker.work(
        burst=burst, with_scheduler=True, logging_level=logging.getLevelName(log.getEffectiveLevel())
    )
