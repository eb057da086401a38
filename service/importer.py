"""The one import path (API, seeding): rows read from a stream are validated, then stored, queued and
counted a chunk at a time, each chunk in one MULTI with its tagging job."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, replace
from typing import IO, Any

from marshmallow import ValidationError
from redis.client import Pipeline
from werkzeug.exceptions import ClientDisconnected, HTTPException

from catalog import content_hash
from catalog.imports import QUEUED, RUNNING, ChunkTally, ImportRecord, ImportStore, is_current
from schemas.product import ProductInSchema
from service.errors import BodyError, ImportFailed, ServiceError
from service.extensions import Services
from service.formats import MeteredStream, Row, buffered
from service.problems import validation_errors
from service.sources import Source, product_rows, sniff
from workers.imports import enqueue_import_chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Products per chunk (and tagging job), the upload's lease, and the longest wait between flushes."""

    chunk: int = 500
    lease: float = 60.0
    flush_seconds: float = 1.0


def new_import_id() -> str:
    return uuid.uuid4().hex[:16]


def run_import(
    services: Services, body: IO[bytes], source: Source, options: ImportOptions, import_id: str | None = None
) -> ImportRecord:
    """Create an import and read body into it to the end. A body that cannot be read on marks the import
    failed and raises ImportFailed; the rows accepted before the error are still tagged."""
    import_id = import_id or new_import_id()
    meter = MeteredStream(body)
    reader = buffered(meter)
    if source.format is None:
        source = replace(source, format=sniff(reader))
    imports = ImportStore(services.redis, services.store.keys)
    imports.create(import_id, str(source.format), options.lease)
    writer = ChunkWriter(services, imports, import_id, meter, options)
    try:
        rows = product_rows(reader, source, lambda c: imports.set_columns(import_id, c))
        for row in rows:
            if not writer.add(row):
                break
        writer.flush()
    except ServiceError as exc:
        raise _failed(imports, writer, import_id, exc) from exc
    except ClientDisconnected as exc:
        cause = BodyError(f"Upload interrupted after {meter.bytes_read} bytes: the client went away.")
        raise _failed(imports, writer, import_id, cause) from exc
    except HTTPException as exc:  # from the request stream: over the size limit
        cause = BodyError(exc.description or exc.name, exc.code or 400)
        raise _failed(imports, writer, import_id, cause) from exc
    except Exception:
        imports.finish(import_id, "failed", "internal error while reading the body")
        raise
    imports.finish(import_id)
    record = imports.get(import_id)
    assert record is not None
    return record


def _failed(imports: ImportStore, writer: ChunkWriter, import_id: str, cause: ServiceError) -> ImportFailed:
    writer.flush()  # the rows read before the error are kept
    imports.finish(import_id, "failed", cause.detail)
    log.info("import %s failed after %d bytes: %s", import_id, writer.meter.bytes_read, cause.detail)
    return ImportFailed(import_id, cause)


class ChunkWriter:
    """Collects validated rows; each flush stores and queues one chunk and counts it on the import."""

    def __init__(
        self,
        services: Services,
        imports: ImportStore,
        import_id: str,
        meter: MeteredStream,
        options: ImportOptions,
    ) -> None:
        self.services = services
        self.imports = imports
        self.import_id = import_id
        self.meter = meter
        self.options = options
        self.schema = ProductInSchema()
        self.docs: list[tuple[dict[str, Any], str]] = []
        self.tally = ChunkTally()
        self.jobs = 0
        self.last_flush = time.monotonic()
        self.stopped = False

    def add(self, row: Row) -> bool:
        """Take one row; False once the import no longer accepts rows (it was cancelled)."""
        self.tally.rows += 1
        if row.error is not None:
            self._reject(row, [{"field": "row", "detail": row.error}])
        elif not isinstance(row.data, dict):
            self._reject(row, [{"field": "row", "detail": "Not a JSON object."}])
        else:
            try:
                doc = self.schema.load(row.data)
            except ValidationError as exc:
                errors = [
                    {"field": e["field"], "detail": e["detail"]} for e in validation_errors(exc.messages)
                ]
                self._reject(row, errors)
            else:
                self.docs.append((doc, content_hash(doc)))
        due = time.monotonic() - self.last_flush > self.options.flush_seconds
        if self.tally.rows >= self.options.chunk or due:
            return self.flush()
        return True

    def _reject(self, row: Row, errors: list[dict[str, str]]) -> None:
        sku = row.data.get("sku") if isinstance(row.data, dict) else None
        self.tally.rejected += 1
        self.tally.errors.append(
            {"row": row.number, "sku": sku if isinstance(sku, str) else None, "errors": errors}
        )

    def flush(self) -> bool:
        """Write the chunk: a sku repeated in it or seen earlier in this import counts as a duplicate
        (the last row wins); content already tagged with this taxonomy is skipped as unchanged."""
        if self.stopped:
            return False
        tally, docs = self.tally, self.docs
        self.tally, self.docs, self.last_flush = ChunkTally(), [], time.monotonic()
        if not tally.rows:
            return True
        latest: dict[str, tuple[dict[str, Any], str]] = {}
        for doc, digest in docs:
            if doc["sku"] in latest:
                tally.duplicates += 1
            latest[doc["sku"]] = (doc, digest)
        state = self.imports.intake_state(self.import_id, list(latest))
        if state.status not in (QUEUED, RUNNING):
            self.stopped = True  # cancelled (or failed) meanwhile: this chunk and the rest are dropped
            return False
        version = self.services.tagger.version
        queued: list[dict[str, Any]] = []
        for (sku, (doc, digest)), seen, stored in zip(latest.items(), state.seen, state.stored, strict=True):
            if seen is not None:
                tally.duplicates += 1
                if seen[2:] == digest:
                    continue  # the same content as an earlier row of this file: nothing to do
            if is_current(stored, digest, version):
                tally.unchanged += 1
                tally.seen[sku] = f"u:{digest}"
                continue
            if seen is None or seen.startswith("u:"):
                tally.accepted += 1
            tally.seen[sku] = f"q:{digest}"
            queued.append(doc)
        if queued:
            self.jobs += 1
            self.services.store.upsert(queued, lambda pipe, skus: self._enqueue(pipe, skus, tally))
        else:
            self.imports.record_chunk(self.import_id, tally, self.meter.bytes_read, self.options.lease)
        return True

    def _enqueue(self, pipe: Pipeline, skus: list[str], tally: ChunkTally) -> str:
        s = self.services
        job_id = enqueue_import_chunk(s.queue, pipe, self.import_id, self.jobs, skus, s.queue_settings)
        self.imports.add_chunk(pipe, self.import_id, tally, self.meter.bytes_read, self.options.lease)
        return job_id
