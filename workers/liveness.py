"""Prompt recovery from dead workers: an RQ worker whose started jobs lapse after a short lease.

RQ 3 finds a job abandoned by a dead worker (kill -9, OOM, a lost container) when its entry in the
StartedJobRegistry expires; registry maintenance then fails it and, with retries left, re-queues it.
RQ sets that expiry to the heartbeat interval + 60 s and runs maintenance every 10 minutes, and an idle
worker blocks on the queue for worker_ttl - 15 s (405 s): a killed worker's chunk would wait minutes.
Here a busy worker heartbeats every `heartbeat` seconds, a started job lapses `lease` seconds after the
last heartbeat, and every worker runs maintenance (and wakes from an empty queue) every `maintenance`
seconds, so an abandoned chunk is re-queued within about lease + maintenance seconds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, Worker
from rq.job import Job

from catalog import ProductStore
from workers.queueing import QueueSettings
from workers.sweeper import sweep_once

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Liveness:
    """Heartbeat interval, job lease and maintenance interval (seconds), from the environment."""

    heartbeat: int = 5
    lease: int = 30
    maintenance: int = 15

    @classmethod
    def from_env(cls) -> Liveness:
        heartbeat = int(os.environ.get("NEUROTAG_HEARTBEAT_SECONDS", "5"))
        lease = int(os.environ.get("NEUROTAG_JOB_LEASE", "30"))
        maintenance = int(os.environ.get("NEUROTAG_MAINTENANCE_SECONDS", "15"))
        if lease < 2 * heartbeat:
            raise ValueError(
                f"NEUROTAG_JOB_LEASE ({lease}) must be at least twice the heartbeat ({heartbeat})"
            )
        return cls(heartbeat, lease, maintenance)

    def worker_options(self) -> dict[str, Any]:
        return {
            "job_monitoring_interval": self.heartbeat,
            "maintenance_interval": self.maintenance,
            # RQ blocks on an empty queue for worker_ttl - 15 s, and runs maintenance only when awake.
            "worker_ttl": self.maintenance + 15,
        }


class LeasedWorker(Worker):
    """A forking RQ worker whose started jobs expire `lease` seconds after its last heartbeat."""

    def __init__(self, *args: Any, lease: int = 30, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lease = lease

    def execute_job(self, job: Job, queue: Queue) -> None:
        """RQ quits the whole worker when Redis vanishes while a job runs (and can hang joining its pubsub
        thread). Instead: stop the work-horse, wait for Redis, go on; the job is re-queued when its lease
        lapses, so nothing is lost."""
        try:
            super().execute_job(job, queue)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self.log.warning("Redis lost while job %s ran (%s); waiting for it", job.id, exc)
            # Not kill_horse(): with no horse (pid 0) it would signal this worker's own process group.
            if self.horse_pid > 0:
                with contextlib.suppress(OSError):
                    os.kill(self.horse_pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    os.waitpid(self.horse_pid, 0)
            wait_for_redis(self.connection)

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> tuple[Job, Queue] | None:
        # RQ quits (and may hang in its teardown) when Redis drops between jobs; wait for it instead.
        while True:
            try:
                return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
            except (RedisConnectionError, RedisTimeoutError) as exc:
                self.log.warning("Redis lost while waiting for work (%s)", exc)
                wait_for_redis(self.connection)

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        try:
            super().heartbeat(timeout, pipeline)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self.log.warning("Redis lost at a heartbeat (%s)", exc)
            wait_for_redis(self.connection)

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        try:  # a product left pending by a lost job is queued again; a sweep never takes the worker down
            interval = float(getattr(self, "maintenance_interval", 600))
            sweep_once(ProductStore(self.connection), self.queues[0], QueueSettings.from_env(), interval)
        except Exception:
            self.log.exception("sweeping orphaned pending products failed")

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        # RQ's own is min(time left, interval) + 60; the lease replaces the fixed minute.
        return self.lease


def redis_is_up(redis: Redis) -> bool:
    try:
        return bool(redis.ping())
    except (RedisConnectionError, RedisTimeoutError):
        return False


def wait_for_redis(redis: Redis, longest: float = 10.0) -> None:
    """Block until Redis answers, backing off up to `longest` seconds between tries."""
    delay = 0.5
    while not redis_is_up(redis):
        log.warning("waiting %.1fs for Redis to come back", delay)
        time.sleep(delay)
        delay = min(longest, delay * 2)
    log.info("Redis is back")
