"""GET /v1/products as storefronts use it, on the seed catalog tagged by the real engine (fakeredis):
group filters with disjunctive facets, sorts, q, min_score, ETag/304, the page cache, CORS and the page."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fakeredis
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import SimpleWorker

from catalog.search import SearchQuery
from schemas.product import ProductOutSchema
from service.api.page_json import product_json
from service.api.presenters import product_payload
from service.app import create_app
from service.extensions import EXTENSION, Services

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "catalog.jsonl"
NEURO = ("sensory-touch", "neuroscent", "neuroactive", "mindful-ritual")


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    app = create_app(
        {"TESTING": True, "CORS_ORIGINS": ("https://shop.example",), "CACHE_CONTROL": "public, max-age=5"},
        redis=fakeredis.FakeRedis(),
    )
    services: Services = app.extensions[EXTENSION]
    client = app.test_client()
    for line in SEEDS.read_text().splitlines():
        if line.strip():
            assert client.post("/v1/products", json=json.loads(line)).status_code == 202
    SimpleWorker([services.queue], connection=services.redis).work(burst=True, with_scheduler=False)
    yield app


@pytest.fixture(scope="module")
def catalog(app: Flask) -> dict[str, dict[str, Any]]:
    """Every tagged product as GET /v1/products/{sku} shows it: the reference for the list answers."""
    client = app.test_client()
    skus = [json.loads(line)["sku"] for line in SEEDS.read_text().splitlines() if line.strip()]
    products = {sku: client.get(f"/v1/products/{sku}").json for sku in skus}
    tagged = {sku: p for sku, p in products.items() if p and p["status"] == "tagged"}
    assert len(tagged) > 60
    return tagged


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def tag_ids(product: dict[str, Any]) -> set[str]:
    return {t["id"] for t in product["tags"]}


def every_page(client: FlaskClient, query: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        body = client.get(f"/v1/products?{query}&limit=7{cursor}").json
        items += body["items"]
        if not body["next_cursor"]:
            return items
        cursor = f"&cursor={body['next_cursor']}"


def test_or_within_a_group_and_across_groups(client: FlaskClient, catalog: dict[str, Any]) -> None:
    body = client.get("/v1/products?neurocosmetic=neuroscent,sensory-touch&benefit=hydration&limit=100").json
    want = {
        sku
        for sku, p in catalog.items()
        if tag_ids(p) & {"neuroscent", "sensory-touch"} and "hydration" in tag_ids(p)
    }
    assert want, "the seed catalog should have scented or sensory hydrating products"
    assert {i["sku"] for i in body["items"]} == want
    assert body["total"] == len(want)
    repeated = client.get(
        "/v1/products?neurocosmetic=neuroscent&neurocosmetic=sensory-touch&benefit=hydration"
    )
    assert repeated.json["total"] == len(want)


def test_facet_counts_are_disjunctive_within_a_group(client: FlaskClient, catalog: dict[str, Any]) -> None:
    body = client.get("/v1/products?benefit=hydration&facets=true").json
    groups = {g["id"]: {t["id"]: t for t in g["tags"]} for g in body["facet_groups"]}
    hydrating = [p for p in catalog.values() if "hydration" in tag_ids(p)]
    for tag, facet in groups["benefit"].items():
        # Within its own group a count ignores the group's ticks: "how many if I tick this too (OR)".
        assert facet["count"] == sum(1 for p in catalog.values() if tag in tag_ids(p)), tag
        assert facet["selected"] == (tag == "hydration")
    for tag, facet in groups["neurocosmetic"].items():
        assert facet["count"] == sum(1 for p in hydrating if tag in tag_ids(p)), tag
    assert body["facets"] == {t: f["count"] for g in groups.values() for t, f in g.items()}
    assert groups["benefit"]["hydration"]["count"] == body["total"] == len(hydrating)


def test_empty_result_is_200_with_zero_counts(client: FlaskClient) -> None:
    response = client.get("/v1/products?brand=No%20Such%20Brand&facets=true")
    assert response.status_code == 200
    body = response.json
    assert body["items"] == [] and body["total"] == 0 and body["next_cursor"] is None
    assert all(t["count"] == 0 for g in body["facet_groups"] for t in g["tags"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("benefit=neuroscent", "benefit"),
        ("neurocosmetic=hydration,neuroscent", "neurocosmetic"),
        ("min_score=0.755", "min_score"),
        ("min_score=2", "min_score"),
        ("sort=price", "sort"),
        ("limit=101", "limit"),
        ("colour=red", "colour"),
        ("tag=no-such-tag", "tag"),
        ("q=" + "x" * 101, "q"),
        ("sort=title&cursor=eyJzb3J0Ijoib2xkZXN0IiwiYWZ0ZXIiOjV9", "cursor"),
    ],
)
def test_a_bad_parameter_is_a_400_problem_naming_it(client: FlaskClient, query: str, field: str) -> None:
    response = client.get(f"/v1/products?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert field in {e["field"] for e in response.json["errors"]}
    assert response.headers["Cache-Control"] == "no-store"


def test_sorts_page_through_everything_in_order(client: FlaskClient, catalog: dict[str, Any]) -> None:
    hydrating = {s for s, p in catalog.items() if "hydration" in tag_ids(p)}
    for sort in ("oldest", "newest", "relevance", "title"):
        items = every_page(client, f"benefit=hydration&sort={sort}")
        assert [i["sku"] for i in items if i["sku"] in hydrating] == [i["sku"] for i in items]
        assert sorted(i["sku"] for i in items) == sorted(hydrating), sort
    newest = [i["sku"] for i in every_page(client, "benefit=hydration&sort=newest")]
    assert newest == [i["sku"] for i in every_page(client, "benefit=hydration&sort=oldest")][::-1]
    titles = [i["title"].casefold() for i in every_page(client, "benefit=hydration&sort=title")]
    assert titles == sorted(titles)


def test_relevance_is_the_sum_of_matched_tag_scores(client: FlaskClient) -> None:
    items = every_page(client, "benefit=hydration,soothing&sort=relevance")
    sums = [
        sum(int(t["score"] * 100 + 1e-7) for t in i["tags"] if t["id"] in ("hydration", "soothing"))
        for i in items
    ]
    assert len(set(sums)) > 1, "the catalog should give products different relevance"
    assert sums == sorted(sums, reverse=True)


def test_min_score_applies_to_the_selected_tags(client: FlaskClient, catalog: dict[str, Any]) -> None:
    body = client.get("/v1/products?benefit=hydration&min_score=0.8&limit=100").json
    want = {
        sku
        for sku, p in catalog.items()
        if any(t["id"] == "hydration" and t["score"] >= 0.8 for t in p["tags"])
    }
    assert 0 < len(want) < sum(1 for p in catalog.values() if "hydration" in tag_ids(p))
    assert {i["sku"] for i in body["items"]} == want


def test_q_matches_title_and_brand_words(client: FlaskClient, catalog: dict[str, Any]) -> None:
    product = next(p for p in catalog.values() if p["sku"].startswith("acure"))
    by_brand = client.get(f"/v1/products?q={product['brand'].lower()}").json
    assert product["sku"] in {i["sku"] for i in by_brand["items"]}
    assert all(product["brand"] == i["brand"] or "acure" in i["title"].lower() for i in by_brand["items"])
    prefix = client.get("/v1/products?q=hydrat").json  # a prefix of a title word
    assert prefix["total"] > 0
    assert all("hydrat" in (i["title"] + " " + i.get("brand", "")).lower() for i in prefix["items"])
    assert client.get("/v1/products?q=zzzzqx").json["total"] == 0


def test_brand_and_category_filters_fold_case_and_accents(
    client: FlaskClient, catalog: dict[str, Any]
) -> None:
    product = next(iter(catalog.values()))
    body = client.get(f"/v1/products?brand={product['brand'].upper()}&limit=100").json
    assert {i["sku"] for i in body["items"]} == {
        s for s, p in catalog.items() if p["brand"] == product["brand"]
    }
    body = client.get(f"/v1/products?category={product['category'].lower()}&limit=100").json
    assert body["total"] == sum(1 for p in catalog.values() if p["category"] == product["category"])


def test_etag_and_304_follow_the_catalog_version(client: FlaskClient, app: Flask) -> None:
    first = client.get("/v1/products?benefit=hydration&facets=true")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=5"
    again = client.get("/v1/products?benefit=hydration&facets=true", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    for path in ("/v1/tags", "/v1/products/acure-ultra-hydrating-12h-moisturizer"):
        tag = client.get(path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    # Any write a page could show moves the version: the old ETag no longer matches.
    services: Services = app.extensions[EXTENSION]
    client.post("/v1/products", json={"sku": "etag-probe", "title": "Probe Mist"})
    SimpleWorker([services.queue], connection=services.redis).work(burst=True, with_scheduler=False)
    changed = client.get("/v1/products?benefit=hydration&facets=true", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert client.delete("/v1/products/etag-probe").status_code == 204


def test_page_cache_serves_repeats_and_never_stale(client: FlaskClient, app: Flask) -> None:
    services: Services = app.extensions[EXTENSION]
    first = client.get("/v1/products?neurocosmetic=neuroscent&facets=true&sort=title")
    hits = services.pages.hits
    second = client.get("/v1/products?facets=true&sort=title&neurocosmetic=neuroscent")  # same, reordered
    assert services.pages.hits == hits + 1
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    sku = first.json["items"][0]["sku"]
    client.put(f"/v1/products/{sku}/tags/neuroscent", json={"state": "suppressed"})
    third = client.get("/v1/products?neurocosmetic=neuroscent&facets=true&sort=title")
    assert sku not in {i["sku"] for i in third.json["items"]}
    assert third.json["total"] == first.json["total"] - 1
    client.delete(f"/v1/products/{sku}/tags/neuroscent")


def test_cached_pages_go_out_gzipped_to_clients_that_accept_it(client: FlaskClient) -> None:
    path = "/v1/products?benefit=soothing&facets=true&sort=newest"
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) * 3 < len(plain.data)
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["ETag"] == plain.headers["ETag"] and packed.headers["ETag"].startswith('W/"')
    refused = client.get(path, headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data
    again = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def test_product_json_cache_follows_each_products_revision(client: FlaskClient, app: Flask) -> None:
    """Fragments are reused across catalog versions, but never once the product itself has changed."""
    services: Services = app.extensions[EXTENSION]
    path = "/v1/products?q=acure&sort=oldest"
    item = client.get(path).json["items"][0]
    assert "circulation-boost" not in {t["id"] for t in item["tags"]}
    cached = len(services.product_json)
    client.put(f"/v1/products/{item['sku']}/tags/circulation-boost", json={"state": "pinned"})
    pinned = client.get(path).json["items"][0]
    assert pinned["sku"] == item["sku"]
    assert "circulation-boost" in {t["id"] for t in pinned["tags"]}
    assert len(services.product_json) == cached + 1  # only the corrected product was rendered again
    client.delete(f"/v1/products/{item['sku']}/tags/circulation-boost")
    seed = next(json.loads(line) for line in SEEDS.read_text().splitlines() if item["sku"] in line)
    assert client.post("/v1/products", json={**seed, "title": "Renamed"}).status_code == 202
    assert client.get(path).json["items"][0]["status"] == "pending"  # still listed, under its old tags
    SimpleWorker([services.queue], connection=services.redis).work(burst=True, with_scheduler=False)
    assert client.get(path).json["items"][0]["title"] == "Renamed"


def test_cors_for_configured_origins_only(client: FlaskClient) -> None:
    allowed = client.get("/v1/products?limit=1", headers={"Origin": "https://shop.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/v1/products?limit=1", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/v1/products",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    write = client.post(
        "/v1/tag", json={"sku": "x", "title": "y"}, headers={"Origin": "https://shop.example"}
    )
    assert "Access-Control-Allow-Origin" not in write.headers


def test_storefront_page_and_assets(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = page.get_data(as_text=True)
    for asset in ("/static/storefront.css", "/static/storefront.js"):
        assert asset in html
        assert client.get(asset).status_code == 200
    assert "<script>" not in html and "http://" not in html and "https://" not in html  # no CDN, no inline


def test_page_json_is_what_the_schema_would_dump(app: Flask) -> None:
    """The list is serialised without marshmallow (speed); it must stay the documented document."""
    services: Services = app.extensions[EXTENSION]
    page = services.search.search(SearchQuery(limit=100))
    assert len(page.items) > 60
    schema = ProductOutSchema()
    for product in page.items:
        payload = product_payload(product, services.tagger.taxonomy)
        assert json.loads(json.dumps(product_json(payload))) == json.loads(json.dumps(schema.dump(payload)))
