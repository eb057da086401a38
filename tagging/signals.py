"""Signals: what kind of product this is (rinse-off, eye, hair, ingestible…), read from its own text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tagging.claims import FIELDS, Negation
from tagging.errors import TaxonomyError
from tagging.folding import FoldedText
from tagging.matcher import PhraseMatcher
from tagging.seeds import read_seed, require, string_list


@dataclass(frozen=True, slots=True)
class SignalTerm:
    signal: str
    fields: frozenset[str]
    negatable: bool
    advisable: bool = False


class SignalReader:
    """Reads the set of signals a product shows; one automaton pass per field."""

    def __init__(self, matcher: PhraseMatcher[SignalTerm], names: frozenset[str]) -> None:
        self._matcher = matcher
        self.names = names

    def read(self, fields: dict[str, FoldedText], negation: Negation) -> frozenset[str]:
        """Signals shown in any field; a negatable signal ("without SPF") does not count when negated."""
        found: set[str] = set()
        for field, folded in fields.items():
            for match in self._matcher.find(folded.text):
                for term in match.payloads:
                    if field not in term.fields:
                        continue
                    if term.negatable and negation.applies(folded.text, match.start, match.end):
                        continue
                    if term.advisable and negation.advised(folded.text, match.start):
                        continue
                    found.add(term.signal)
        return frozenset(found)

    @classmethod
    def load(cls, directory: Path) -> SignalReader:
        where = str(directory / "signals.yaml")
        data = read_seed(directory, "signals.yaml")
        phrases: list[tuple[str, SignalTerm]] = []
        names: set[str] = set()
        for name, spec in require(data.get("signals"), dict, f"{where}: signals").items():
            require(spec, dict, f"{where}: signals.{name}")
            fields = frozenset(string_list(spec.get("fields"), f"{where}: signals.{name}.fields"))
            if not fields <= set(FIELDS):
                raise TaxonomyError(
                    f"{where}: signals.{name}.fields: unknown field(s) {sorted(fields - set(FIELDS))}"
                )
            term = SignalTerm(
                str(name), fields, bool(spec.get("negatable", False)), bool(spec.get("advice", False))
            )
            phrases.extend(
                (phrase, term) for phrase in string_list(spec.get("terms"), f"{where}: signals.{name}.terms")
            )
            names.add(str(name))
        return cls(PhraseMatcher(phrases), frozenset(names))
