"""Bulk imports over real HTTP with real workers: JSON lines and Shopify CSV, the Sephora catalog mapped
by `neurotag import`, and the CLI's exit status when a body is broken."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import sephora_file
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration
SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "catalog.jsonl"


def wait_settled(stack: Stack, import_id: str, timeout: float = 60) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def settled() -> bool:
        found.update(stack.get(f"/v1/imports/{import_id}").json())
        return bool(found.get("completed_at"))

    stack.wait_for(settled, f"import {import_id} to settle", timeout)
    return found


def seed_products(suffix: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in SEEDS.read_text().splitlines() if line.strip()]
    return [{**row, "sku": f"{row['sku']}-{suffix}"} for row in rows]


def test_ndjson_import_is_tagged_by_the_workers(stack: Stack, unique: str) -> None:
    products = seed_products(unique)
    lines = [json.dumps(p) for p in products]
    lines.insert(3, '{"sku": "broken-' + unique)
    response = stack.post(
        "/v1/imports", data="\n".join(lines).encode(), headers={"Content-Type": "application/x-ndjson"}
    )
    assert response.status_code == 202, response.text
    record = wait_settled(stack, response.json()["id"])
    assert record["status"] == "completed"
    counts = record["counts"]
    assert counts["accepted"] == counts["tagged"] == len(products) and counts["rejected"] == 1
    assert record["errors"][0]["row"] == 4
    for product in products[:5]:
        assert stack.get(f"/v1/products/{product['sku']}").json()["status"] == "tagged"
    assert stack.get("/v1/imports").json()["items"][0]["id"] == record["id"]


def test_shopify_export_over_http(stack: Stack, unique: str) -> None:
    body = (
        "Handle,Title,Body (HTML),Vendor,Type,Tags,Variant Price\n"
        f"mask-{unique},Lavender Sleep Mask,<p>Calming overnight mask.</p>,Quietroot,Face Mask,sleep,30\n"
        f"mask-{unique},,,,,,45\n"
    )
    response = stack.post("/v1/imports", data=body.encode(), headers={"Content-Type": "text/csv"})
    assert response.status_code == 202, response.text
    record = wait_settled(stack, response.json()["id"])
    assert record["counts"]["rows"] == 1 and record["counts"]["tagged"] == 1
    product = stack.get(f"/v1/products/mask-{unique}").json()
    assert product["price"] == 30 and "Tags: sleep" in product["description"]


def write_key(stack: Stack) -> list[str]:
    """--key with the stack's write-scope key, when it has API keys (NEUROTAG_API_KEYS="scope:key,…")."""
    for entry in stack.env.get("NEUROTAG_API_KEYS", "").split(","):
        scope, _, key = entry.strip().partition(":")
        if scope in ("write", "admin") and key:
            return ["--key", key]
    return []


def run_cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "import", *args, "--url", stack.url, *write_key(stack)],
        capture_output=True,
        text=True,
        timeout=180,
        env=stack.env,
    )


def test_cli_imports_the_sephora_catalog_with_a_mapping(stack: Stack) -> None:
    """1.1 MB of CSV through a service whose single-product body limit is 64 KB."""
    path = sephora_file("sephora_cosmetics.csv")
    maps = ["Name:title", "Brand:brand", "Label:category", "Ingredients:ingredients", "Brand+Name:sku"]
    result = run_cli(stack, str(path), *(arg for m in maps for arg in ("--map", m)))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "upload" in result.stderr and "tagging" in result.stderr  # the progress bars
    summary = next(line for line in result.stderr.splitlines() if line.startswith("import "))
    assert " completed: " in summary and "1467 rows" in summary, summary
    product = stack.get("/v1/products/la-mer-creme-de-la-mer").json()
    assert product["status"] == "tagged" and product["category"] == "Moisturizer"


def test_cli_exits_non_zero_when_the_body_is_broken(stack: Stack, tmp_path: Path, unique: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(seed_products(unique)[:3])[:-30])
    result = run_cli(stack, str(path))
    assert result.returncode == 1, result.stderr
    assert "import refused (400)" in result.stderr and " failed (" in result.stderr


def test_cli_reports_an_unreachable_service(tmp_path: Path) -> None:
    path = tmp_path / "one.ndjson"
    path.write_text('{"sku": "a", "title": "A"}\n')
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "import", str(path), "--url", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "neurotag import:" in result.stderr
