"""Evidence stored as field and offsets only: the words come back from the product's own text."""

from __future__ import annotations

from typing import Any

import fakeredis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import Keys, ProductStore
from catalog.evidence import decode, encode
from catalog.products import TaggingOutcome

DOC = {
    "title": "Calm Night Cream",
    "description": "Lavender oil soothes; SPF 30.",
    "ingredients": ["Aqua, Glycerin", "Niacinamide, Tocopherol"],
    "category": "Moisturizers",
}


def _evidence(field: str, start: int, end: int, doc: dict[str, Any] = DOC) -> dict[str, Any]:
    value = doc[field.split("[")[0]]
    text = value[int(field[-2])] if field.endswith("]") else value
    return {"field": field, "text": text[start:end], "start": start, "end": end}


def test_round_trip_cuts_the_words_from_the_document() -> None:
    tags = [
        [_evidence("title", 0, 4), _evidence("description", 0, 8)],
        [],
        [_evidence("ingredients[1]", 0, 11), _evidence("category", 0, 12)],
    ]
    stored = encode(tags)
    assert "Lavender" not in stored and "Niacinamide" not in stored  # offsets only
    assert decode(stored, 3, DOC) == tags


def test_fields_outside_the_usual_ones_keep_their_names() -> None:
    doc = {"notes": ["x", "warm amber accord"]}
    tags = [[{"field": "notes[1]", "text": "amber", "start": 5, "end": 10}]]
    assert decode(encode(tags), 1, doc) == tags


def test_missing_parts_read_as_no_evidence_and_text_gone_reads_empty() -> None:
    assert decode("", 2, DOC) == [[], []]
    [[item]] = decode(encode([[_evidence("ingredients[1]", 0, 11)]]), 1, {"ingredients": ["only one"]})
    assert item["text"] == "" and item["field"] == "ingredients[1]"


def test_a_field_name_that_cannot_be_stored_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be stored"):
        encode([[{"field": "two words", "start": 0, "end": 1}]])


FIELDS = st.sampled_from(["title", "description", "ingredients[0]", "ingredients[1]"])
EVIDENCE = st.tuples(FIELDS, st.integers(0, 30), st.integers(0, 30))


@given(st.lists(st.lists(EVIDENCE, max_size=5), max_size=8))
def test_any_evidence_round_trips(raw: list[list[tuple[str, int, int]]]) -> None:
    tags = [[_evidence(field, min(a, b), max(a, b)) for field, a, b in items] for items in raw]
    assert decode(encode(tags), len(tags), DOC) == tags


def test_new_content_keeps_the_previous_tags_but_not_their_evidence() -> None:
    store = ProductStore(fakeredis.FakeRedis(), Keys("ev"))
    doc = {"sku": "s1", "title": "Calm Night Cream"}
    store.upsert([doc], lambda pipe, skus: None)
    tags = [{"id": "soothing", "score": 0.9, "evidence": [_evidence("title", 0, 4, doc)]}]
    stored = store.get("s1")
    assert stored is not None
    store.commit([TaggingOutcome("s1", stored.hash, tags, doc=doc)], "v1")
    assert store.get("s1").tags[0]["evidence"] == [{"field": "title", "text": "Calm", "start": 0, "end": 4}]  # type: ignore[union-attr]

    store.upsert([doc], lambda pipe, skus: None)  # the same content again: evidence stays
    assert store.get("s1").tags[0]["evidence"][0]["text"] == "Calm"  # type: ignore[union-attr]
    store.upsert([{**doc, "title": "Bold Day Gel"}], lambda pipe, skus: None)
    changed = store.get("s1")
    assert changed is not None and changed.status == "pending"
    assert changed.tags == [{"id": "soothing", "score": 0.9, "evidence": []}]
