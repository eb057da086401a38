"""Turning stored products into API payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalog import StoredProduct
from tagging import Taxonomy


def _when(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def product_payload(product: StoredProduct, taxonomy: Taxonomy) -> dict[str, Any]:
    """The product's content plus status, tags (corrections applied) and timestamps (ProductOutSchema)."""
    infos = taxonomy.tags
    tags = [
        {"group": infos[t["id"]].group, "label": infos[t["id"]].label, **t}
        for t in product.effective_tags()
        if t["id"] in infos
    ]
    payload: dict[str, Any] = dict(product.doc)
    payload.update(
        sku=product.sku,
        status=product.status,
        tags=tags,
        taxonomy_version=product.taxonomy_version or None,
        tagged_at=_when(product.tagged_at),
        updated_at=_when(product.updated_at),
    )
    if product.error:
        payload["error"] = product.error
    return payload
