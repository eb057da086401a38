"""Reading product files (JSON array or JSON lines) and importing the seed catalog on first start."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from catalog.imports import ImportRecord, ImportStore
from service.errors import BodyError, ImportFailed
from service.extensions import Services
from service.formats import MeteredStream, buffered
from service.importer import ImportOptions, run_import
from service.sources import Source, product_rows


def read_products(stream: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """(row number, parsed object) for a JSON array or JSON lines, read incrementally; a row that does not
    parse is yielded as a ValueError so the caller can report it by row (and so is a body that breaks)."""
    number = 0
    try:
        for row in product_rows(buffered(MeteredStream(stream)), Source()):
            number = row.number
            yield number, ValueError(row.error) if row.error is not None else row.data
    except BodyError as exc:
        yield number + 1, ValueError(exc.detail)


def open_input(path: str) -> IO[bytes]:
    return sys.stdin.buffer if path == "-" else Path(path).open("rb")


def import_products(services: Services, stream: IO[bytes]) -> ImportRecord:
    """Import a JSON array or JSON lines file through the same path as POST /v1/imports."""
    try:
        return run_import(services, stream, Source(), ImportOptions())
    except ImportFailed as exc:
        record = ImportStore(services.redis, services.store.keys).get(exc.import_id)
        assert record is not None
        return record


def seed_once(services: Services, path: Path) -> ImportRecord | None:
    """Import the seed catalog the first time this Redis is used; None when it was seeded before."""
    if not services.redis.set(services.store.keys.seeded, "1", nx=True):
        return None
    with path.open("rb") as stream:
        return import_products(services, stream)
