"""The tagger: reads a product's fields, finds claims and ingredient evidence, and scores every tag."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tagging.claims import NEGATABLE, VETO, ClaimLexicon
from tagging.errors import ProductTooLarge, TaxonomyError
from tagging.folding import FoldedText, fold
from tagging.inci import parse_inci
from tagging.ingredients import PRESERVATIVE, IngredientBase
from tagging.model import Evidence, TagScore
from tagging.roles import Roles
from tagging.seeds import seeds_dir
from tagging.signals import SignalReader
from tagging.taxonomy import Taxonomy

MAX_EVIDENCE = 8


@dataclass(slots=True)
class _Scored:
    """Evidence gathered for one tag while tagging one product."""

    claims: dict[str, tuple[float, Evidence]]
    ingredients: list[tuple[float, bool, Evidence]]  # (strength, may only, evidence)
    vetoed: bool = False


def _noisy_or(strengths: list[float]) -> float:
    remaining = 1.0
    for strength in strengths:
        remaining *= 1.0 - strength
    return 1.0 - remaining


def ingredient_fields(value: Any) -> list[tuple[str, str]]:
    """The ingredient field(s) of a product as (evidence field name, text): a string, or a list of strings."""
    if isinstance(value, str):
        return [("ingredients", value)] if value.strip() else []
    if isinstance(value, list):
        return [
            (f"ingredients[{i}]", item)
            for i, item in enumerate(value)
            if isinstance(item, str) and item.strip()
        ]
    return []


class Tagger:
    """Tags products against the taxonomy; build it once with load_tagger() and reuse it."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        claims: ClaimLexicon,
        signals: SignalReader,
        roles: Roles,
        ingredients: IngredientBase,
        threshold: float | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.claims = claims
        self.signals = signals
        self.roles = roles
        self.ingredients = ingredients
        self.threshold = taxonomy.threshold if threshold is None else threshold
        self._groups = {tag.id: tag.group for group in taxonomy.groups for tag in group.tags}
        self.max_text_chars = int(os.environ.get("NEUROTAG_MAX_TEXT_CHARS", "1000000"))
        self._earning = frozenset(role for role, rules in roles.rules.items() if rules)
        unknown = claims.weak_on_signals - signals.names
        if unknown:
            raise TaxonomyError(f"claims.yaml: weak_on names unknown signal(s) {sorted(unknown)}")

    @property
    def version(self) -> str:
        return self.taxonomy.version

    def tag(self, product: Mapping[str, Any]) -> list[TagScore]:
        """Tags at or above the threshold, in taxonomy order, each with its score and evidence."""
        return [t for t in self.score_all(product) if t.score >= self.threshold]

    def score_all(self, product: Mapping[str, Any]) -> list[TagScore]:
        """Every tag with any evidence, including those below the threshold ("may" tags)."""
        # Each field is read once: the size check and the matching share them.
        prose = {
            f: v for f in ("title", "category", "description") if isinstance(v := product.get(f), str) and v
        }
        inci = ingredient_fields(product.get("ingredients"))
        size = sum(map(len, prose.values())) + sum(len(text) for _, text in inci)
        if size > self.max_text_chars:
            raise ProductTooLarge(
                f"product text is {size:,} characters; the engine reads at most {self.max_text_chars:,}"
            )
        texts = {field: fold(value, strip_html=field == "description") for field, value in prose.items()}
        signals = self.signals.read(texts, self.claims.negation)
        scored: dict[str, _Scored] = {}
        self._collect_claims(product, texts, signals, scored)
        self._collect_ingredients(inci, signals, scored)
        return self._finish(scored, signals)

    def _collect_claims(
        self,
        product: Mapping[str, Any],
        texts: dict[str, FoldedText],
        signals: frozenset[str],
        scored: dict[str, _Scored],
    ) -> None:
        for field, folded in texts.items():
            weight = self.claims.field_weights.get(field, 1.0)
            original = product[field]
            for hit in self.claims.find(field, folded):
                tag = hit.term.tag
                assert tag is not None
                entry = scored.setdefault(tag, _Scored({}, []))
                if hit.advised:
                    continue  # "use SPF by day" is an instruction, not a claim either way
                if hit.term.level == VETO or (hit.negated and hit.term.level in (NEGATABLE, "strong")):
                    entry.vetoed = True
                if hit.negated or hit.term.level in (VETO, NEGATABLE):
                    continue
                start, end = folded.original_span(hit.start, hit.end)
                key = folded.text[hit.start : hit.end]
                strength = hit.term.strength_on(signals) * weight
                if strength > entry.claims.get(key, (0.0, None))[0]:
                    entry.claims[key] = (strength, Evidence(field, original[start:end], start, end))

    def _collect_ingredients(
        self, fields: list[tuple[str, str]], signals: frozenset[str], scored: dict[str, _Scored]
    ) -> None:
        headers: list[tuple[str, int, int, int]] = []
        parsed = parse_inci(fields, headers)
        part_signals: dict[int, frozenset[str]] = {}
        if headers:
            part_signals = self._read_headers(dict(fields), headers, signals, scored)
        if not parsed:
            return
        known = self.ingredients.lookup(parsed)
        sizes: dict[int, int] = {}
        preserved_from: dict[int, int] = {}
        for ingredient, entry in zip(parsed, known, strict=True):
            if ingredient.colourant:
                continue
            sizes[ingredient.component] = max(sizes.get(ingredient.component, 0), ingredient.position)
            if entry and PRESERVATIVE in entry.roles and ingredient.component not in preserved_from:
                preserved_from[ingredient.component] = ingredient.position
        earning = self._earning
        for ingredient, entry in zip(parsed, known, strict=True):
            if entry is None or earning.isdisjoint(entry.roles):
                continue  # most ingredients are bases, emollients…: roles that earn no tag
            size = sizes.get(ingredient.component, ingredient.position)
            # Colourants and the unordered part of a drug-facts label sit at the end of the list.
            position = ingredient.position if ingredient.ordered and not ingredient.colourant else size
            after = ingredient.position > preserved_from.get(ingredient.component, size + 1)
            evidence = Evidence(ingredient.field, ingredient.text, ingredient.start, ingredient.end)
            for role in entry.roles:
                for rule in self.roles.rules.get(role, ()):
                    strength = rule.strength(
                        position,
                        size,
                        after or ingredient.colourant,
                        part_signals.get(ingredient.component, signals),
                        ingredient.declared,
                    )
                    if strength > 0:
                        target = scored.setdefault(rule.tag, _Scored({}, []))
                        target.ingredients.append((strength, rule.may_only, evidence))

    def _read_headers(
        self,
        texts: dict[str, str],
        headers: list[tuple[str, int, int, int]],
        signals: frozenset[str],
        scored: dict[str, _Scored],
    ) -> dict[int, frozenset[str]]:
        """Kit parts' names ("Glow Serum with SPF 40:") are claims, read like a title; they also tell what
        kind of product each part is, so caffeine in "Eye Serum:" counts as it would in an eye serum.
        Returns the signals of each named part (the product's own, plus the part's)."""
        weight = self.claims.field_weights.get("title", 1.0)
        part_signals: dict[int, frozenset[str]] = {}
        for field, start, end, component in headers:
            label = texts[field][start:end]
            folded = fold(label)
            part_signals[component] = signals | self.signals.read({"title": folded}, self.claims.negation)
            for hit in self.claims.find("title", folded):
                if hit.negated or hit.advised or hit.term.level in (VETO, NEGATABLE) or hit.term.tag is None:
                    continue
                begin, finish = folded.original_span(hit.start, hit.end)
                entry = scored.setdefault(hit.term.tag, _Scored({}, []))
                key = f"{field}:{folded.text[hit.start : hit.end]}"
                evidence = Evidence(field, label[begin:finish], start + begin, start + finish)
                if hit.term.strength * weight > entry.claims.get(key, (0.0, None))[0]:
                    entry.claims[key] = (hit.term.strength * weight, evidence)
        return part_signals

    def _caps(self, tag: str, signals: frozenset[str]) -> tuple[float, float]:
        """The most that claims and ingredients can each score for a tag on this kind of product."""
        claim_cap = ingredient_cap = 1.0
        group = self._groups[tag]
        for context in self.roles.contexts:
            if context.group != group or context.signal not in signals:
                continue
            if context.unless and context.unless in signals:
                continue
            if context.claims is not None:
                claim_cap = min(claim_cap, context.claims)
            if context.ingredients is not None:
                ingredient_cap = min(ingredient_cap, context.ingredients)
        return claim_cap, ingredient_cap

    def _finish(self, scored: dict[str, _Scored], signals: frozenset[str]) -> list[TagScore]:
        results: list[TagScore] = []
        for tag in self.taxonomy.tag_ids:
            entry = scored.get(tag)
            if entry is None:
                continue
            score = self._score(tag, entry, signals)
            if score <= 0:
                continue
            ranked = sorted(
                [*entry.claims.values(), *((s, e) for s, _, e in entry.ingredients)],
                key=lambda item: -item[0],
            )
            evidence = tuple(dict.fromkeys(e for _, e in ranked))[:MAX_EVIDENCE]
            results.append(TagScore(tag, score, evidence))
        return results

    def _score(self, tag: str, entry: _Scored, signals: frozenset[str]) -> float:
        """Main evidence decides whether the tag applies; "may" evidence only adds to a tag that does,
        and alone stays below the threshold (taxonomy.md: "lower down … → may")."""
        scoring = self.roles.scoring
        may_cap = min(scoring.may_cap, self.threshold - 0.01)
        claim_cap, ingredient_cap = self._caps(tag, signals)
        main: list[float] = []
        weak: list[float] = []
        for strength, _ in entry.claims.values():
            value = min(strength, claim_cap)
            is_main = value >= scoring.main_evidence and claim_cap >= self.threshold
            (main if is_main else weak).append(value)
        for strength, may_only, _ in entry.ingredients:
            value = min(strength, ingredient_cap)
            is_main = (
                value >= scoring.main_evidence
                and not (may_only or entry.vetoed)
                and ingredient_cap >= self.threshold
            )
            (main if is_main else weak).append(value)
        main_score = _noisy_or(main)
        total = _noisy_or([main_score, min(_noisy_or(weak), may_cap)])
        return round(total if main_score >= self.threshold else min(total, may_cap), 3)


def build_tagger(directory: Path, threshold: float | None = None) -> Tagger:
    """Load and validate every seed file in directory into a Tagger."""
    taxonomy = Taxonomy.load(directory)
    roles = Roles.load(directory, taxonomy.tag_ids, tuple(g.id for g in taxonomy.groups))
    return Tagger(
        taxonomy=taxonomy,
        claims=ClaimLexicon.load(directory, taxonomy.tag_ids),
        signals=SignalReader.load(directory),
        roles=roles,
        ingredients=IngredientBase.load(directory, set(roles.rules)),
        threshold=threshold,
    )


@lru_cache(maxsize=4)
def _cached_tagger(directory: str, threshold: float | None) -> Tagger:
    return build_tagger(Path(directory), threshold)


def load_tagger() -> Tagger:
    """The process-wide tagger for the configured seeds directory and threshold (NEUROTAG_TAG_THRESHOLD)."""
    raw = os.environ.get("NEUROTAG_TAG_THRESHOLD")
    return _cached_tagger(str(seeds_dir()), float(raw) if raw else None)
