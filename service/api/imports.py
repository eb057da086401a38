"""Bulk catalog imports: POST a whole catalog (streamed), follow it, page its row errors, cancel it."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from werkzeug.exceptions import Conflict, LengthRequired, NotFound, UnsupportedMediaType

from catalog.imports import CANCELLED, FAILED, ImportRecord, ImportStore
from schemas.imports import (
    ErrorsPageSchema,
    ErrorsQuerySchema,
    ImportListQuerySchema,
    ImportListSchema,
    ImportProblemSchema,
    ImportQuerySchema,
    ImportSchema,
)
from service.columns import parse_mapping
from service.errors import BodyError, ImportFailed, MappingError, ServiceError
from service.extensions import services
from service.formats import Format, format_for
from service.importer import ImportOptions, run_import
from service.problems import MEDIA_TYPE, problem
from service.sources import Source

blp = Blueprint("imports", __name__, url_prefix="/v1/imports", description="Bulk catalog imports.")
_BODY = {
    "required": True,
    "content": {
        # Any array: each element is validated as a ProductIn on its own, and a bad one is reported by
        # its row number while the others are imported, so no element can make the body invalid.
        "application/json": {
            "schema": {
                "type": "array",
                "items": {"description": "A product (schema ProductIn); a bad one is a rejected row."},
            }
        },
        "application/x-ndjson": {"schema": {"type": "string", "description": "One product JSON per line."}},
        "text/csv": {"schema": {"type": "string", "description": "Our field names, Shopify's, or mapped."}},
    },
}


def _errors(*statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Document problem+json answers with flask-smorest's per-status responses."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        for status in statuses:
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorate


def _import_errors(*statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Problems that may name the import the body failed in."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        for status in statuses:
            view = blp.alt_response(
                status,
                schema=ImportProblemSchema,
                content_type=MEDIA_TYPE,
                description=HTTPStatus(status).phrase,
            )(view)
        return view

    return decorate


@blp.route("")
class Imports(MethodView):
    @blp.arguments(ImportListQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ImportListSchema)
    def get(self, limit: int) -> Any:
        """The most recent imports, newest first (row errors are on each import's own page)."""
        return {"items": [_payload(record) for record in _store().recent(limit)]}

    @blp.arguments(ImportQuerySchema, location="query", as_kwargs=True)
    @blp.response(202, ImportSchema, description="Read to the end; products are being tagged.")
    @_errors(411, 415)
    @_import_errors(400, 413, 422)
    @blp.doc(requestBody=_BODY)
    def post(self, mapping: list[str]) -> Any:
        """Import a catalog: a JSON array, JSON lines or CSV, read as it arrives. Bad rows are reported by
        row number and the good ones proceed; follow the import at the `Location` it answers with."""
        config = current_app.config
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        if chunked and "wsgi.input_terminated" not in request.environ:
            # WSGI gives no way to read a body of unknown length the server does not end (werkzeug would
            # hand us an empty stream): refuse rather than import nothing.
            raise LengthRequired("Send a Content-Length, or use a server that ends chunked bodies.")
        request.max_content_length = config["IMPORT_MAX_BYTES"]
        options = ImportOptions(chunk=config["IMPORT_CHUNK"], lease=config["IMPORT_LEASE"])
        record = run_import(services(), request.stream, _source(mapping), options)
        if record.status == CANCELLED:
            _drain()
        elif record.status == FAILED:
            raise ImportFailed(record.id, BodyError(record.error or "The import failed while it was read."))
        return _payload(record), 202, {"Location": url_for("imports.Import", import_id=record.id)}


@blp.route("/<string:import_id>")
class Import(MethodView):
    @blp.response(200, ImportSchema)
    @_errors(404)
    def get(self, import_id: str) -> Any:
        """Status, counts, rate, ETA and the first row errors of an import."""
        return _payload(_find(import_id))

    @blp.response(200, ImportSchema)
    @_errors(404, 409)
    def delete(self, import_id: str) -> Any:
        """Cancel: no more rows are read, and products not tagged yet fail with the reason."""
        status = _store().cancel(import_id)
        if status is None:
            raise NotFound(f"No import {import_id!r}.")
        if status != CANCELLED:
            raise Conflict(
                f"Import {import_id} is {status}: only a queued or running import can be cancelled."
            )
        return _payload(_find(import_id))


@blp.route("/<string:import_id>/errors")
class ImportErrors(MethodView):
    @blp.arguments(ErrorsQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ErrorsPageSchema)
    @_errors(404)
    def get(self, import_id: str, offset: int, limit: int) -> Any:
        """Every rejected row, in row order, a page at a time."""
        _find(import_id)
        items, total = _store().errors(import_id, offset, limit)
        after = offset + len(items)
        return {"items": items, "total": total, "next_offset": after if after < total else None}


@blp.errorhandler(ServiceError)
def _service_error(error: ServiceError) -> Response:
    if not isinstance(error, ImportFailed):
        return problem(error.status, error.title, error.detail)
    if error.status != 413:
        _drain()
    location = url_for("imports.Import", import_id=error.import_id)
    response = problem(
        error.status, error.title, error.detail, import_id=error.import_id, import_url=location
    )
    response.headers["Location"] = location
    return response


def _source(mapping: list[str]) -> Source:
    fmt = format_for(request.mimetype)
    if fmt is None:
        raise UnsupportedMediaType(
            "Send application/json (an array), application/x-ndjson (JSON lines) or text/csv."
        )
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        utf8 = codecs.lookup(charset).name == "utf-8"
    except LookupError:
        raise UnsupportedMediaType(f"Unknown charset {charset!r}.") from None
    if fmt is not Format.CSV and not utf8:
        raise UnsupportedMediaType("JSON bodies must be UTF-8.")
    if mapping and fmt is not Format.CSV:
        abort(400, messages={"query": {"map": ["A column mapping applies to CSV bodies only."]}})
    try:
        return Source(fmt, charset, parse_mapping(mapping) or None)
    except MappingError as exc:
        abort(400, messages={"query": {"map": [exc.detail]}})
        raise  # unreachable: abort raises


def _drain() -> None:
    """Read what is left of the body, so that a client still sending it receives the answer."""
    try:
        while request.stream.read(1 << 16):
            pass
    except Exception:  # the client went away, or the body is over its limit: nothing left to drain
        return


def _store() -> ImportStore:
    s = services()
    return ImportStore(s.redis, s.store.keys)


def _find(import_id: str) -> ImportRecord:
    record = _store().get(import_id)
    if record is None:
        raise NotFound(f"No import {import_id!r}.")
    return record


def _when(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def _payload(record: ImportRecord) -> dict[str, Any]:
    accepted = record.counts["accepted"]
    return {
        "id": record.id,
        "status": record.status,
        "format": record.format,
        "receiving": record.receiving,
        "bytes": record.bytes,
        "counts": record.counts,
        "progress": round(record.done / accepted, 4) if accepted else (0.0 if record.receiving else 1.0),
        "rate": round(rate, 1) if (rate := record.rate()) else None,
        "eta_seconds": round(eta, 1) if (eta := record.eta_seconds()) is not None else None,
        "created_at": _when(record.created_at),
        "updated_at": _when(record.updated_at),
        "received_at": _when(record.received_at),
        "completed_at": _when(record.settled_at),
        "error": record.error,
        "columns": record.columns,
        "errors": record.first_errors,
        "errors_total": record.errors_total,
    }
