"""Errors raised by the tagging engine.

ValueError
 ├── TaxonomyError     a seed file is missing or malformed (at load)
 └── ProductTooLarge   a product's text is beyond what the engine will read (at tagging)
"""

from __future__ import annotations


class TaxonomyError(ValueError):
    """A seed file (taxonomy, lexicon, roles, ingredients) is missing or malformed; the message says where."""


class ProductTooLarge(ValueError):
    """The product's text is longer than the engine's limit: it fails with this reason, the others proceed."""
