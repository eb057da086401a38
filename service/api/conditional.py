"""Conditional GETs: ETags derived from the catalog version, 304 for If-None-Match, cached list pages."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Response, g, request

from service.extensions import services

View = Callable[..., Any]


def entity_tag(version: int) -> str:
    """Catalog version plus the taxonomy version (labels appear in every answer), unquoted."""
    return f"c{version}-{_short(services().tagger.version)}"


@functools.lru_cache(maxsize=8)
def _short(taxonomy_version: str) -> str:
    return hashlib.sha1(taxonomy_version.encode()).hexdigest()[:8]


def _answer(body: bytes | None, etag: str, response: Response | None = None) -> Response:
    """304 when the client holds this version already, else the body with its ETag."""
    if request.if_none_match.contains_weak(etag):
        not_modified = Response(status=304)
        not_modified.set_etag(etag)
        return not_modified
    if response is None:
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    return response


def versioned(view: View) -> View:
    """ETag and 304 for a read whose answer changes only with the catalog.

    The version is read before the data: a change in between labels new data with the older tag, which
    costs the client one more full answer later but never serves it a stale 304."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        etag = entity_tag(services().search.version())
        if request.if_none_match.contains_weak(etag):
            return _answer(None, etag)
        response = view(*args, **kwargs)
        if isinstance(response, Response) and response.status_code == 200:
            return _answer(None, etag, response)
        return response

    return wrapper


def cached_page(view: View) -> View:
    """versioned, plus a per-process cache of whole answers keyed by ETag and query string.

    A hit skips parsing, the search and serialisation: one GET of the catalog version. Only answers the
    view produced (so only valid queries) are cached. The view sets g.catalog_version to the version its
    data was read at, which names the answer exactly."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        s = services()
        query = urlencode(sorted(request.args.items(multi=True)))
        etag = entity_tag(s.search.version())
        body = s.pages.get((etag, query))
        if body is not None:
            return _answer(body, etag)
        response = view(*args, **kwargs)
        if not isinstance(response, Response) or response.status_code != 200:
            return response
        etag = entity_tag(g.pop("catalog_version"))
        s.pages.put((etag, query), response.get_data())
        return _answer(None, etag, response)

    return wrapper
