"""Rate limits per API key (per client address without one), counted in the same Redis as the catalog."""

from __future__ import annotations

from flask import Flask, g, request
from flask_limiter import Limiter


def storage_uri(redis_url: str) -> str:
    """limits' URI for our REDIS_URL ("unix://path?db=0" → "redis+unix://path?db=0")."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


def rate_key() -> str:
    principal = g.get("principal")
    return f"key:{principal.key_id}" if principal else f"addr:{request.remote_addr}"


def init_app(app: Flask, limit: str, redis_url: str) -> Limiter | None:
    """Apply `limit` (e.g. "6000 per minute"; "off" disables) to every request but the probes;
    over it: 429 problem+json with Retry-After. Storage errors let requests through: a Redis outage is
    answered by the endpoints themselves (503)."""
    if limit.strip().lower() in ("", "off", "none", "0"):
        return None
    limiter = Limiter(
        key_func=rate_key,
        app=app,
        default_limits=[limit],
        storage_uri="memory://" if app.testing else storage_uri(redis_url),
        headers_enabled=True,
        swallow_errors=True,
        key_prefix="nt-ratelimit",
        strategy="fixed-window",
    )
    for endpoint in ("health.healthz", "health.readyz", "metrics.metrics"):
        view = app.view_functions.get(endpoint)
        if view is not None:
            limiter.exempt(view)
    return limiter
