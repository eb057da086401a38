"""Evidence stored compactly: field and offsets only, the words read back from the product's own text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# The engine's evidence always quotes its field exactly (text == field[start:end]), so storing the text
# again would double a product's tag payload; short codes for the usual fields halve what remains.
# A field outside this table is stored by its own name. Codes are one letter; names are longer.
_CODES = {"title": "t", "description": "d", "ingredients": "i", "category": "c", "brand": "b"}
_NAMES = {code: name for name, code in _CODES.items()}
_PATH = re.compile(r"([^\[\]\s]+)(?:\[(\d+)\])?")
TAG_SEPARATOR = "|"  # between tags, in the order of the product's tag ids


def encode(evidence_per_tag: Sequence[Sequence[Mapping[str, Any]]]) -> str:
    """One string for a product's tags: per tag, "field start end" triples, tags separated by "|"."""
    return TAG_SEPARATOR.join(
        " ".join(f"{_short(e['field'])} {int(e['start'])} {int(e['end'])}" for e in items)
        for items in evidence_per_tag
    )


def decode(stored: str, tag_count: int, doc: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    """Each tag's evidence as the API shows it ({field, text, start, end}), its text cut from doc."""
    parts = stored.split(TAG_SEPARATOR) if stored else []
    parts += [""] * (tag_count - len(parts))
    out = []
    for part in parts[:tag_count]:
        tokens = part.split()
        items = []
        for i in range(0, len(tokens) - 2, 3):
            field, text = _field_and_text(tokens[i], doc)
            start, end = int(tokens[i + 1]), int(tokens[i + 2])
            items.append({"field": field, "text": text[start:end], "start": start, "end": end})
        out.append(items)
    return out


def _short(field: str) -> str:
    match = _PATH.fullmatch(field)
    if match is None:
        raise ValueError(f"evidence field {field!r} cannot be stored")
    name, index = match.groups()
    code = _CODES.get(name, name)
    return code if index is None else f"{code}[{index}]"


def _field_and_text(token: str, doc: Mapping[str, Any]) -> tuple[str, str]:
    """The field path a stored token names ("i[2]" → "ingredients[2]") and that field's text in doc."""
    match = _PATH.fullmatch(token)
    if match is None:
        return token, ""
    code, index = match.groups()
    name = _NAMES.get(code, code)
    value = doc.get(name)
    if index is not None and isinstance(value, list):
        value = value[int(index)] if int(index) < len(value) else None
    return (name if index is None else f"{name}[{index}]"), value if isinstance(value, str) else ""
