"""The API on fakeredis with RQ's SimpleWorker: upsert, status, query, facets, delete, taxonomy, preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from service.extensions import Services

SERUM = {
    "sku": "serum-1",
    "title": "Vitamin C Brightening Serum",
    "brand": "Lumen",
    "description": "<p>An <b>antioxidant</b> serum that fights free radicals.</p>",
    "ingredients": "Water, Ascorbic Acid, Glycerin, Ferulic Acid, Phenoxyethanol",
    "price": 42,
    "currency": "USD",
}
MASK = {
    "sku": "mask-1",
    "title": "Lavender Sleeping Mask",
    "description": "Wakes up to softer skin by morning.",
}


def post(client: FlaskClient, body: dict[str, Any]) -> Any:
    return client.post("/v1/products", json=body)


def test_post_queues_then_worker_tags(client: FlaskClient, work: Callable[[], None]) -> None:
    response = post(client, SERUM)
    assert response.status_code == 202
    assert response.json["status"] == "pending" and response.json["job_id"]
    assert response.headers["Location"] == "/v1/products/serum-1"
    assert client.get("/v1/products/serum-1").json["status"] == "pending"

    work()
    product = client.get("/v1/products/serum-1").json
    assert product["status"] == "tagged"
    assert product["title"] == SERUM["title"] and product["price"] == 42
    ids = {t["id"] for t in product["tags"]}
    assert "antioxidant-protection" in ids
    tag = next(t for t in product["tags"] if t["id"] == "antioxidant-protection")
    assert tag["group"] == "benefit" and tag["label"] == "Antioxidant protection"
    assert {e["field"] for e in tag["evidence"]} >= {"title", "description"}
    assert product["taxonomy_version"] and product["tagged_at"]


def test_unchanged_product_is_200_without_a_job(
    client: FlaskClient, services: Services, work: Callable[[], None]
) -> None:
    post(client, SERUM)
    work()
    queued_before = services.queue.count
    again = post(client, SERUM)
    assert again.status_code == 200
    assert again.json["status"] == "tagged"
    assert services.queue.count == queued_before
    changed = post(client, {**SERUM, "title": "Vitamin C Serum, reformulated"})
    assert changed.status_code == 202


def test_changed_content_is_retagged(client: FlaskClient, work: Callable[[], None]) -> None:
    post(client, MASK)
    work()
    assert "overnight-repair" in {t["id"] for t in client.get("/v1/products/mask-1").json["tags"]}
    post(client, {**MASK, "title": "Lavender Body Oil", "description": "A body oil."})
    work()
    product = client.get("/v1/products/mask-1").json
    assert "overnight-repair" not in {t["id"] for t in product["tags"]}
    listed = client.get("/v1/products?tag=overnight-repair").json
    assert listed["total"] == 0


def test_query_facets_and_delete(client: FlaskClient, work: Callable[[], None]) -> None:
    post(client, SERUM)
    post(client, MASK)
    work()
    page = client.get("/v1/products?tag=neuroscent&facets=true").json
    assert [i["sku"] for i in page["items"]] == ["mask-1"]
    assert page["facets"]["neuroscent"] == 1 and page["facets"]["antioxidant-protection"] == 0
    assert page["next_cursor"] is None

    union = client.get("/v1/products?tag=neuroscent&tag=antioxidant-protection&match=any").json
    assert union["total"] == 2
    everything = client.get("/v1/products?exclude=neuroscent").json
    assert [i["sku"] for i in everything["items"]] == ["serum-1"]

    assert client.delete("/v1/products/mask-1").status_code == 204
    assert client.get("/v1/products/mask-1").status_code == 404
    assert client.get("/v1/products?tag=neuroscent").json["total"] == 0
    assert client.delete("/v1/products/mask-1").status_code == 404


def test_taxonomy_lists_groups_with_counts(client: FlaskClient, work: Callable[[], None]) -> None:
    post(client, MASK)
    work()
    body = client.get("/v1/tags").json
    assert [g["id"] for g in body["groups"]] == ["neurocosmetic", "benefit"]
    tags = {t["id"]: t for g in body["groups"] for t in g["tags"]}
    assert len(tags) == 13
    assert tags["neuroscent"]["count"] == 1 and tags["sun-protection"]["count"] == 0
    assert tags["neuroscent"]["label"] and tags["neuroscent"]["description"]


def test_preview_stores_nothing(client: FlaskClient, services: Services) -> None:
    response = client.post("/v1/tag", json=SERUM)
    assert response.status_code == 200
    assert "antioxidant-protection" in {t["id"] for t in response.json["tags"]}
    assert client.get("/v1/products/serum-1").status_code == 404
    assert services.queue.count == 0


def test_validation_problem_names_fields(client: FlaskClient) -> None:
    response = client.post(
        "/v1/products", json={"sku": "", "title": "x", "currency": "dollars", "url": "nope"}
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert {e["field"] for e in response.json["errors"]} == {"sku", "currency", "url"}


def test_health_and_readiness(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503  # fakeredis has Redis but no worker is alive
    assert ready.json["checks"]["workers"] == 0


def test_openapi_document_comes_from_the_schemas(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    assert {"/v1/products", "/v1/products/{sku}", "/v1/tags", "/v1/tag"} <= set(spec["paths"])
    product_in = spec["components"]["schemas"]["ProductIn"]
    assert set(product_in["required"]) == {"sku", "title"}
    assert client.get("/docs").status_code == 200


def test_corrections_win_move_the_index_and_survive_retagging(
    client: FlaskClient, services: Services, work: Callable[[], None]
) -> None:
    post(client, MASK)
    work()
    pinned = client.put(
        "/v1/products/mask-1/tags/sun-protection", json={"state": "pinned", "note": "has SPF"}
    )
    assert pinned.status_code == 200
    sun = next(t for t in pinned.json["tags"] if t["id"] == "sun-protection")
    assert sun["source"] == "manual" and sun["group"] == "benefit"
    assert client.get("/v1/products?tag=sun-protection").json["total"] == 1

    suppressed = client.put("/v1/products/mask-1/tags/neuroscent", json={"state": "suppressed"})
    assert "neuroscent" not in {t["id"] for t in suppressed.json["tags"]}
    assert client.get("/v1/products?tag=neuroscent").json["total"] == 0

    # Re-import with new content and re-tag: both corrections still hold.
    post(client, {**MASK, "description": "Now with more lavender aroma, overnight."})
    work()
    again = client.get("/v1/products/mask-1").json
    ids = {t["id"] for t in again["tags"]}
    assert "sun-protection" in ids and "neuroscent" not in ids
    assert client.get("/v1/products?tag=sun-protection").json["total"] == 1

    assert client.delete("/v1/products/mask-1/tags/neuroscent").status_code == 204
    assert client.get("/v1/products?tag=neuroscent").json["total"] == 1
    engine_tag = next(t for t in client.get("/v1/products/mask-1").json["tags"] if t["id"] == "neuroscent")
    assert engine_tag["source"] == "engine"


def test_correction_errors(client: FlaskClient) -> None:
    assert client.put("/v1/products/nope/tags/soothing", json={"state": "pinned"}).status_code == 404
    post(client, MASK)
    assert client.put("/v1/products/mask-1/tags/glow", json={"state": "pinned"}).status_code == 404
    bad = client.put("/v1/products/mask-1/tags/soothing", json={"state": "maybe"})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "state"


def test_metrics_and_request_ids(client: FlaskClient, work: Callable[[], None]) -> None:
    post(client, MASK)
    work()
    client.get("/v1/products/mask-1")
    response = client.get("/metrics", headers={"X-Request-ID": "trace-123"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "trace-123"
    text = response.get_data(as_text=True)
    assert 'neurotag_http_requests_total{method="GET",route="/v1/products/<string:sku>",status="200"}' in text
    assert 'neurotag_products{status="tagged"} 1.0' in text
    assert 'neurotag_products_tagged_total{outcome="tagged"}' in text
    assert "neurotag_queue_depth 0.0" in text
    assert client.get("/healthz").headers["X-Request-ID"]  # generated when the caller sends none
