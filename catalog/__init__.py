"""The Redis data model: products, the per-tag index and its queries; the only code that knows key names."""

from __future__ import annotations

from catalog.errors import CatalogError, InvalidCursor
from catalog.index import TagIndex
from catalog.keys import Keys
from catalog.products import ProductStore, StoredProduct, content_hash
from catalog.search import CatalogSearch, SearchPage, SearchQuery

__all__ = [
    "CatalogError",
    "CatalogSearch",
    "InvalidCursor",
    "Keys",
    "ProductStore",
    "SearchPage",
    "SearchQuery",
    "StoredProduct",
    "TagIndex",
    "content_hash",
]
