"""Background tagging: RQ jobs that tag products in chunks and write results atomically."""

from __future__ import annotations

from workers.jobs import tag_products
from workers.queueing import QueueSettings, enqueue_tagging, tagging_queue

__all__ = ["QueueSettings", "enqueue_tagging", "tag_products", "tagging_queue"]
