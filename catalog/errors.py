"""Errors of the data model.

CatalogError
 └── InvalidCursor   a pagination cursor that this service did not issue
"""

from __future__ import annotations


class CatalogError(Exception):
    """Base class for data-model errors."""


class InvalidCursor(CatalogError):
    """The cursor is not one this service issued (or it was tampered with)."""
