"""Shopify's product CSV export: one product per Handle, its variant and image rows folded into it.

Columns read: Handle → sku, Title → title, Body (HTML) → description, Vendor → brand, Type (else the last
level of Product Category) → category, the first Variant Price → price, the first Image Src → image_url,
an "Ingredients …" metafield column → ingredients. Tags are appended to the description as a last line
("Tags: …") so that the engine reads them; we have no field of their own for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.formats import Record, Row

HANDLE, TITLE = "Handle", "Title"
_COLUMNS = {
    "title": "Title",
    "description": "Body (HTML)",
    "brand": "Vendor",
    "type": "Type",
    "product_category": "Product Category",
    "tags": "Tags",
    "price": "Variant Price",
    "image_url": "Image Src",
}


def is_shopify(header: Sequence[str]) -> bool:
    return HANDLE in header and TITLE in header


def describe(header: Sequence[str]) -> dict[str, Any]:
    used = {HANDLE, *_COLUMNS.values(), *(_ingredients_columns(header))}
    return {
        "kind": "shopify",
        "fields": {
            "sku": [HANDLE],
            "title": [TITLE],
            "description": ["Body (HTML)", "Tags"],
            "brand": ["Vendor"],
            "category": ["Type", "Product Category"],
            "price": ["Variant Price"],
            "image_url": ["Image Src"],
            "ingredients": _ingredients_columns(header)[:1],
        },
        "ignored": [name for name in header if name not in used and name],
    }


def _ingredients_columns(header: Sequence[str]) -> list[str]:
    return [name for name in header if name.lower().startswith("ingredients")]


@dataclass
class _Product:
    handle: str
    line: int
    values: dict[str, str] = field(default_factory=dict)

    def fill(self, row: dict[str, str]) -> None:
        """Keep the first non-empty value of each column: the product row first, then its variants."""
        for name, value in row.items():
            if value.strip() and not self.values.get(name):
                self.values[name] = value.strip()


def shopify_rows(header: Sequence[str], records: Iterator[Record]) -> Iterator[Row]:
    """Consecutive records of one Handle fold into one product, numbered by its first line."""
    wanted = {name: i for i, name in enumerate(header) if name in _COLUMNS.values()}
    ingredients = _ingredients_columns(header)
    if ingredients:
        wanted["Ingredients"] = list(header).index(ingredients[0])
    handle_at = list(header).index(HANDLE)
    current: _Product | None = None
    for record in records:
        if record.error is not None:
            yield Row(record.line, error=record.error)
            continue
        handle = record.values[handle_at].strip()
        if not handle:
            yield Row(record.line, error="No Handle: a Shopify row must name its product.")
            continue
        if current is None or handle != current.handle:
            if current is not None:
                yield _row(current)
            current = _Product(handle, record.line)
        current.fill({name: record.values[i] for name, i in wanted.items()})
    if current is not None:
        yield _row(current)


def _row(product: _Product) -> Row:
    v = product.values
    doc: dict[str, Any] = {"sku": product.handle}
    if v.get("Title"):
        doc["title"] = v["Title"]
    description = v.get("Body (HTML)", "")
    if v.get("Tags"):
        description = f"{description}\n\nTags: {v['Tags']}" if description else f"Tags: {v['Tags']}"
    if description:
        doc["description"] = description
    category = v.get("Type") or v.get("Product Category", "").split(">")[-1].strip()
    for name, value in (
        ("brand", v.get("Vendor")),
        ("category", category),
        ("price", v.get("Variant Price")),
        ("image_url", v.get("Image Src")),
        ("ingredients", v.get("Ingredients")),
    ):
        if value:
            doc[name] = value
    return Row(product.line, doc)
