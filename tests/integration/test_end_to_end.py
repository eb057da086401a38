"""End to end over HTTP: the four article products posted, tagged by real workers, queried, deleted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.article import ARTICLE
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "catalog.jsonl"


def article_products(suffix: str) -> list[dict[str, Any]]:
    products = [json.loads(line) for line in SEEDS.read_text().splitlines() if line.strip()]
    chosen = [p for p in products if p["title"] in ARTICLE]
    assert len(chosen) == 4, "seeds/catalog.jsonl must hold the four article products"
    return [{**p, "sku": f"{p['sku']}-{suffix}"} for p in chosen]


def wait_tagged(stack: Stack, skus: list[str]) -> dict[str, dict[str, Any]]:
    products: dict[str, dict[str, Any]] = {}

    def all_tagged() -> bool:
        for sku in skus:
            body = stack.get(f"/v1/products/{sku}").json()
            products[sku] = body
        return all(p["status"] == "tagged" for p in products.values())

    stack.wait_for(all_tagged, f"{skus} to be tagged")
    return products


def test_article_products_are_tagged_queried_and_deleted(stack: Stack, unique: str) -> None:
    products = article_products(unique)
    for product in products:
        response = stack.post("/v1/products", json=product)
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "pending"
        assert response.headers["Location"].endswith(f"/v1/products/{product['sku']}")

    tagged = wait_tagged(stack, [p["sku"] for p in products])
    for product in products:
        body = tagged[product["sku"]]
        must, may = ARTICLE[product["title"]]
        got = {t["id"] for t in body["tags"]}
        assert must <= got, f"{product['title']}: missing {must - got}"
        assert got <= must | may, f"{product['title']}: false positives {got - must - may}"
        assert body["taxonomy_version"]
        for tag in body["tags"]:
            assert 0 < tag["score"] <= 1 and tag["evidence"], tag
            for evidence in tag["evidence"]:
                assert product[evidence["field"]][evidence["start"] : evidence["end"]] == evidence["text"]

    # Posting the same content again is a no-op: 200 with the product, no job.
    again = stack.post("/v1/products", json=products[3])
    assert again.status_code == 200 and again.json()["status"] == "tagged"

    # stress-defense: Acure and Andalou (plus any other product of this run's prefix).
    page = stack.get("/v1/products", params={"tag": "stress-defense", "facets": "true"}).json()
    skus = {item["sku"] for item in page["items"]}
    assert {products[0]["sku"], products[3]["sku"]} <= skus
    assert page["facets"]["stress-defense"] == page["total"]
    assert page["facets"]["overnight-repair"] >= 1

    both = stack.get("/v1/products", params=[("tag", "stress-defense"), ("tag", "overnight-repair")]).json()
    assert products[3]["sku"] in {i["sku"] for i in both["items"]}
    assert products[0]["sku"] not in {i["sku"] for i in both["items"]}

    either = stack.get(
        "/v1/products", params=[("tag", "sun-protection"), ("tag", "neuroscent"), ("match", "any")]
    ).json()
    assert {products[2]["sku"], products[3]["sku"]} <= {i["sku"] for i in either["items"]}

    excluded = stack.get(
        "/v1/products", params={"tag": "stress-defense", "exclude": "overnight-repair"}
    ).json()
    assert products[3]["sku"] not in {i["sku"] for i in excluded["items"]}

    assert stack.delete(f"/v1/products/{products[3]['sku']}").status_code == 204
    assert stack.get(f"/v1/products/{products[3]['sku']}").status_code == 404
    after = stack.get("/v1/products", params={"tag": "overnight-repair"}).json()
    assert products[3]["sku"] not in {i["sku"] for i in after["items"]}


def test_cursor_pagination_has_no_duplicates_or_gaps(stack: Stack, unique: str) -> None:
    skus = [f"page-{unique}-{n:02d}" for n in range(23)]
    for sku in skus:
        body = {
            "sku": sku,
            "title": "Hydrating Gel Cream",
            "description": "Deeply hydrating, with hyaluronic acid.",
        }
        assert stack.post("/v1/products", json=body).status_code == 202
    wait_tagged(stack, skus)

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"tag": "hydration", "limit": 5}
        if cursor:
            params["cursor"] = cursor
        page = stack.get("/v1/products", params=params).json()
        seen += [i["sku"] for i in page["items"]]
        if cursor is None:
            # A product added while paging lands after the pages already read, never inside them.
            late = {"sku": f"page-{unique}-late", "title": "Hydrating Mist", "description": "Hydrating."}
            stack.post("/v1/products", json=late)
            wait_tagged(stack, [late["sku"]])
            skus.append(late["sku"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    mine = [s for s in seen if s.startswith(f"page-{unique}")]
    assert len(mine) == len(set(mine)), "a product appeared twice while paging"
    assert set(mine) == set(skus), f"missing while paging: {set(skus) - set(mine)}"


def test_readyz_reports_workers(stack: Stack) -> None:
    body = stack.get("/readyz").json()
    assert body["checks"]["redis"] == "ok" and body["checks"]["workers"] >= 2
