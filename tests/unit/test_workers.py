"""Workers: a poison product fails alone, final job failure marks products failed, races are safe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from rq.job import Job

from catalog.products import FAILED, PENDING
from service.extensions import Services
from tagging import load_tagger
from workers.jobs import on_tagging_failure
from workers.tagging import tag_chunk


def test_poison_product_fails_alone(
    client: FlaskClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.post("/v1/products", json={"sku": "good", "title": "Hydrating Cream"})
    client.post("/v1/products", json={"sku": "poison", "title": "Poison"})
    tagger = load_tagger()
    real_tag = tagger.tag

    def explode(product: dict[str, Any]) -> Any:
        if product["title"] == "Poison":
            raise ValueError("cannot tag this")
        return real_tag(product)

    monkeypatch.setattr(tagger, "tag", explode)
    result = tag_chunk(services.store, tagger, ["good", "poison", "missing"])
    assert result == {"requested": 3, "written": 2, "failed": 1}
    poison = client.get("/v1/products/poison").json
    assert poison["status"] == "failed" and "cannot tag this" in poison["error"]
    assert client.get("/v1/products/good").json["status"] == "tagged"


def test_content_changed_during_tagging_is_not_overwritten(client: FlaskClient, services: Services) -> None:
    client.post("/v1/products", json={"sku": "race", "title": "Hydrating Cream"})
    stale = services.store.get("race")
    assert stale is not None
    client.post("/v1/products", json={"sku": "race", "title": "SPF 50 Sunscreen"})
    from catalog.products import TaggingOutcome

    written = services.store.commit([TaggingOutcome("race", stale.hash, tags=[])], "v")
    assert written == 0
    assert services.store.get("race").status == PENDING  # type: ignore[union-attr]


def test_job_out_of_retries_marks_products_failed(
    client: FlaskClient, services: Services, work: Callable[[], None]
) -> None:
    client.post("/v1/products", json={"sku": "a", "title": "A"})
    job_id = services.store.get("a").job_id  # type: ignore[union-attr]
    job = Job.fetch(job_id, connection=services.redis)
    job.retries_left = 1
    on_tagging_failure(job, services.redis, RuntimeError, RuntimeError("boom"), None)
    assert services.store.get("a").status == PENDING  # type: ignore[union-attr]
    job.retries_left = 0
    on_tagging_failure(job, services.redis, RuntimeError, RuntimeError("boom"), None)
    failed = client.get("/v1/products/a").json
    assert failed["status"] == FAILED and failed["error"] == "RuntimeError: boom"


def test_retag_moves_every_product_to_the_current_version(
    client: FlaskClient, services: Services, work: Callable[[], None]
) -> None:
    from catalog.products import TaggingOutcome
    from workers.retag import queue_retag

    for n in range(5):
        client.post("/v1/products", json={"sku": f"p{n}", "title": f"Hydrating Serum {n}"})
    # Tag them as an older taxonomy would have, with no tags at all.
    old = [
        TaggingOutcome(p.sku, p.hash, tags=[])
        for p in services.store.get_many([f"p{n}" for n in range(5)])
        if p
    ]
    services.store.commit(old, "0.old")
    assert services.store.version_counts() == {"0.old": 5}
    assert client.get("/v1/products?tag=hydration").json["total"] == 0
    assert client.get("/v1/admin/retag").json["progress"] == 0.0

    plan = queue_retag(services.store, services.queue, services.queue_settings, services.tagger.version)
    assert plan.products == 5 and plan.job_ids
    work()
    status = client.get("/v1/admin/retag").json
    assert status["versions"] == {services.tagger.version: 5} and status["progress"] == 1.0
    assert client.get("/v1/products?tag=hydration").json["total"] == 5
    again = queue_retag(services.store, services.queue, services.queue_settings, services.tagger.version)
    assert again.products == 0


def test_admin_retag_endpoint_queues_the_planning_job(client: FlaskClient, services: Services) -> None:
    response = client.post("/v1/admin/retag")
    assert response.status_code == 202 and response.json["job_id"]
    assert services.queue.job_ids == [response.json["job_id"]]


def test_engine_disagreement_with_corrections(
    client: FlaskClient, services: Services, work: Callable[[], None]
) -> None:
    from tagging.evaluation import compare_corrections

    client.post("/v1/products", json={"sku": "m", "title": "Lavender Sleeping Mask"})
    work()
    client.put("/v1/products/m/tags/neuroscent", json={"state": "pinned"})  # agrees with the engine
    client.put("/v1/products/m/tags/overnight-repair", json={"state": "suppressed"})  # disagrees
    corrected = [
        (p.sku, p.doc, {t: c["state"] for t, c in p.corrections.items()})
        for p in services.store.iter_corrected()
    ]
    result = compare_corrections(services.tagger, corrected)
    assert (result.corrections, result.disagreements) == (2, 1)
    assert result.examples == [("m", "overnight-repair", "suppressed")]


def test_a_product_whose_job_vanished_is_queued_again(
    client: FlaskClient, services: Services, work: Callable[[], None]
) -> None:
    import time

    from workers.sweeper import requeue_orphans

    client.post("/v1/products", json={"sku": "lost", "title": "Hydrating Serum"})
    client.post("/v1/products", json={"sku": "waiting", "title": "Calming Balm"})
    lost = services.store.get("lost")
    assert lost is not None and lost.job_id
    services.queue.remove(lost.job_id)  # the job is gone (say, Redis lost it): nothing would ever tag it
    Job.fetch(lost.job_id, connection=services.redis).delete()
    later = time.time() + 3600
    assert (
        requeue_orphans(services.store, services.queue, services.queue_settings, later) == 1
    )  # not "waiting"
    assert requeue_orphans(services.store, services.queue, services.queue_settings, time.time() - 60) == 0
    work()
    assert client.get("/v1/products/lost").json["status"] == "tagged"
    assert client.get("/v1/products/waiting").json["status"] == "tagged"
