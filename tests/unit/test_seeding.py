"""Seeding goes through the import path: an import record, counts and row errors, once per Redis."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

from service.extensions import Services
from service.seeding import read_products, seed_once
from tagging.seeds import seeds_dir


def test_seed_catalog_is_imported_once(services: Services, work: Callable[[], None]) -> None:
    path = seeds_dir() / "catalog.jsonl"
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    record = seed_once(services, path)
    assert record is not None and record.counts["accepted"] == len(lines) and record.counts["rejected"] == 0
    work()
    settled = services.redis.hget(services.store.keys.import_record(record.id), "status")
    assert settled == b"completed"
    assert seed_once(services, path) is None


def test_seed_file_with_bad_rows_reports_them(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "seed.jsonl"
    path.write_text(json.dumps({"sku": "a", "title": "Hydrating Cream"}) + "\n{oops\n" + '{"sku": "b"}\n')
    record = seed_once(services, path)
    assert record is not None and record.counts["accepted"] == 1
    assert [e["row"] for e in record.first_errors] == [2, 3]


def test_read_products_reports_a_broken_array_as_a_row() -> None:
    rows = list(read_products(io.BytesIO(b'[{"sku": "a"}, {"sku": ')))
    assert rows[0] == (1, {"sku": "a"})
    assert rows[1][0] == 2 and isinstance(rows[1][1], ValueError)
