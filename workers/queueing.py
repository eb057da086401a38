"""Queueing tagging work: the queue, the retry policy, and jobs enqueued inside the caller's transaction."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis
from redis.client import Pipeline
from rq import Callback, Queue, Retry


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """Queue name, retry back-off and job timeout, from the environment."""

    name: str = "neurotag"
    retry_intervals: tuple[int, ...] = (2, 10, 30)
    job_timeout: int = 300

    @classmethod
    def from_env(cls) -> QueueSettings:
        intervals = os.environ.get("NEUROTAG_RETRY_INTERVALS", "2,10,30")
        return cls(
            name=os.environ.get("NEUROTAG_QUEUE", "neurotag"),
            retry_intervals=tuple(int(i) for i in intervals.split(",") if i.strip()),
            job_timeout=int(os.environ.get("NEUROTAG_JOB_TIMEOUT", "300")),
        )


def tagging_queue(redis: Redis, settings: QueueSettings | None = None, *, is_async: bool = True) -> Queue:
    return Queue((settings or QueueSettings.from_env()).name, connection=redis, is_async=is_async)


def enqueue_tagging(
    queue: Queue, pipe: Pipeline, skus: Sequence[str], settings: QueueSettings | None = None
) -> str:
    """Queue one job tagging skus on pipe (executed by the caller with its own writes); returns the job id."""
    settings = settings or QueueSettings.from_env()
    job_id = f"tag-{uuid.uuid4().hex}"
    retry = (
        Retry(max=len(settings.retry_intervals), interval=list(settings.retry_intervals))
        if settings.retry_intervals
        else None
    )
    data = Queue.prepare_data(
        "workers.jobs.tag_products",
        args=(list(skus),),
        job_id=job_id,
        timeout=settings.job_timeout,
        retry=retry,
        on_failure=Callback("workers.jobs.on_tagging_failure"),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        description=f"tag {len(skus)} product(s)",
    )
    queue.enqueue_many([data], pipeline=pipe)
    return job_id
