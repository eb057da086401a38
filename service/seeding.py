"""Reading product files (JSON array or JSON lines) and importing the seed catalog on first start."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from marshmallow import ValidationError

from schemas.product import ProductInSchema
from service.extensions import Services
from service.intake import accept_products

CHUNK = 200


def read_products(stream: IO[str]) -> Iterator[tuple[int, Any]]:
    """(row number, parsed object) for a JSON array or JSON lines; rows that do not parse are yielded as
    a ValueError so the caller can report them by row."""
    head = stream.read(1)
    while head and head.isspace():
        head = stream.read(1)
    if head == "[":
        items = json.loads(head + stream.read())
        yield from enumerate(items, start=1)
        return
    first = True
    for number, line in enumerate(stream, start=1):
        text = (head + line) if first else line
        first = False
        if not text.strip():
            continue
        try:
            yield number, json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, ValueError(f"not valid JSON: {exc.msg}")


def open_input(path: str) -> IO[str]:
    return sys.stdin if path == "-" else Path(path).open(encoding="utf-8")


@dataclass
class ImportReport:
    accepted: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def import_products(services: Services, stream: IO[str]) -> ImportReport:
    """Validate every row, accept the good ones in chunks, report the bad ones by row number."""
    schema = ProductInSchema()
    report = ImportReport()
    batch: list[dict[str, Any]] = []
    for number, raw in read_products(stream):
        if isinstance(raw, ValueError):
            report.rejected.append({"row": number, "errors": {"_row": [str(raw)]}})
            continue
        try:
            batch.append(schema.load(raw))
        except ValidationError as exc:
            sku = raw.get("sku") if isinstance(raw, dict) else None
            report.rejected.append({"row": number, "sku": sku, "errors": exc.messages})
            continue
        if len(batch) >= CHUNK:
            _flush(services, batch, report)
    _flush(services, batch, report)
    return report


def _flush(services: Services, batch: list[dict[str, Any]], report: ImportReport) -> None:
    if batch:
        intake = accept_products(
            services.store, services.queue, services.queue_settings, batch, services.tagger.version
        )
        report.accepted += len(intake.queued)
        report.unchanged += len(intake.unchanged)
        batch.clear()


def seed_once(services: Services, path: Path) -> ImportReport | None:
    """Import the seed catalog the first time this Redis is used; None when it was seeded before."""
    if not services.redis.set(services.store.keys.seeded, "1", nx=True):
        return None
    with path.open(encoding="utf-8") as stream:
        return import_products(services, stream)
