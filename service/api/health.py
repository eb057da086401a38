"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from rq import Worker

from service.extensions import services
from service.problems import problem

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The process is up."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Ready when Redis answers and at least one worker is alive; 503 problem+json otherwise."""
    s = services()
    checks: dict[str, Any] = {}
    try:
        s.redis.ping()
        checks["redis"] = "ok"
        workers = Worker.count(connection=s.redis, queue=s.queue)
        checks["workers"] = workers
    except Exception as exc:  # any Redis failure means not ready
        checks["redis"] = f"unavailable: {type(exc).__name__}"
        workers = 0
    if checks.get("redis") == "ok" and workers > 0:
        return jsonify(status="ready", checks=checks)
    detail = "Redis is unreachable." if checks.get("redis") != "ok" else "No tagging worker is alive."
    return problem(503, "Not ready", detail, checks=checks)
