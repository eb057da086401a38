"""Headers storefront browsers need from the read API: CORS for the configured origins, Cache-Control."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

_READ = ("GET", "HEAD")
_PREFLIGHT_MAX_AGE = "600"  # seconds a browser may reuse a preflight answer


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    if not request.path.startswith("/v1/"):
        return response
    if request.method in _READ and response.status_code in (200, 304):
        response.headers.setdefault("Cache-Control", current_app.config["CACHE_CONTROL"])
    elif request.method in _READ:
        response.headers.setdefault("Cache-Control", "no-store")  # errors are not worth keeping
    _cors(response)
    return response


def _cors(response: Response) -> None:
    """Only reads are cross-origin: a storefront's browser reads; writes come from the retailer's servers."""
    allowed: tuple[str, ...] = current_app.config["CORS_ORIGINS"]
    if not allowed:
        return
    if "*" not in allowed:
        response.vary.add("Origin")  # the answer differs per Origin: caches must keep them apart
    origin = request.headers.get("Origin")
    if origin is None or not ("*" in allowed or origin.rstrip("/") in allowed):
        return
    preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
    if not preflight and request.method not in _READ:
        return
    response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
    response.headers["Access-Control-Expose-Headers"] = "ETag, X-Request-ID"
    if preflight:
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, Accept, Authorization, X-API-Key"
        response.headers["Access-Control-Max-Age"] = _PREFLIGHT_MAX_AGE
