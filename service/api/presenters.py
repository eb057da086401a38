"""Turning stored products into API payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalog import StoredProduct


def _when(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def product_payload(product: StoredProduct) -> dict[str, Any]:
    """The product's content plus status, tags and timestamps (ProductOutSchema's shape)."""
    payload: dict[str, Any] = dict(product.doc)
    payload.update(
        sku=product.sku,
        status=product.status,
        tags=product.tags,
        taxonomy_version=product.taxonomy_version or None,
        tagged_at=_when(product.tagged_at),
        updated_at=_when(product.updated_at),
    )
    if product.error:
        payload["error"] = product.error
    return payload
