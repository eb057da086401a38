"""Folded words and title sort keys: what `q` and `sort=title` match and order products by."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tagging.folding import fold_phrase

MAX_WORDS = 64  # per product: a title and a brand, not a description
MAX_WORD_LENGTH = 40
TITLE_KEY_LENGTH = 120  # longer titles tie on their first 120 folded characters, then order by id
PREFIX_MIN_LENGTH = 3  # shorter query words match whole words only ("c" in "vitamin c")
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """Folded words of text, in order, duplicates kept: case, accents and punctuation folded away."""
    return [w[:MAX_WORD_LENGTH] for w in _WORD.findall(fold_phrase(text))]


def search_fields(doc: Mapping[str, Any]) -> dict[str, str]:
    """The product-hash fields the index reads when the product is listed (catalog/lua/lib.lua)."""
    title = doc.get("title") if isinstance(doc.get("title"), str) else ""
    brand = doc.get("brand") if isinstance(doc.get("brand"), str) else ""
    unique = list(dict.fromkeys(words(f"{title} {brand}")))[:MAX_WORDS]
    return {"search_words": " ".join(unique), "title_key": fold_phrase(str(title))[:TITLE_KEY_LENGTH]}


def query_terms(q: str) -> list[tuple[str, bool]]:
    """(word, match as prefix) for each distinct word of a `q`: every one must match a title or brand."""
    return [(w, len(w) >= PREFIX_MIN_LENGTH) for w in dict.fromkeys(words(q))]
