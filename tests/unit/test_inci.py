"""INCI parsing: separators, synonyms, percentages, footnotes, colourant tails, kits, drug facts."""

from __future__ import annotations

from tagging.inci import match_names, parse_inci


def names(text: str) -> list[str]:
    return [i.text for i in parse_inci([("ingredients", text)])]


def test_separators_and_bracketed_commas() -> None:
    assert names("Water; Glycerin • Squalane\nExtract (Leaf, Root), Niacinamide") == [
        "Water",
        "Glycerin",
        "Squalane",
        "Extract (Leaf, Root)",
        "Niacinamide",
    ]


def test_synonyms_slashes_and_percentages() -> None:
    assert match_names("Butyrospermum Parkii (Shea) Butter") == (
        "butyrospermum parkii shea butter",
        "butyrospermum parkii butter",
        "shea butter",
    )
    assert "aqua" in match_names("Water/Aqua/Eau")
    parsed = parse_inci([("ingredients", "Salicylic Acid 2%, Water")])
    assert parsed[0].names == ("salicylic acid",)
    assert parsed[0].text == "Salicylic Acid 2%"


def test_footnotes_trailing_periods_and_colourants() -> None:
    parsed = parse_inci(
        [
            (
                "ingredients",
                "Water, Aloe Vera*, Tocopherol. *Certified organic. May contain (+/-): CI 77891, Iron Oxides",
            )
        ]
    )
    assert [i.text for i in parsed] == ["Water", "Aloe Vera", "Tocopherol", "CI 77891", "Iron Oxides"]
    assert [i.colourant for i in parsed] == [False, False, False, True, True]
    assert [i.position for i in parsed[:3]] == [1, 2, 3]


def test_offsets_point_into_the_field() -> None:
    text = "  Aqua (Water),  Glycerin.  "
    for ingredient in parse_inci([("ingredients", text)]):
        assert text[ingredient.start : ingredient.end] == ingredient.text


def test_kits_restart_positions_per_component() -> None:
    parsed = parse_inci([("ingredients", "Cream Cleanser: Water, Glycerin. Toner: Aqua, Niacinamide")])
    assert [(i.component, i.position, i.text) for i in parsed] == [
        (0, 1, "Water"),
        (0, 2, "Glycerin"),
        (1, 1, "Aqua"),
        (1, 2, "Niacinamide"),
    ]


def test_drug_facts_inactive_part_is_unordered() -> None:
    parsed = parse_inci(
        [
            ("ingredients[0]", "Active Ingredients: Zinc Oxide 20%"),
            ("ingredients[1]", "Inactive Ingredients: Aloe, Water"),
        ]
    )
    assert [(i.field, i.ordered) for i in parsed] == [
        ("ingredients[0]", True),
        ("ingredients[1]", False),
        ("ingredients[1]", False),
    ]


def test_locant_commas_do_not_split() -> None:
    assert names("Water, 1,2-Hexanediol, 2-Oleamido-1,3-Octadecanediol, Glycerin") == [
        "Water",
        "1,2-Hexanediol",
        "2-Oleamido-1,3-Octadecanediol",
        "Glycerin",
    ]


def test_a_bilingual_may_contain_tail_is_not_a_kit_header() -> None:
    """ "May Contain (Peut Contenir, + : CI 77891, …": the "+ :" is no kit part's name, so the pigments after
    it stay in the colourant tail (a palette's titanium dioxide is no sunscreen)."""
    text = "Mica, Nylon-12, Phenoxyethanol. May Contain (Peut Contenir, + : Ci 77891, Titanium Dioxide, Talc"
    parsed = parse_inci([("ingredients", text)])
    tio2 = next(i for i in parsed if i.text == "Titanium Dioxide")
    assert tio2.colourant and tio2.component == 0
    assert [i.text for i in parsed[:3]] == ["Mica", "Nylon-12", "Phenoxyethanol"]
