"""Text folding for matching: case, accents, hyphens and HTML folded away, offsets kept into the original."""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

# Sentence punctuation survives folding as "." so that negation scope can stop at it.
_SENTENCE = set(".!?;:\n•")
_KEEP = set("+%")
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_TOKENS = re.compile(r"[^ ]+")


class _FoldTable(dict[int, str]):
    """str.translate table mapping every character to exactly one folded character, built lazily."""

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        if char in _SENTENCE:
            folded = "."
        elif char in _KEEP:
            folded = char
        else:
            base = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in base if not unicodedata.combining(c)).lower()
            folded = base[0] if base and base[0].isalnum() else " "
        self[codepoint] = folded
        return folded


_FOLD = _FoldTable()


def fold_char_for_char(text: str) -> str:
    """Fold case and accents and turn punctuation into spaces, one output character per input character."""
    return text.translate(_FOLD)


def blank_html(text: str) -> str:
    """Replace HTML tags by spaces and entities by their character, padded so that every offset stays put."""
    if "<" not in text and "&" not in text:
        return text
    text = _HTML_TAG.sub(lambda m: " " * len(m.group()), text)
    return _HTML_ENTITY.sub(_pad_entity, text)


def _pad_entity(match: re.Match[str]) -> str:
    decoded = html.unescape(match.group())
    if len(decoded) != 1:
        return " " * len(match.group())
    return decoded + " " * (len(match.group()) - 1)


@dataclass(frozen=True, slots=True)
class FoldedText:
    """Folded text with runs of spaces collapsed, and the map back to offsets in the original."""

    text: str
    folded_starts: tuple[int, ...]
    original_starts: tuple[int, ...]

    def original_offset(self, folded_index: int) -> int:
        """Offset in the original text of the character at folded_index."""
        segment = bisect_right(self.folded_starts, folded_index) - 1
        return self.original_starts[segment] + folded_index - self.folded_starts[segment]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the folded span [start, end)."""
        return self.original_offset(start), self.original_offset(end - 1) + 1


def fold(text: str, *, strip_html: bool = False) -> FoldedText:
    """Fold text for phrase matching; the result is padded with one space at each end."""
    flat = fold_char_for_char(blank_html(text) if strip_html else text)
    pieces: list[str] = [" "]
    folded_starts: list[int] = []
    original_starts: list[int] = []
    position = 1
    for token in _TOKENS.finditer(flat):
        folded_starts.append(position)
        original_starts.append(token.start())
        pieces.append(token.group())
        pieces.append(" ")
        position += len(token.group()) + 1
    if not folded_starts:
        folded_starts.append(1)
        original_starts.append(0)
    return FoldedText("".join(pieces), tuple(folded_starts), tuple(original_starts))


def fold_phrase(phrase: str) -> str:
    """Fold a lexicon phrase the same way as text, without padding."""
    return " ".join(fold_char_for_char(phrase).replace(".", " ").split())
