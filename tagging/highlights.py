"""An outside check against a real retailer's labels: recall of Sephora highlights mapped to our tags,
and contradictions (a "Fragrance Free" product tagged neuroscent)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tagging.engine import Tagger
from tagging.seeds import read_seed, require, string_list


@dataclass(frozen=True)
class HighlightRule:
    tag: str
    highlights: frozenset[str]
    scope: frozenset[str]
    exclude: frozenset[str] = frozenset()

    def applies(self, product: Mapping[str, Any]) -> bool:
        if product.get("primary_category") not in self.scope or not self.highlights & set(
            product["highlights"]
        ):
            return False
        levels = {level.strip() for level in str(product.get("category", "")).split("/")}
        return not levels & self.exclude


@dataclass
class HighlightResult:
    rule: HighlightRule
    products: int = 0
    hits: int = 0
    examples: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.hits / self.products if self.products else 0.0


def load_rules(directory: Path) -> tuple[list[HighlightRule], list[HighlightRule]]:
    """(recall rules, contradiction rules) from seeds/highlights.yaml."""
    where = str(directory / "highlights.yaml")
    data = read_seed(directory, "highlights.yaml")
    groups = []
    for section in ("recall", "contradictions"):
        rules = []
        for tag, spec in require(data.get(section), dict, f"{where}: {section}").items():
            spec = require(spec, dict, f"{where}: {section}.{tag}")
            rules.append(
                HighlightRule(
                    str(tag),
                    frozenset(string_list(spec.get("highlights"), f"{where}: {section}.{tag}.highlights")),
                    frozenset(string_list(spec.get("scope"), f"{where}: {section}.{tag}.scope")),
                    frozenset(string_list(spec.get("exclude", []), f"{where}: {section}.{tag}.exclude")),
                )
            )
        groups.append(rules)
    return groups[0], groups[1]


def check_highlights(
    tagger: Tagger,
    products: Iterable[Mapping[str, Any]],
    recall: list[HighlightRule],
    contradictions: list[HighlightRule],
) -> tuple[list[HighlightResult], list[HighlightResult]]:
    """Recall: share of highlighted products that get the mapped tag (examples = the misses).
    Contradictions: highlighted products that get the tag anyway (examples = each of them, with evidence)."""
    recall_results = [HighlightResult(rule) for rule in recall]
    contradiction_results = [HighlightResult(rule) for rule in contradictions]
    for product in products:
        relevant = [r for r in recall_results + contradiction_results if r.rule.applies(product)]
        if not relevant:
            continue
        visible = {k: v for k, v in product.items() if k not in ("highlights", "primary_category")}
        tags = {t.id: t for t in tagger.tag(visible)}
        for result in relevant:
            result.products += 1
            tagged = result.rule.tag in tags
            result.hits += tagged
            is_contradiction = result in contradiction_results
            if tagged == is_contradiction:
                evidence = (
                    tuple(f"{e.field}: {e.text}" for e in tags[result.rule.tag].evidence) if tagged else ()
                )
                result.examples.append((str(product["sku"]), str(product["title"]), evidence))
    return recall_results, contradiction_results
