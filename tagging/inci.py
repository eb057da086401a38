"""INCI ingredient-list parsing: each ingredient with its place in its list and its span in the field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tagging.folding import fold_phrase

_HEADER = re.compile(r"^\s*[-–•*]?\s*([^:()\[\]]{2,60}):\s*")
_PLUS_MINUS = r"(?:\[\s*\+\s*/\s*-\s*\]|\(\s*\+\s*/\s*-\s*\)|\+\s*/\s*-)"
_MAY_CONTAIN = re.compile(rf"(?:may\s+contain|{_PLUS_MINUS})(?:\s*{_PLUS_MINUS})?\s*:?\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,;•·|\n]")
_WORD = re.compile(r"[^\W\d_]{2}")  # a header label names something: two letters in a row at least
_DOSE = re.compile(r"\d\s*%")
_FOOTNOTE_MARKS = ("*", "†", "‡", "¹", "²")
_NOISE = re.compile(r"\d+(?:[.,]\d+)?\s*%|[*†‡¹²³⁴]+|^\s*(?:and|&)\s+|\(\s*\)", re.IGNORECASE)
_MAX_WORDS = 9  # longer pieces are sentences (disclaimers, claims), not ingredient names
# A piece runs to the next separator; bracketed text keeps its commas ("Extract (Leaf, Root)"), so does a
# locant ("1,2-Hexanediol"), and a
# period ends a piece only before a new capitalised word, so "Alcohol Denat. (SD Alcohol 39C)" stays whole.


@dataclass(slots=True)  # not frozen: one is built per ingredient of every product, and frozen init is slower
class Ingredient:
    """One ingredient: its text and span in the field, its 1-based place in its component, and the
    folded names it is matched under."""

    field: str
    text: str
    start: int
    end: int
    component: int
    position: int
    ordered: bool
    colourant: bool
    names: tuple[str, ...]
    declared: bool = False  # a stated concentration ("Zinc Oxide 20%"), as drug-facts actives have


def match_names(name: str) -> tuple[str, ...]:
    """Folded names to look an ingredient up under: as written, without its parenthesised part, the
    parenthesised synonym with what follows ("Butyrospermum Parkii (Shea) Butter" → "shea butter"),
    and each slash alternative ("Water/Aqua/Eau")."""
    names = [fold_phrase(name)]
    paren = re.search(r"\(([^()]*)\)", name)
    if paren:
        names.append(fold_phrase(name[: paren.start()] + name[paren.end() :]))
        names.append(fold_phrase(paren.group(1) + " " + name[paren.end() :]))
    if "/" in name:
        names.extend(fold_phrase(part) for part in re.sub(r"\([^()]*\)", " ", name).split("/"))
    return tuple(dict.fromkeys(n for n in names if n))


_PIECE = re.compile(r"(?:(?<=\d),(?=\d)|\([^()]*\)|\[[^\[\]]*\]|(?!\.\s+[A-Z*\-])[^,;•·|\n])+")


@dataclass(frozen=True, slots=True)
class _Piece:
    """What one separator-delimited piece holds, with offsets relative to the piece (memoised: the same
    pieces — "Water", " Glycerin" — recur across a catalog)."""

    header: str | None  # a kit or drug-facts header label ends here, lower-cased
    colourant_tail: bool  # "may contain (+/-)" starts here
    skip: bool  # a footnote or a sentence, not an ingredient
    start: int
    end: int
    names: tuple[str, ...]
    declared: bool = False
    header_end: int = 0  # where the header label ends (its colon), when there is one


@lru_cache(maxsize=200_000)
def _analyse(raw: str) -> _Piece:
    offset = 0
    header_label = None
    header_end = 0
    header = _HEADER.match(raw)
    if header and not _WORD.search(header.group(1)):
        header = None  # "+ : Ci 77891" after "May Contain (Peut Contenir," is no kit part's name
    if header:
        header_label = header.group(1).lower()
        header_end = header.end(1)
        offset = header.end()
    rest = raw[offset:]
    if rest.lstrip().startswith(_FOOTNOTE_MARKS):
        return _Piece(header_label, False, True, 0, 0, (), header_end=header_end)  # "*Certified organic"
    tail = _MAY_CONTAIN.search(rest)
    if tail:
        offset += tail.end()
        rest = raw[offset:]
    cleaned = _NOISE.sub(" ", rest).strip(" .:-–\t\r[]+")  # "Extract+", "Oil++": organic markers
    if not cleaned or len(cleaned.split()) > _MAX_WORDS or cleaned.startswith(("please", "Please")):
        return _Piece(header_label, bool(tail), True, 0, 0, (), header_end=header_end)
    lead = len(rest) - len(rest.lstrip(" \t\r-–•*"))
    trail = max(len(rest.rstrip(" .\t\r*")), lead + 1)
    declared = bool(_DOSE.search(rest))
    names = match_names(cleaned)
    return _Piece(header_label, bool(tail), False, offset + lead, offset + trail, names, declared, header_end)


def _is_label(text: str) -> bool:
    stripped = text.strip().rstrip(":")
    return (
        bool(stripped)
        and len(stripped.split()) <= 5
        and ":" not in stripped
        and not _SEPARATORS.search(stripped)
    )


def parse_inci(
    fields: Sequence[tuple[str, str]], headers: list[tuple[str, int, int, int]] | None = None
) -> list[Ingredient]:
    """Parse one or more ingredient fields (name, text) into ingredients, split into components at
    kit headers ("Cream Cleanser:") and drug-facts headers ("Inactive Ingredients:"). Header spans
    (field, start, end, component) are appended to headers when given: a kit part's name can carry a
    claim, and tells what kind of product the part is ("Eye Serum:")."""
    ingredients: list[Ingredient] = []
    component, position, ordered, colourant = 0, 0, True, False
    for index, (field, text) in enumerate(fields):
        if index + 1 < len(fields) and _is_label(text):
            # Sephora lists kits as ["AM", "<list>", "PM", "<list>"]: a lone short string names the next part.
            if headers is not None:
                start = len(text) - len(text.lstrip())
                headers.append((field, start, len(text.rstrip()), component + (1 if position else 0)))
            continue
        for match in _PIECE.finditer(text):
            piece = _analyse(match.group())
            if piece.header is not None:
                component, position, colourant = component + (1 if position else 0), 0, False
                if headers is not None:
                    headers.append((field, match.start(), match.start() + piece.header_end, component))
                ordered = "inactive" not in piece.header and "other ingredients" not in piece.header
            colourant = colourant or piece.colourant_tail
            if piece.skip:
                continue
            position += 0 if colourant else 1
            begin = match.start()
            ingredients.append(
                Ingredient(
                    field=field,
                    text=text[begin + piece.start : begin + piece.end],
                    start=begin + piece.start,
                    end=begin + piece.end,
                    component=component,
                    position=position,
                    ordered=ordered,
                    colourant=colourant,
                    names=piece.names,
                    declared=piece.declared,
                )
            )
        if position:
            # A new field (Sephora lists kits one part per string) starts a new component.
            component, position, colourant, ordered = component + 1, 0, False, True
    return ingredients
