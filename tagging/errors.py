"""Errors raised by the tagging engine: only a bad seed file can make it fail."""

from __future__ import annotations


class TaxonomyError(ValueError):
    """A seed file (taxonomy, lexicon, roles, ingredients) is missing or malformed; the message says where."""
