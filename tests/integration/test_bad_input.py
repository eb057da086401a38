"""Bad input over real HTTP: each a clear 4xx problem+json naming the field, and nothing stored."""

from __future__ import annotations

import pytest
import requests

from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration
PROBLEM = "application/problem+json"


def assert_problem(response: requests.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}, body


def assert_not_stored(stack: Stack, sku: str) -> None:
    assert stack.get(f"/v1/products/{sku}").status_code == 404


def test_malformed_json(stack: Stack, unique: str) -> None:
    response = stack.post(
        "/v1/products",
        data=f'{{"sku": "bad-{unique}", "title": ',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 400, "body")
    assert_not_stored(stack, f"bad-{unique}")


def test_wrong_types(stack: Stack, unique: str) -> None:
    response = stack.post(
        "/v1/products", json={"sku": f"t-{unique}", "title": 42, "price": "cheap", "ingredients": {"a": 1}}
    )
    assert_problem(response, 422, "title")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"title", "price", "ingredients"} <= fields
    assert_not_stored(stack, f"t-{unique}")


def test_missing_sku_and_title(stack: Stack) -> None:
    response = stack.post("/v1/products", json={"brand": "Nobody"})
    assert_problem(response, 422)
    assert {"sku", "title"} <= {e["field"] for e in response.json()["errors"]}


def test_unknown_field_is_named(stack: Stack, unique: str) -> None:
    response = stack.post("/v1/products", json={"sku": f"u-{unique}", "title": "x", "colour": "red"})
    assert_problem(response, 422, "colour")
    assert_not_stored(stack, f"u-{unique}")


def test_oversized_body_is_413(stack: Stack, unique: str) -> None:
    body = {"sku": f"big-{unique}", "title": "Big", "description": "x" * 70_000}
    assert_problem(stack.post("/v1/products", json=body), 413)
    assert_not_stored(stack, f"big-{unique}")


def test_not_json_is_415(stack: Stack) -> None:
    assert_problem(stack.post("/v1/products", data="sku=a", headers={"Content-Type": "text/plain"}), 415)


def test_unknown_tag_in_query_is_400_naming_it(stack: Stack) -> None:
    response = stack.get("/v1/products", params=[("tag", "hydration"), ("tag", "glow-up")])
    assert_problem(response, 400, "tag")
    assert "glow-up" in response.json()["errors"][0]["detail"]


def test_bad_limit_and_cursor(stack: Stack) -> None:
    assert_problem(stack.get("/v1/products", params={"limit": 0}), 400, "limit")
    assert_problem(stack.get("/v1/products", params={"cursor": "not-a-cursor"}), 400, "cursor")


def test_unknown_sku_is_404_problem(stack: Stack) -> None:
    assert_problem(stack.get("/v1/products/no-such-sku"), 404)
