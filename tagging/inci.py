"""INCI ingredient-list parsing: each ingredient with its place in its list and its span in the field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tagging.folding import fold_phrase

# Separators between ingredients; a period ends an ingredient only before a new capitalised word,
# so "Alcohol Denat. (SD Alcohol 39C)" stays whole.
_PIECES = re.compile(r"[^,;•·|\n]+|[,;•·|\n]")
_SENTENCE_BREAK = re.compile(r"\.\s+(?=[A-Z*\-])")
_HEADER = re.compile(r"^\s*[-–•*]?\s*([^:()\[\]]{2,60}):\s*")
_PLUS_MINUS = r"(?:\[\s*\+\s*/\s*-\s*\]|\(\s*\+\s*/\s*-\s*\)|\+\s*/\s*-)"
_MAY_CONTAIN = re.compile(rf"(?:may\s+contain|{_PLUS_MINUS})(?:\s*{_PLUS_MINUS})?\s*:?\s*", re.IGNORECASE)
_FOOTNOTE_MARKS = ("*", "†", "‡", "¹", "²")
_NOISE = re.compile(r"\d+(?:[.,]\d+)?\s*%|[*†‡¹²³⁴]+|^\s*(?:and|&)\s+|\(\s*\)", re.IGNORECASE)
_MAX_WORDS = 9  # longer pieces are sentences (disclaimers, claims), not ingredient names


@dataclass(frozen=True, slots=True)
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


def _pieces(text: str) -> list[tuple[int, int]]:
    """Spans of separator-delimited pieces, keeping bracketed commas ("Extract (Leaf, Root)") inside."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    depth = 0
    for match in _PIECES.finditer(text):
        chunk = match.group()
        if len(chunk) == 1 and chunk in ",;•·|\n" and depth <= 0:
            if start is not None:
                spans.append((start, match.start()))
            start, depth = None, 0
            continue
        if start is None:
            start = match.start()
        depth += chunk.count("(") + chunk.count("[") - chunk.count(")") - chunk.count("]")
    if start is not None:
        spans.append((start, len(text)))
    result: list[tuple[int, int]] = []
    for begin, end in spans:
        cursor = begin
        for brk in _SENTENCE_BREAK.finditer(text, begin, end):
            result.append((cursor, brk.start()))
            cursor = brk.end()
        result.append((cursor, end))
    return result


def parse_inci(fields: Sequence[tuple[str, str]]) -> list[Ingredient]:
    """Parse one or more ingredient fields (name, text) into ingredients, split into components at
    kit headers ("Cream Cleanser:") and drug-facts headers ("Inactive Ingredients:")."""
    ingredients: list[Ingredient] = []
    component, position, ordered, colourant = 0, 0, True, False
    for field, text in fields:
        for begin, end in _pieces(text):
            raw = text[begin:end]
            header = _HEADER.match(raw)
            if header:
                label = header.group(1).lower()
                component, position, colourant = component + (1 if position else 0), 0, False
                ordered = "inactive" not in label and "other ingredients" not in label
                begin += header.end()
                raw = text[begin:end]
            if raw.lstrip().startswith(_FOOTNOTE_MARKS):
                continue  # "*Certified organic ingredient": a footnote, not an ingredient
            tail = _MAY_CONTAIN.search(raw)
            if tail:
                colourant = True
                begin += tail.end()
                raw = text[begin:end]
            cleaned = _NOISE.sub(" ", raw).strip(" .:-–\t\r[]")
            if not cleaned or len(cleaned.split()) > _MAX_WORDS or cleaned.startswith(("please", "Please")):
                continue
            lead = len(raw) - len(raw.lstrip(" \t\r-–•*"))
            trail = len(raw.rstrip(" .\t\r*"))
            position += 0 if colourant else 1
            ingredients.append(
                Ingredient(
                    field=field,
                    text=text[begin + lead : begin + max(trail, lead + 1)],
                    start=begin + lead,
                    end=begin + max(trail, lead + 1),
                    component=component,
                    position=position,
                    ordered=ordered,
                    colourant=colourant,
                    names=match_names(cleaned),
                )
            )
        if position:
            # A new field (Sephora lists kits one part per string) starts a new component.
            component, position, colourant, ordered = component + 1, 0, False, True
    return ingredients
