"""Import jobs count every accepted product exactly once: re-run chunks, chunks run out of order, products
changed or deleted meanwhile, jobs out of retries, uploads whose lease ran out, and late duplicates."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq.job import Job

import workers.imports
from catalog.imports import ImportStore
from service.extensions import Services
from service.formats import Format
from service.importer import ImportOptions, run_import
from service.sources import Source
from tagging import load_tagger
from workers.imports import on_import_chunk_failure, run_import_chunk
from workers.liveness import LeasedWorker, Liveness


def start_import(client: FlaskClient, rows: list[dict[str, Any]]) -> str:
    body = "\n".join(json.dumps(r) for r in rows)
    response = client.post("/v1/imports", data=body, content_type="application/x-ndjson")
    assert response.status_code == 202, response.get_data(as_text=True)
    return str(response.json["id"])


def queued_chunks(services: Services) -> list[Job]:
    jobs = [Job.fetch(job_id, connection=services.redis) for job_id in services.queue.get_job_ids()]
    services.queue.empty()  # the test runs them itself, in the order it wants
    return jobs


def run(services: Services, job: Job) -> dict[str, int]:
    imports = ImportStore(services.redis, services.store.keys)
    return run_import_chunk(services.store, imports, load_tagger(), job.args[0], job.args[1])


def record(services: Services, import_id: str) -> dict[str, Any]:
    found = ImportStore(services.redis, services.store.keys).get(import_id)
    assert found is not None
    return {"status": found.status, "written": found.written, **found.counts}


def rows(n: int) -> list[dict[str, Any]]:
    return [{"sku": f"r{i}", "title": f"Hydrating Serum {i}"} for i in range(n)]


@pytest.fixture
def small_chunks(app: Flask) -> None:
    app.config.update(IMPORT_CHUNK=4)


@pytest.mark.usefixtures("small_chunks")
def test_a_chunk_run_again_after_its_commit_counts_and_tags_nothing_twice(
    client: FlaskClient, services: Services
) -> None:
    import_id = start_import(client, rows(10))
    jobs = queued_chunks(services)
    assert [len(j.args[1]) for j in jobs] == [4, 4, 2]
    first = run(services, jobs[0])
    tagged_at = client.get("/v1/products/r0").json["tagged_at"]
    again = run(services, jobs[0])  # its worker died after the commit: RQ runs it again
    assert first["written"] == 4 and again == {"requested": 4, "tagged": 0, "failed": 0, "written": 0}
    assert client.get("/v1/products/r0").json["tagged_at"] == tagged_at
    assert record(services, import_id)["tagged"] == 4
    for job in jobs[1:]:
        run(services, job)
    assert record(services, import_id) | {"rows": 10} == {
        "status": "completed",
        "written": 10,
        "rows": 10,
        "accepted": 10,
        "rejected": 0,
        "unchanged": 0,
        "duplicates": 0,
        "tagged": 10,
        "failed": 0,
        "superseded": 0,
    }


@pytest.mark.usefixtures("small_chunks")
def test_a_repeated_sku_is_tagged_once_with_its_last_row_whatever_order_chunks_run_in(
    client: FlaskClient, services: Services
) -> None:
    data = [*rows(6), {"sku": "r1", "title": "Mineral Sunscreen SPF 50"}]
    import_id = start_import(client, data)
    jobs = queued_chunks(services)
    for job in reversed(jobs):  # the chunk with the last row of r1 runs first
        run(services, job)
    final = record(services, import_id)
    assert (final["status"], final["accepted"], final["duplicates"], final["tagged"]) == (
        "completed",
        6,
        1,
        6,
    )
    assert final["written"] == 6, "a product was written twice"
    r1 = client.get("/v1/products/r1").json
    assert r1["title"] == "Mineral Sunscreen SPF 50" and "sun-protection" in {t["id"] for t in r1["tags"]}


def test_products_changed_or_deleted_meanwhile_are_superseded(
    client: FlaskClient, services: Services, work: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    import_id = start_import(client, rows(5))
    jobs = queued_chunks(services)
    client.post("/v1/products", json={"sku": "r1", "title": "Changed before the chunk ran"})
    client.delete("/v1/products/r2")
    real = workers.imports.tag_outcomes

    def changed_while_tagging(tagger: Any, products: Any) -> Any:
        client.post("/v1/products", json={"sku": "r3", "title": "Changed while the chunk was tagged"})
        return real(tagger, products)

    monkeypatch.setattr(workers.imports, "tag_outcomes", changed_while_tagging)
    for job in jobs:
        run(services, job)
    final = record(services, import_id)
    # r1 was pending when read: tagged with its newest content. r2 is gone; r3's commit was skipped (its
    # content changed under the job) and its own job tags it.
    assert (final["status"], final["tagged"], final["superseded"]) == ("completed", 3, 2)
    assert client.get("/v1/products/r1").json["status"] == "tagged"
    work()
    assert client.get("/v1/products/r3").json["status"] == "tagged"


def test_a_chunk_out_of_retries_fails_its_products_and_the_import_settles(
    client: FlaskClient, services: Services
) -> None:
    import_id = start_import(client, rows(3))
    (job,) = queued_chunks(services)
    job.retries_left = 1
    on_import_chunk_failure(job, services.redis, RuntimeError, RuntimeError("boom"), None)
    assert record(services, import_id)["status"] == "queued"
    job.retries_left = 0
    on_import_chunk_failure(job, services.redis, RuntimeError, RuntimeError("boom"), None)
    final = record(services, import_id)
    assert (final["status"], final["failed"], final["tagged"]) == ("completed", 3, 0)
    assert client.get("/v1/products/r0").json["error"] == "RuntimeError: boom"


def test_a_late_duplicate_job_after_the_import_settled_changes_nothing(
    client: FlaskClient, services: Services
) -> None:
    import_id = start_import(client, rows(3))
    (job,) = queued_chunks(services)
    run(services, job)
    settled = record(services, import_id)
    client.post("/v1/products", json={"sku": "r0", "title": "Re-sent later"})  # pending again
    run(services, job)
    assert record(services, import_id) == settled


def test_an_upload_whose_lease_ran_out_fails_and_keeps_its_accepted_rows(services: Services) -> None:
    imports = ImportStore(services.redis, services.store.keys)
    imports.create("stale", "ndjson", lease_seconds=0.05)
    time.sleep(0.1)
    found = imports.get("stale")
    assert found is not None and found.status == "failed" and not found.receiving
    assert found.error and "interrupted" in found.error and found.settled


def test_leased_worker_lets_a_started_job_lapse_after_its_lease(services: Services) -> None:
    liveness = Liveness(heartbeat=1, lease=4, maintenance=2)
    worker = LeasedWorker(
        [services.queue], lease=liveness.lease, connection=services.redis, **liveness.worker_options()
    )
    assert worker.get_heartbeat_ttl(Job.__new__(Job)) == 4
    assert worker.job_monitoring_interval == 1 and worker.maintenance_interval == 2
    assert worker.dequeue_timeout == 2  # an idle worker wakes for maintenance


def test_liveness_refuses_a_lease_shorter_than_two_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROTAG_HEARTBEAT_SECONDS", "10")
    monkeypatch.setenv("NEUROTAG_JOB_LEASE", "15")
    with pytest.raises(ValueError, match="NEUROTAG_JOB_LEASE"):
        Liveness.from_env()


class CancelsMidway(io.RawIOBase):
    """A body that cancels its own import once `after` bytes have been read (a DELETE during the upload)."""

    def __init__(self, data: bytes, after: int, cancel: Callable[[], object]) -> None:
        self.data, self.after, self.cancel, self.pos = data, after, cancel, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.after and self.cancel:
            self.cancel()
            self.cancel = None  # type: ignore[assignment]
        size = min(len(buffer), 4096, len(self.data) - self.pos)
        buffer[:size] = self.data[self.pos : self.pos + size]
        self.pos += size
        return size


def test_a_cancel_during_the_upload_stops_reading_it(services: Services, work: Callable[[], None]) -> None:
    body = "".join(json.dumps(row) + "\n" for row in rows(3000)).encode()
    imports = ImportStore(services.redis, services.store.keys)
    stream = CancelsMidway(body, len(body) // 3, lambda: imports.cancel("mid"))
    record = run_import(services, stream, Source(Format.NDJSON), ImportOptions(chunk=200), import_id="mid")
    assert record.status == "cancelled" and not record.receiving
    assert 0 < record.counts["rows"] < 3000 and stream.pos < len(body)
    work()
    final = imports.get("mid")
    assert final is not None and final.settled and final.counts["failed"] == final.counts["accepted"]
