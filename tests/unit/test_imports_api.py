"""POST /v1/imports on fakeredis with RQ's SimpleWorker: formats, counts, row errors, duplicates,
unchanged products, cancellation, body limits and problem+json answers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.extensions import Services
from tests.conftest import sephora_file

PROBLEM = "application/problem+json"


def product(n: int, **extra: Any) -> dict[str, Any]:
    return {"sku": f"p{n}", "title": f"Hydrating Lavender Night Cream {n}", **extra}


def ndjson(items: list[Any]) -> str:
    return "\n".join(item if isinstance(item, str) else json.dumps(item) for item in items) + "\n"


def post(client: FlaskClient, body: str | bytes, media: str, query: str = "") -> TestResponse:
    return client.post(f"/v1/imports{query}", data=body, content_type=media)


def finish(client: FlaskClient, work: Callable[[], None], response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 202, response.get_data(as_text=True)
    work()
    record = client.get(response.headers["Location"]).json
    assert record is not None
    return record


def test_ndjson_import_with_bad_rows_and_duplicates(client: FlaskClient, work: Callable[[], None]) -> None:
    rows = [product(n) for n in range(1, 1201)]
    rows.insert(4, "{not json")  # line 5
    rows.insert(9, {"sku": "no-title"})  # line 10
    rows.append(product(3, title="Mineral Sunscreen SPF 50"))  # line 1203: repeats p3, the last row wins
    response = post(client, ndjson(rows), "application/x-ndjson")
    assert response.status_code == 202
    assert response.headers["Location"] == f"/v1/imports/{response.json['id']}"
    assert response.json["receiving"] is False and response.json["status"] in ("queued", "running")

    record = finish(client, work, response)
    assert record["status"] == "completed" and record["completed_at"] and record["progress"] == 1.0
    assert record["counts"] == {
        "rows": 1203,
        "accepted": 1200,
        "rejected": 2,
        "unchanged": 0,
        "duplicates": 1,
        "tagged": 1200,
        "failed": 0,
        "superseded": 0,
    }
    assert [(e["row"], e["sku"]) for e in record["errors"]] == [(5, None), (10, "no-title")]
    assert record["errors"][1]["errors"] == [{"field": "title", "detail": "Missing data for required field."}]
    last = client.get("/v1/products/p3").json
    assert last["title"] == "Mineral Sunscreen SPF 50" and last["status"] == "tagged"
    assert "sun-protection" in {t["id"] for t in last["tags"]}


def test_reimport_skips_unchanged_and_counts_changed(client: FlaskClient, work: Callable[[], None]) -> None:
    rows = [product(n) for n in range(20)]
    finish(client, work, post(client, json.dumps(rows), "application/json"))
    rows[7] = product(7, description="Now with vitamin C, an antioxidant.")
    record = finish(client, work, post(client, json.dumps(rows), "application/json"))
    counts = record["counts"]
    assert (counts["unchanged"], counts["accepted"], counts["tagged"]) == (19, 1, 1)
    assert record["status"] == "completed"


def test_identical_repeat_is_a_duplicate_that_costs_nothing(
    client: FlaskClient, work: Callable[[], None]
) -> None:
    rows = [product(1), product(2), product(1)]
    record = finish(client, work, post(client, ndjson(rows), "application/x-ndjson"))
    assert record["counts"]["duplicates"] == 1 and record["counts"]["accepted"] == 2


def test_json_array_broken_midway_keeps_the_rows_before(
    client: FlaskClient, services: Services, work: Callable[[], None]
) -> None:
    body = json.dumps([product(n) for n in range(5)])[:-40]
    response = post(client, body, "application/json")
    assert response.status_code == 400 and response.content_type == PROBLEM
    problem = response.json
    assert "row 5" in problem["detail"] and problem["import_id"]
    assert response.headers["Location"] == f"/v1/imports/{problem['import_id']}"
    work()
    record = client.get(response.headers["Location"]).json
    assert record["status"] == "failed" and "row 5" in record["error"]
    assert record["counts"]["accepted"] == 4 and record["counts"]["tagged"] == 4 and record["completed_at"]


def test_csv_with_our_field_names(client: FlaskClient, work: Callable[[], None]) -> None:
    body = "sku,title,brand,price,notes\nc1,Calming Sleep Mask,Quietroot,12.5,x\nc2,,Quietroot,abc,y\n"
    record = finish(client, work, post(client, body, "text/csv"))
    assert record["counts"]["accepted"] == 1 and record["counts"]["rejected"] == 1
    assert record["columns"]["kind"] == "fields" and record["columns"]["ignored"] == ["notes"]
    error = record["errors"][0]
    assert error["row"] == 3 and {e["field"] for e in error["errors"]} == {"title", "price"}
    assert client.get("/v1/products/c1").json["price"] == 12.5


def test_shopify_export(client: FlaskClient, work: Callable[[], None]) -> None:
    body = (
        "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Variant Price,Image Src\n"
        "calm-mask,Calm Mask,<p>An overnight mask with calming lavender.</p>,Quietroot,,Face Mask,sleep,32,\n"
        "calm-mask,,,,,,,48,https://example.com/calm.jpg\n"
        "spf-30,Daily Mineral Sunscreen SPF 30,,Sunny,Skin Care > Sunscreen,,,20,\n"
    )
    record = finish(client, work, post(client, body, "text/csv"))
    assert record["columns"]["kind"] == "shopify"
    assert record["counts"]["rows"] == 2 and record["counts"]["tagged"] == 2
    mask = client.get("/v1/products/calm-mask").json
    assert mask["price"] == 32 and mask["image_url"] == "https://example.com/calm.jpg"
    assert client.get("/v1/products/spf-30").json["category"] == "Sunscreen"


def test_explicit_mapping_of_the_sephora_cosmetics_csv(client: FlaskClient, work: Callable[[], None]) -> None:
    path = sephora_file("sephora_cosmetics.csv")
    query = (
        "?map=Name:title&map=Brand:brand&map=Label:category&map=Ingredients:ingredients&map=Brand%2BName:sku"
    )
    record = finish(client, work, post(client, path.read_bytes(), "text/csv", query))
    with path.open(encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.DictReader(stream))
    counts = record["counts"]
    assert counts["rows"] == len(lines) and record["status"] == "completed"
    assert counts["accepted"] + counts["rejected"] + counts["duplicates"] == len(lines)
    assert counts["tagged"] == counts["accepted"] > 1000
    assert record["columns"]["fields"]["sku"] == ["Brand", "Name"]
    mer = client.get("/v1/products/la-mer-creme-de-la-mer").json
    assert mer["title"] == "Crème de la Mer" and mer["brand"] == "LA MER" and mer["status"] == "tagged"


def test_csv_header_that_cannot_be_mapped(client: FlaskClient) -> None:
    response = post(client, "Name,Brand\nA,B\n", "text/csv")
    assert response.status_code == 422 and response.content_type == PROBLEM
    assert "map=" in response.json["detail"]
    record = client.get(response.headers["Location"]).json
    assert record["status"] == "failed" and record["counts"]["rows"] == 0


def test_mapping_syntax_errors_are_query_errors(client: FlaskClient) -> None:
    response = post(client, "a\n", "text/csv", "?map=Name")
    assert response.status_code == 400 and response.json["errors"][0]["field"] == "map"
    response = post(client, "[]", "application/json", "?map=Name:title")
    assert response.status_code == 400


def test_unknown_media_type_is_415(client: FlaskClient) -> None:
    response = post(client, "sku,title\n", "text/plain")
    assert response.status_code == 415 and response.content_type == PROBLEM


def test_import_limit_is_separate_from_the_product_limit(app: Flask, client: FlaskClient) -> None:
    app.config.update(MAX_CONTENT_LENGTH=1000, IMPORT_MAX_BYTES=50_000)
    rows = ndjson([product(n, description="x" * 100) for n in range(100)])  # ~17 KB
    assert 1000 < len(rows) < 50_000
    assert post(client, rows, "application/x-ndjson").status_code == 202
    big = client.post("/v1/products", json=product(1, description="x" * 2000))
    assert big.status_code == 413
    too_big = post(client, rows * 4, "application/x-ndjson")
    assert too_big.status_code == 413 and too_big.content_type == PROBLEM


def test_errors_are_paged(client: FlaskClient) -> None:
    rows = [{"sku": f"bad{n}"} for n in range(25)]
    import_id = post(client, ndjson(rows), "application/x-ndjson").json["id"]
    first = client.get(f"/v1/imports/{import_id}/errors?limit=10").json
    assert first["total"] == 25 and len(first["items"]) == 10 and first["next_offset"] == 10
    last = client.get(f"/v1/imports/{import_id}/errors?offset=20&limit=10").json
    assert [e["row"] for e in last["items"]] == [21, 22, 23, 24, 25] and last["next_offset"] is None


def test_cancel_fails_products_not_yet_tagged(client: FlaskClient, work: Callable[[], None]) -> None:
    response = post(client, ndjson([product(n) for n in range(30)]), "application/x-ndjson")
    import_id = response.json["id"]
    cancelled = client.delete(f"/v1/imports/{import_id}")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    work()
    record = client.get(f"/v1/imports/{import_id}").json
    assert record["status"] == "cancelled" and record["counts"]["failed"] == 30 and record["completed_at"]
    failed = client.get("/v1/products/p3").json
    assert failed["status"] == "failed" and "cancelled" in failed["error"]
    again = client.delete(f"/v1/imports/{import_id}")  # DELETE is idempotent
    assert again.status_code == 200 and again.json["status"] == "cancelled"


def test_a_completed_import_cannot_be_cancelled(client: FlaskClient, work: Callable[[], None]) -> None:
    record = finish(client, work, post(client, ndjson([product(1)]), "application/x-ndjson"))
    response = client.delete(f"/v1/imports/{record['id']}")
    assert response.status_code == 409 and response.content_type == PROBLEM
    assert "completed" in response.json["detail"]


def test_unknown_import_is_404(client: FlaskClient) -> None:
    for response in (client.get("/v1/imports/nope"), client.delete("/v1/imports/nope")):
        assert response.status_code == 404 and response.content_type == PROBLEM
    assert client.get("/v1/imports/nope/errors").status_code == 404


def test_openapi_documents_the_import_routes(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").json["paths"]
    assert {"/v1/imports", "/v1/imports/{import_id}", "/v1/imports/{import_id}/errors"} <= set(paths)
    assert set(paths["/v1/imports"]["post"]["requestBody"]["content"]) >= {"application/json", "text/csv"}


def test_streamed_request_body_of_unknown_length(
    app: Flask, client: FlaskClient, work: Callable[[], None]
) -> None:
    """A chunked upload has no Content-Length: the import limit still holds while it is read."""
    app.config.update(IMPORT_MAX_BYTES=5_000)
    body = ndjson([product(n) for n in range(200)]).encode()
    response = client.post(
        "/v1/imports",
        input_stream=io.BytesIO(body),
        content_type="application/x-ndjson",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn sets it for a chunked body
    )
    assert response.status_code == 413 and response.json["import_id"]
    work()
    record = client.get(f"/v1/imports/{response.json['import_id']}").json
    assert record["status"] == "failed" and 0 < record["counts"]["accepted"] < 200
    assert record["counts"]["tagged"] == record["counts"]["accepted"]


def test_a_body_of_unknown_length_the_server_cannot_end_is_411(client: FlaskClient) -> None:
    response = client.post(
        "/v1/imports",
        input_stream=io.BytesIO(b"[]"),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
    )
    assert response.status_code == 411 and response.content_type == PROBLEM


def test_recent_imports_are_listed_newest_first(client: FlaskClient) -> None:
    first = post(client, ndjson([product(1)]), "application/x-ndjson").json["id"]
    second = post(client, ndjson([product(2)]), "application/x-ndjson").json["id"]
    listed = client.get("/v1/imports?limit=5").json["items"]
    assert [i["id"] for i in listed[:2]] == [second, first] and listed[0]["errors"] == []


def test_an_upload_cut_short_fails_its_import_and_keeps_what_arrived(
    client: FlaskClient, work: Callable[[], None]
) -> None:
    body = ndjson([product(n) for n in range(1200)]).encode()
    response = client.post(
        "/v1/imports",
        input_stream=io.BytesIO(body[: len(body) // 2]),  # the client promised more, then went away
        content_type="application/x-ndjson",
        environ_overrides={"CONTENT_LENGTH": str(len(body))},
    )
    assert response.status_code == 400 and "interrupted" in response.json["detail"]
    work()
    record = client.get(f"/v1/imports/{response.json['import_id']}").json
    assert record["status"] == "failed" and record["counts"]["tagged"] == record["counts"]["accepted"] > 500
