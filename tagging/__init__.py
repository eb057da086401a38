"""The tagging engine: pure Python, no Flask, no Redis — products in, scored tags with evidence out."""

from __future__ import annotations

from tagging.engine import Tagger, load_tagger
from tagging.errors import ProductTooLarge, TaxonomyError
from tagging.model import Evidence, TagScore
from tagging.taxonomy import Taxonomy

__all__ = ["Evidence", "ProductTooLarge", "TagScore", "Tagger", "Taxonomy", "TaxonomyError", "load_tagger"]
