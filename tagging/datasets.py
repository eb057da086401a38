"""Reading the public Sephora catalogs (../shared/data) into product dicts, for evaluation and benchmarks."""

from __future__ import annotations

import ast
import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _literal_list(text: str) -> list[str]:
    if not text:
        return []
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def sephora_products(path: Path) -> Iterator[dict[str, Any]]:
    """sephora_product_info.csv as products; `highlights` and `primary_category` ride along for
    evaluation only (the tagger ignores fields it does not know)."""
    with path.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            ingredients = _literal_list(row.get("ingredients", ""))
            categories = [
                row.get(k, "") for k in ("primary_category", "secondary_category", "tertiary_category")
            ]
            yield {
                "sku": row["product_id"],
                "title": row["product_name"],
                "brand": row["brand_name"],
                "category": " / ".join(c for c in categories if c),
                "ingredients": ingredients[0] if len(ingredients) == 1 else ingredients,
                "highlights": _literal_list(row.get("highlights", "")),
                "primary_category": row.get("primary_category", ""),
            }


def cosmetics_products(path: Path) -> Iterator[dict[str, Any]]:
    """sephora_cosmetics.csv as products, with a SKU derived from brand and name."""
    with path.open(encoding="utf-8-sig") as stream:
        for row in csv.DictReader(stream):
            ingredients = row.get("Ingredients", "")
            yield {
                "sku": derived_sku(row["Brand"], row["Name"]),
                "title": row["Name"],
                "brand": row["Brand"],
                "category": row["Label"],
                "ingredients": "" if ingredients.strip().lower() in ("no info", "#name?") else ingredients,
            }


def derived_sku(brand: str, name: str) -> str:
    """A stable SKU from brand and name: lower-case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", f"{brand} {name}".lower()).strip("-")[:128]
