"""Property tests: on any text the engine never raises, is deterministic, and every evidence span
points into its field."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagging import load_tagger
from tagging.engine import ingredient_fields

TAGGER = load_tagger()
# Text biased towards what the lexicons react to, mixed with arbitrary unicode and HTML debris.
WORDS = st.sampled_from(
    [
        "SPF 30", "fragrance-free", "not", "without", "lavender", "Rose", "rose gold", "hydrating", "calming",
        "Glycerin", "Zinc Oxide", "Phenoxyethanol", "(Water)", "Aqua/Water/Eau", "2%", "May contain (+/-):",
        "Cream Cleanser:", "*organic", "<b>", "</p>", "&amp;", "&nbsp;", "·", "•", ",", ".", ";", "\n",
        "é", "ß", "İ", "ﬁ", "\u0301", "\x00", "massage in", "overnight", "stress-free", "retinol", "Menthol",
    ]
)  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=300), st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=40).map(" ".join)
)
PRODUCTS = st.fixed_dictionaries(
    {"title": TEXT, "description": TEXT, "category": TEXT},
    optional={"ingredients": st.one_of(TEXT, st.lists(TEXT, max_size=4)), "brand": TEXT},
)


def field_text(product: dict[str, Any], field: str) -> str:
    return dict(ingredient_fields(product.get("ingredients"))).get(field) or product[field]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PRODUCTS)
def test_never_raises_and_evidence_points_into_its_field(product: dict[str, Any]) -> None:
    for tag in TAGGER.score_all(product):
        assert 0 < tag.score <= 1
        assert tag.id in TAGGER.taxonomy.tags
        for evidence in tag.evidence:
            text = field_text(product, evidence.field)
            assert 0 <= evidence.start < evidence.end <= len(text)
            assert text[evidence.start : evidence.end] == evidence.text


@settings(max_examples=200, deadline=None)
@given(PRODUCTS)
def test_deterministic(product: dict[str, Any]) -> None:
    assert TAGGER.score_all(product) == TAGGER.score_all(dict(product))
