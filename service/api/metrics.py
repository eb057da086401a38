"""/metrics in Prometheus text format: HTTP traffic from this API, and the catalog and workers from Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from catalog.products import TAGGING_BUCKETS
from service.extensions import Services, services

blp = Blueprint("metrics", __name__)


class CatalogCollector(Collector):
    """Queue depth, products by status and the workers' counters, read from Redis at scrape time (so they
    cover every worker process and API replica)."""

    def __init__(self, s: Services) -> None:
        self.s = s

    def collect(self) -> Iterator[Metric]:
        queue = GaugeMetricFamily("neurotag_queue_depth", "Tagging jobs waiting in the queue")
        queue.add_metric([], self.s.queue.count)
        yield queue
        products = GaugeMetricFamily("neurotag_products", "Products by tagging status", labels=["status"])
        for status, count in self.s.store.count_by_status().items():
            products.add_metric([status], count)
        yield products
        stats = self.s.store.stats()
        jobs = CounterMetricFamily("neurotag_jobs", "Tagging jobs by outcome", labels=["outcome"])
        jobs.add_metric(["done"], stats.get("jobs_done", 0))
        jobs.add_metric(["failed"], stats.get("jobs_failed", 0))
        yield jobs
        tagged = CounterMetricFamily(
            "neurotag_products_tagged", "Products tagged by the workers", labels=["outcome"]
        )
        tagged.add_metric(["tagged"], stats.get("products_tagged", 0))
        tagged.add_metric(["failed"], stats.get("products_failed", 0))
        yield tagged
        latency = HistogramMetricFamily("neurotag_tagging_seconds_per_product", "Engine time per product")
        buckets = [(str(b), stats.get(f"tagging_le_{b}", 0.0)) for b in TAGGING_BUCKETS]
        observed = stats.get("tagging_count", 0.0)
        latency.add_metric([], [*buckets, ("+Inf", observed)], sum_value=stats.get("tagging_seconds_sum", 0))
        yield latency


@blp.get("/metrics")
def metrics() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # every gunicorn worker's HTTP counters
    else:
        registry = CollectorRegistry()
        for collector in list(REGISTRY._collector_to_names):  # this process's HTTP counters
            registry.register(collector)
    registry.register(CatalogCollector(services()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
