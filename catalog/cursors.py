"""Opaque pagination cursors: where the last page ended, in the order the query was sorted by."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from catalog.errors import InvalidCursor

SORTS = ("oldest", "newest", "relevance", "title")
_INVALID = "cursor is not one this service issued for this sort"


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> dict[str, Any]:
    """The position a cursor holds, checked against the sort it must have been issued for."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor(_INVALID) from exc
    if not isinstance(position, dict):
        raise InvalidCursor(_INVALID)
    position.setdefault("sort", "oldest")  # cursors from before sorting existed: {"after": id}
    if position["sort"] != sort or not _well_formed(position):
        raise InvalidCursor(_INVALID)
    return position


def _well_formed(position: dict[str, Any]) -> bool:
    def natural(name: str) -> bool:
        value = position.get(name)
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53

    sort = position["sort"]
    if sort == "oldest":
        return natural("after")
    if sort == "newest":
        return natural("before")
    if sort == "relevance":
        return natural("r") and natural("id")
    key = position.get("k")
    return sort == "title" and isinstance(key, str) and 0 < len(key) <= 200
