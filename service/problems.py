"""RFC 9457 problem+json for every error: one handler, views never repeat try/except."""

from __future__ import annotations

import http
import logging
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, json, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from catalog import InvalidCursor
from schemas.problem import ProblemSchema

log = logging.getLogger(__name__)
PROBLEM_TYPE = "https://neurotag.dev/problems/"
MEDIA_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": PROBLEM_TYPE + _slug(title), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)


def _slug(title: str) -> str:
    return "-".join(title.lower().replace("'", "").split())


def _flatten(messages: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(dotted field path, message) pairs from marshmallow's nested error dict."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield ".".join(path), message
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            yield from _flatten(value, (*path, str(index)))
    else:
        yield ".".join(path), str(messages)


def validation_errors(messages: Any) -> list[dict[str, str]]:
    """webargs messages ({location: {field: [msg]}}) as a list of {field, location, detail}."""
    errors = []
    for dotted, message in _flatten(messages):
        location, _, field = dotted.partition(".")
        if location not in ("json", "query", "path", "form", "headers"):
            location, field = "json", dotted
        if location == "query":
            field = re.sub(r"(\.\d+)+$", "", field)  # "tag.1" → "tag": the parameter, as it was sent
        errors.append({"field": field or "body", "location": location, "detail": message})
    return errors


class ProblemApi(Api):
    """flask-smorest's Api, answering errors as problem+json — and documenting them so."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        # flask-smorest documents its own error payload as application/json; ours is RFC 9457.
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default: dict[str, Any] = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_problem(error)


def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        errors = validation_errors(messages)
        if any(e["location"] == "query" for e in errors):
            status = 400  # a bad query parameter is a bad request, not an unprocessable entity
        names = ", ".join(dict.fromkeys(e["field"] for e in errors))
        title = "Invalid request" if status == 400 else "Unprocessable content"
        return problem(status, title, f"Invalid field(s): {names}", errors=errors)
    detail = data.get("message") or error.description
    response = problem(status, error.name, detail)
    # Keep what the exception says besides its body: Allow on a 405, WWW-Authenticate on a 401.
    for header, value in [*error.get_headers(), *(data.get("headers") or {}).items()]:
        if header.lower() != "content-type":
            response.headers[header] = value
    return response


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        return http_problem(error)

    @app.errorhandler(InvalidCursor)
    def _cursor(error: InvalidCursor) -> Response:
        return problem(
            400,
            "Invalid request",
            str(error),
            errors=[{"field": "cursor", "location": "query", "detail": str(error)}],
        )

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def _redis_down(error: Exception) -> Response:
        log.error("redis unavailable: %s", error)
        response = http_problem(ServiceUnavailable("The catalog store is unavailable; retry shortly."))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        return http_problem(InternalServerError())
