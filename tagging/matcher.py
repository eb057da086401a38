"""One-pass phrase matching with an Aho-Corasick automaton: whole words, prefixes, longest match wins."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

from tagging.folding import fold_phrase

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """A phrase found in folded text: [start, end) in the folded text and the payloads of its term."""

    start: int
    end: int
    payloads: tuple[T, ...]


def spelling_variants(folded: str) -> set[str]:
    """The spellings a folded term also matches: plurals and British -ise/-isation forms."""
    variants = {folded}
    if "iz" in folded:
        variants.add(folded.replace("iz", "is"))
    for variant in list(variants):
        last = variant.rsplit(" ", 1)[-1]
        if last.isalpha() and len(last) > 2 and not variant.endswith("s"):
            variants.add(variant + ("es" if variant.endswith(("ch", "sh", "x")) else "s"))
    return variants


class PhraseMatcher(Generic[T]):
    """Finds lexicon phrases in folded text in one pass; a phrase ending in * matches as a word prefix."""

    def __init__(self, phrases: Iterable[tuple[str, T]], *, variants: bool = True) -> None:
        grouped: dict[tuple[str, bool], list[T]] = {}
        for phrase, payload in phrases:
            prefix = phrase.endswith("*")
            folded = fold_phrase(phrase.rstrip("*"))
            if not folded:
                continue
            if not variants:
                spellings = {folded}
            elif prefix:  # a prefix already covers plurals; British -is- spellings still need adding
                spellings = {folded, folded.replace("iz", "is")}
            else:
                spellings = spelling_variants(folded)
            for spelling in spellings:
                grouped.setdefault((spelling, prefix), []).append(payload)
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[tuple[bool, tuple[T, ...]]]] = {}
        for (spelling, prefix), payloads in grouped.items():
            by_key.setdefault(spelling, []).append((prefix, tuple(payloads)))
        for spelling, entries in by_key.items():
            self._automaton.add_word(spelling, (len(spelling), tuple(entries)))
        self.size = len(by_key)
        if self.size:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Match[T]]:
        """Non-overlapping matches, leftmost-longest, in order; text must be folded and space-padded."""
        if not self.size:
            return []
        candidates = list(self._candidates(text))
        candidates.sort(key=lambda m: (m.start, -(m.end - m.start)))
        chosen: list[Match[T]] = []
        covered_until = -1
        for match in candidates:
            if match.start >= covered_until:
                chosen.append(match)
                covered_until = match.end
        return chosen

    def _candidates(self, text: str) -> Iterator[Match[T]]:
        for last, (length, entries) in self._automaton.iter(text):
            start = last - length + 1
            if text[start - 1].isalnum() if start > 0 else False:
                continue
            at_word_end = last + 1 >= len(text) or not text[last + 1].isalnum()
            end = last + 1
            for prefix, payloads in entries:
                if at_word_end and not prefix:
                    yield Match(start, end, payloads)
                elif prefix:
                    word_end = end
                    while word_end < len(text) and text[word_end].isalnum():
                        word_end += 1
                    yield Match(start, word_end, payloads)
