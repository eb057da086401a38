"""Folding keeps offsets into the original text while removing case, accents, hyphens and HTML."""

from __future__ import annotations

from tagging.folding import blank_html, fold, fold_phrase


def test_fold_is_case_accent_and_hyphen_insensitive() -> None:
    assert fold("Crème HYDRATANTE, de-puffing. Now").text == " creme hydratante de puffing. now "


def test_html_is_blanked_without_moving_offsets() -> None:
    raw = "<p>Soothing &amp; <b>calming</b></p>"
    blanked = blank_html(raw)
    assert len(blanked) == len(raw)
    assert blanked.index("calming") == raw.index("calming")
    assert "&" in blanked and "<" not in blanked


def test_original_span_maps_folded_matches_back() -> None:
    raw = "<ul><li>Locks   in <em>moisture</em></li></ul>"
    folded = fold(raw, strip_html=True)
    start = folded.text.index("moisture")
    begin, end = folded.original_span(start, start + len("moisture"))
    assert raw[begin:end] == "moisture"


def test_fold_phrase_matches_text_folding() -> None:
    assert fold_phrase("Fragrance-Free") == "fragrance free"
    assert fold(" Fragrance-free!").text.strip(" .") == "fragrance free"
