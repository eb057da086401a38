"""Running one RQ worker process on the tagging queue, with the engine loaded before the first job."""

from __future__ import annotations

import logging
import time

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tagging import load_tagger
from workers.liveness import LeasedWorker, Liveness, wait_for_redis
from workers.queueing import QueueSettings, tagging_queue

log = logging.getLogger(__name__)


def run_worker(redis_url: str, *, burst: bool = False, name: str | None = None) -> bool:
    """Work the tagging queue until stopped (SIGTERM: finish the current job, then exit). RQ's worker quits
    when Redis vanishes mid-job; this one waits for Redis to come back and starts working again, and the
    job it was running is re-queued once its lease lapses."""
    tagger = load_tagger()  # loaded once here; forked job processes inherit it
    log.info("taxonomy %s loaded: %d tags", tagger.version, len(tagger.taxonomy.tag_ids))
    redis = Redis.from_url(redis_url, health_check_interval=30)
    queue = tagging_queue(redis, QueueSettings.from_env())
    liveness = Liveness.from_env()
    while True:
        # A short job lease: a chunk abandoned by a dead worker is re-queued in seconds (workers/liveness.py).
        worker = LeasedWorker(
            [queue], connection=redis, name=name, lease=liveness.lease, **liveness.worker_options()
        )
        try:
            # The scheduler moves retried jobs back to the queue when their back-off interval ends.
            worked = worker.work(
                burst=burst, with_scheduler=True, logging_level=logging.getLevelName(log.getEffectiveLevel())
            )
        except (RedisConnectionError, RedisTimeoutError) as exc:
            log.warning("worker stopped: Redis unreachable (%s)", exc)
            worked = False
        # A stop request (SIGTERM, SIGINT, `rq shutdown`) to an idle worker ends RQ's loop with only the
        # shutdown date set; a busy one sets _stop_requested. Either way, stop.
        if burst or worker._stop_requested or worker._shutdown_requested_date is not None:
            return bool(worked)
        # RQ's loop ends by itself only on an error it does not handle, which here means Redis went away;
        # Redis may be back already (a quick restart), so asking it now would not tell. Start over.
        log.warning("worker loop ended without a stop request; starting again once Redis answers")
        time.sleep(1)  # never a hot loop, whatever ended it
        wait_for_redis(redis)
