"""The app's shared clients (Redis, tagger, queue, stores), kept in app.extensions as Flask recommends."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from redis import Redis
from rq import Queue

from catalog import Keys, ProductStore, TagIndex
from catalog.search import CatalogSearch
from service.page_cache import PageCache
from tagging import Tagger, load_tagger
from workers import QueueSettings, tagging_queue

EXTENSION = "neurotag"


@dataclass(frozen=True, slots=True)
class Services:
    redis: Redis
    tagger: Tagger
    queue_settings: QueueSettings
    queue: Queue
    store: ProductStore
    index: TagIndex
    search: CatalogSearch
    pages: PageCache
    product_json: PageCache


def init_app(app: Flask, redis: Redis | None = None) -> Services:
    client = redis or Redis.from_url(
        app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2, health_check_interval=30
    )
    tagger = load_tagger()
    keys = Keys.from_env()
    settings = QueueSettings.from_env()
    services = Services(
        redis=client,
        tagger=tagger,
        queue_settings=settings,
        queue=tagging_queue(client, settings, is_async=app.config.get("RQ_ASYNC", True)),
        store=ProductStore(client, keys),
        index=TagIndex(client, tagger.taxonomy.tag_ids, keys),
        search=CatalogSearch(client, [(g.id, [t.id for t in g.tags]) for g in tagger.taxonomy.groups], keys),
        pages=PageCache(int(app.config.get("PAGE_CACHE_MB", 32) * 1024 * 1024)),
        product_json=PageCache(int(app.config.get("PRODUCT_CACHE_MB", 64) * 1024 * 1024)),
    )
    app.extensions[EXTENSION] = services
    return services


def services() -> Services:
    """The current app's services."""
    found: Services = current_app.extensions[EXTENSION]
    return found
