"""Claims: the lexicon of phrases in title, description and category, with negation scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tagging.errors import TaxonomyError
from tagging.folding import FoldedText, fold_phrase
from tagging.matcher import PhraseMatcher
from tagging.seeds import read_seed, require, string_list

# A claim level's effect besides its strength: vetoes remove ingredient evidence for the tag,
# negatable terms are evidence of nothing but veto when negated ("no fragrance"), decoys mask.
VETO, NEGATABLE, DECOY = "veto", "negatable", "decoy"
FIELDS = ("title", "category", "description")


@dataclass(frozen=True, slots=True)
class ClaimTerm:
    """What one lexicon phrase means: a tag, a level, its strength and the fields where it counts."""

    tag: str | None
    level: str
    strength: float
    fields: frozenset[str]
    weak_on: frozenset[str] = frozenset()  # signals on which the term is only "may" evidence
    weak_strength: float = 0.0

    def strength_on(self, signals: frozenset[str]) -> float:
        """The term's strength on a product showing signals: weak where weak_on says so."""
        return self.weak_strength if self.weak_on and not self.weak_on.isdisjoint(signals) else self.strength


@dataclass(frozen=True, slots=True)
class ClaimHit:
    """A claim found in a field: the term, whether it is negated, and its span in the folded text."""

    term: ClaimTerm
    field: str
    start: int
    end: int
    negated: bool
    advised: bool = False


@dataclass(frozen=True, slots=True)
class Negation:
    """Negation cues: words before a term ("without SPF") or after it ("fragrance-free")."""

    before: frozenset[str]
    after: frozenset[str]
    window: int
    advice: frozenset[str] = frozenset()
    advice_window: int = 4
    advice_tags: frozenset[str] = frozenset()

    def applies(self, text: str, start: int, end: int) -> bool:
        if _cue_before(text, start, self.before, self.window):
            return True
        following = text[end : end + 16].split()
        return bool(following) and following[0] in self.after

    def advised(self, text: str, start: int) -> bool:
        """An instruction rather than a claim: "apply before sunscreen", "use SPF by day"."""
        return _cue_before(text, start, self.advice, self.advice_window)


def _cue_before(text: str, start: int, cues: frozenset[str], window: int) -> bool:
    """A cue (one or more words, anywhere) among the window words before start, in the same sentence."""
    head = text[max(0, start - 80) : start]
    words = head[head.rfind(".") + 1 :].split()[-window:]
    return any(" ".join(words[i:j]) in cues for i in range(len(words)) for j in range(i + 1, len(words) + 1))


class ClaimLexicon:
    """Finds claims for every tag in a product's fields, in one automaton pass per field."""

    def __init__(
        self,
        matcher: PhraseMatcher[ClaimTerm],
        negation: Negation,
        field_weights: dict[str, float],
        weak_on_signals: frozenset[str] = frozenset(),
    ):
        self._matcher = matcher
        self.negation = negation
        self.field_weights = field_weights
        self.weak_on_signals = weak_on_signals  # every signal a term's weak_on names (checked by the engine)

    def find(self, field: str, folded: FoldedText) -> Iterator[ClaimHit]:
        text = folded.text
        for match in self._matcher.find(text):
            negated: bool | None = None
            for term in match.payloads:
                if term.level == DECOY or field not in term.fields:
                    continue
                if negated is None:
                    negated = self.negation.applies(text, match.start, match.end)
                advised = term.tag in self.negation.advice_tags and self.negation.advised(text, match.start)
                yield ClaimHit(term, field, match.start, match.end, negated, advised)

    @classmethod
    def load(cls, directory: Path, tag_ids: tuple[str, ...]) -> ClaimLexicon:
        where = str(directory / "claims.yaml")
        data = read_seed(directory, "claims.yaml")
        levels = {
            str(name): float(require(value, (int, float), f"{where}: levels.{name}"))
            for name, value in require(data.get("levels"), dict, f"{where}: levels").items()
        }
        weights = {
            str(name): float(require(value, (int, float), f"{where}: field_weights.{name}"))
            for name, value in require(data.get("field_weights"), dict, f"{where}: field_weights").items()
        }
        raw_negation = require(data.get("negation"), dict, f"{where}: negation")
        negation = Negation(
            before=frozenset(
                fold_phrase(w) for w in string_list(raw_negation.get("before"), f"{where}: negation.before")
            ),
            after=frozenset(
                fold_phrase(w) for w in string_list(raw_negation.get("after"), f"{where}: negation.after")
            ),
            window=int(require(raw_negation.get("window", 3), int, f"{where}: negation.window")),
            advice=frozenset(
                fold_phrase(w)
                for w in string_list(raw_negation.get("advice", []), f"{where}: negation.advice")
            ),
            advice_window=int(
                require(raw_negation.get("advice_window", 4), int, f"{where}: negation.advice_window")
            ),
            advice_tags=frozenset(
                string_list(raw_negation.get("advice_tags", []), f"{where}: negation.advice_tags")
            ),
        )
        all_fields = frozenset(FIELDS)
        phrases: list[tuple[str, ClaimTerm]] = [
            (term, ClaimTerm(None, DECOY, 0.0, all_fields))
            for term in string_list(data.get("decoys", []), f"{where}: decoys")
        ]
        for tag, entries in require(data.get("tags"), dict, f"{where}: tags").items():
            if tag not in tag_ids:
                raise TaxonomyError(f"{where}: tags.{tag}: not a tag id of taxonomy.yaml")
            for index, entry in enumerate(require(entries, list, f"{where}: tags.{tag}")):
                e_where = f"{where}: tags.{tag}[{index}]"
                require(entry, dict, e_where)
                level = require(entry.get("level"), str, f"{e_where}.level")
                if level not in levels and level not in (VETO, NEGATABLE):
                    raise TaxonomyError(
                        f"{e_where}.level: unknown level {level!r}; use one of {sorted(levels)}"
                    )
                fields = frozenset(string_list(entry.get("fields", list(FIELDS)), f"{e_where}.fields"))
                if not fields <= all_fields:
                    raise TaxonomyError(f"{e_where}.fields: unknown field(s) {sorted(fields - all_fields)}")
                weak_on = frozenset(string_list(entry.get("weak_on", []), f"{e_where}.weak_on"))
                if weak_on and "weak" not in levels:
                    raise TaxonomyError(f"{e_where}.weak_on: needs a `weak` level in levels")
                strength, weak = levels.get(level, 0.0), levels.get("weak", 0.0)
                claim = ClaimTerm(tag, level, strength, fields, weak_on, weak)
                phrases.extend((term, claim) for term in string_list(entry.get("terms"), f"{e_where}.terms"))
        named = frozenset(signal for _, term in phrases for signal in term.weak_on)
        return cls(PhraseMatcher(phrases), negation, weights, named)
