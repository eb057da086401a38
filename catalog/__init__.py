"""The Redis data model: products, the per-tag index and its queries; the only code that knows key names."""

from __future__ import annotations

from catalog.errors import CatalogError, InvalidCursor
from catalog.index import QueryPage, TagIndex
from catalog.keys import Keys
from catalog.products import ProductStore, StoredProduct, content_hash

__all__ = [
    "CatalogError",
    "InvalidCursor",
    "Keys",
    "ProductStore",
    "QueryPage",
    "StoredProduct",
    "TagIndex",
    "content_hash",
]
