"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from redis import Redis
from werkzeug.exceptions import UnsupportedMediaType

from service import auth, browser_headers, observability, problems, ratelimit, storefront
from service.api import admin, docs, health, imports, metrics, preview, products, taxonomy
from service.auth import KeyStore
from service.config import Settings
from service.extensions import init_app


def create_app(config: dict[str, Any] | None = None, *, redis: Redis | None = None) -> Flask:
    """Build the app; config overrides settings from the environment, redis overrides REDIS_URL."""
    settings = Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        REDIS_URL=settings.redis_url,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        IMPORT_MAX_BYTES=settings.import_max_bytes,  # POST /v1/imports only: it streams its body
        IMPORT_CHUNK=settings.import_chunk,
        IMPORT_LEASE=settings.import_lease,
        API_TITLE="NeuroTag",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
        CORS_ORIGINS=settings.cors_origins,
        CACHE_CONTROL=settings.cache_control,
        PAGE_CACHE_MB=settings.page_cache_mb,
        PRODUCT_CACHE_MB=settings.product_cache_mb,
        API_KEYS=settings.api_keys,
        PUBLIC_READ=settings.public_read,
        RATE_LIMIT=settings.rate_limit,
    )
    app.config.update(config or {})
    app.json.sort_keys = False  # type: ignore[attr-defined]
    observability.configure_logging(settings.log_level)
    observability.init_app(app)  # first: every later hook and handler can log with the request id

    services = init_app(app, redis)
    # Who may call what, before any view runs (and before a body is parsed).
    auth.init_app(
        app, KeyStore(services.redis, app.config["API_KEYS"]), public_read=app.config["PUBLIC_READ"]
    )
    api = problems.ProblemApi(
        app, spec_kwargs={"info": {"description": "Neurocosmetic and anti-aging product tags."}}
    )
    for blueprint in (products.blp, taxonomy.blp, preview.blp, admin.blp, imports.blp):
        api.register_blueprint(blueprint)
    app.register_blueprint(health.blp)
    app.register_blueprint(metrics.blp)
    app.register_blueprint(docs.blp)
    app.register_blueprint(storefront.blp)
    ratelimit.init_app(
        app, app.config["RATE_LIMIT"], app.config["REDIS_URL"]
    )  # after auth: limits are per key
    problems.register(app)
    browser_headers.init_app(app)
    app.before_request(_require_json_body)
    return app


def _require_json_body() -> Response | None:
    """A body sent to a JSON endpoint must say it is JSON: 415 rather than a confusing 422."""
    if request.blueprint == imports.blp.name:
        return None  # imports take JSON, JSON lines or CSV and check the media type themselves
    if request.method in ("POST", "PUT", "PATCH") and request.content_length and not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")
    return None
