"""RQ job functions: top-level, taking SKUs (never live objects), so any worker process can run them."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from redis import Redis
from rq import get_current_job
from rq.job import Job

from catalog import ProductStore
from tagging import load_tagger
from workers.tagging import tag_chunk

log = logging.getLogger(__name__)


def tag_products(skus: list[str]) -> dict[str, int]:
    """Tag the given products and commit the results (the job RQ runs)."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("tag_products runs inside an RQ job")
    return tag_chunk(ProductStore(job.connection), load_tagger(), skus)


def on_tagging_failure(
    job: Job, connection: Redis, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> Any:
    """After the last retry, products still pending become failed with the reason: never pending forever."""
    store = ProductStore(connection)
    store.count_failed_job()
    if job.retries_left:
        return None
    skus = list(job.args[0]) if job.args else []
    failed = store.mark_failed(skus, f"{exc_type.__name__}: {exc}")
    log.warning("job %s gave up after retries; %d product(s) marked failed", job.id, failed)
    return None
