"""The engine on the taxonomy's own examples: the four article products, negation, decoys, position rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tagging import Tagger, load_tagger
from tagging.engine import ingredient_fields
from tests.article import ARTICLE

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return load_tagger()


def tag_ids(tagger: Tagger, **product: Any) -> set[str]:
    return {t.id for t in tagger.tag(product)}


def seed_products() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SEEDS / "catalog.jsonl").read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("title", sorted(ARTICLE))
def test_article_products(tagger: Tagger, title: str) -> None:
    product = next(p for p in seed_products() if p["title"] == title)
    must, may = ARTICLE[title]
    got = {t.id for t in tagger.tag(product)}
    assert must <= got, f"missing {must - got}"
    assert got <= must | may, f"false positives {got - must - may}"


def test_every_tag_has_evidence_pointing_into_its_field(tagger: Tagger) -> None:
    for product in seed_products():
        fields = dict(ingredient_fields(product.get("ingredients")))
        for tag in tagger.tag(product):
            assert 0 < tag.score <= 1
            assert tag.evidence, f"{product['sku']}: {tag.id} has no evidence"
            for evidence in tag.evidence:
                text = fields.get(evidence.field) or product[evidence.field]
                assert text[evidence.start : evidence.end] == evidence.text


def test_negated_claims_do_not_count(tagger: Tagger) -> None:
    assert "sun-protection" not in tag_ids(
        tagger, title="Glow Primer", description="Blurs pores. Not a sunscreen."
    )
    assert "sun-protection" not in tag_ids(tagger, title="Day Cream without SPF")
    assert "stress-defense" not in tag_ids(
        tagger, title="Kids Lotion", description="A stress-free application."
    )
    assert "sun-protection" in tag_ids(tagger, title="Day Cream SPF 30")


def test_fragrance_free_vetoes_scent_from_ingredients(tagger: Tagger) -> None:
    inci = "Water, Lavandula Angustifolia (Lavender) Oil, Glycerin, Cetyl Alcohol, Phenoxyethanol"
    assert "neuroscent" in tag_ids(tagger, title="Body Lotion", ingredients=inci)
    assert "neuroscent" not in tag_ids(tagger, title="Fragrance-Free Body Lotion", ingredients=inci)
    assert "neuroscent" not in tag_ids(
        tagger, title="Body Lotion", description="Unscented.", ingredients=inci
    )


def test_decoys_are_not_scents(tagger: Tagger) -> None:
    assert "neuroscent" not in tag_ids(tagger, title="Rose Gold Highlighter")
    assert "neuroscent" not in tag_ids(tagger, title="Rosehip Seed Face Oil")
    assert "neuroscent" in tag_ids(tagger, title="Rose Body Oil")


def test_position_rules_for_ingredients(tagger: Tagger) -> None:
    filler = ", ".join(f"Filler {n}" for n in range(12))
    early = f"Water, Glycerin, {filler}"
    late = f"Water, {filler}, Glycerin"
    assert "hydration" in tag_ids(tagger, title="Face Cream", ingredients=early)
    assert "hydration" not in tag_ids(tagger, title="Face Cream", ingredients=late)


def test_rinse_off_needs_a_claim(tagger: Tagger) -> None:
    inci = "Water, Glycerin, Sodium Cocoyl Glycinate, Coco-Betaine"
    assert "hydration" not in tag_ids(tagger, title="Gentle Foaming Cleanser", ingredients=inci)
    assert "hydration" in tag_ids(tagger, title="Hydrating Foaming Cleanser", ingredients=inci)


def test_two_uv_filters_high_in_the_list_make_sun_protection(tagger: Tagger) -> None:
    two = "Zinc Oxide, Titanium Dioxide, Water, Squalane, Glycerin, Silica"
    one = "Water, Zinc Oxide, Calamine, Glycerin, Silica, Talc"
    assert "sun-protection" in tag_ids(tagger, title="Mineral Veil", ingredients=two)
    assert "sun-protection" not in tag_ids(tagger, title="Drying Lotion", ingredients=one)


def test_scores_rank_stronger_evidence_higher(tagger: Tagger) -> None:
    strong = tagger.tag({"title": "Retinol Night Serum", "description": "Smooths fine lines and wrinkles."})
    weak = tagger.score_all(
        {"title": "Body Wash", "ingredients": "Water, Sodium Laureth Sulfate, Retinyl Palmitate"}
    )
    strong_score = next(t.score for t in strong if t.id == "collagen-support")
    weak_score = next((t.score for t in weak if t.id == "collagen-support"), 0.0)
    assert strong_score > weak_score


def test_french_and_spanish_get_the_obvious_tags(tagger: Tagger) -> None:
    assert {"hydration", "sun-protection"} <= tag_ids(
        tagger, title="Crème hydratante SPF 30", description="Protection solaire, sans parfum."
    )
    assert "soothing" in tag_ids(tagger, title="Gel calmante", description="Calma las rojeces.")


def test_the_engine_is_deterministic(tagger: Tagger) -> None:
    product = seed_products()[10]
    assert tagger.tag(product) == tagger.tag(product)


def test_a_poison_product_is_refused_with_a_reason(tagger: Tagger) -> None:
    from tagging import ProductTooLarge

    with pytest.raises(ProductTooLarge, match="5,000,004 characters; the engine reads at most"):
        tagger.tag({"title": "Huge", "description": "x" * 5_000_000})


def test_a_scent_named_on_colour_makeup_is_a_shade(tagger: Tagger) -> None:
    assert "neuroscent" not in tag_ids(tagger, title="Rose Eyeshadow Palette", category="Makeup / Eye")
    assert "neuroscent" in tag_ids(tagger, title="Rose Face Mist", category="Skincare / Mists")
    assert "sensory-touch" in tag_ids(tagger, title="Aqua Jelly Cleanser")
    assert "sensory-touch" not in tag_ids(tagger, title="Lip Jelly Tint", category="Makeup / Lip / Lip Stain")


def test_an_applicator_with_a_formula_is_not_a_tool(tagger: Tagger) -> None:
    """Tools carry no formula; a roll-on with an ingredient list is judged by its ingredients."""
    inci = "Water, Glycerin, Butylene Glycol, Caffeine, Carbomer, Phenoxyethanol"
    assert "hydration" in tag_ids(tagger, title="Detox Eye Roller", category="Eye cream", ingredients=inci)


def test_home_scents_and_perfume_bases(tagger: Tagger) -> None:
    assert "neuroscent" in tag_ids(
        tagger, title="State of Pine Candle", category="Fragrance / Candles & Home Scents"
    )
    perfume = (
        "Alcohol Denat., Fragrance, Water, Glycerin, Aloe Barbadensis Leaf Juice, Phenoxyethanol, Limonene"
    )
    tags = tag_ids(tagger, title="Warm Cotton", category="Fragrance / Women / Perfume", ingredients=perfume)
    assert not tags & {"hydration", "soothing"}  # glycerin and aloe are the juice's base
    lotion = "Water, Glycerin, Aloe Barbadensis Leaf Juice, Cetearyl Alcohol, Fragrance, Phenoxyethanol"
    body = {"title": "Warm Cotton Body Lotion", "category": "Fragrance / Women / Body Lotion"}
    assert "hydration" in tag_ids(tagger, **body, ingredients=lotion)


def test_wash_off_clay_masks_are_rinse_off(tagger: Tagger) -> None:
    inci = "Water, Kaolin, Glycerin, Bentonite, Zinc PCA, Xanthan Gum, Phenoxyethanol"
    assert "hydration" not in tag_ids(tagger, title="Purifying Clay Mask", ingredients=inci)
    assert "hydration" in tag_ids(tagger, title="Overnight Hydrating Mask", ingredients=inci)
