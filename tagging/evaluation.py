"""Measuring the tagger: precision, recall and F1 per tag against labelled products, with every error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tagging.engine import Tagger
from tagging.model import TagScore


@dataclass
class TagCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class EvalError:
    """One wrong call: a false positive with the evidence that caused it, or a miss with what little
    evidence there was (the tag's score below the threshold)."""

    sku: str
    title: str
    tag: str
    kind: str  # "false positive" | "missed"
    score: float
    evidence: tuple[str, ...]


@dataclass
class EvalReport:
    per_tag: dict[str, TagCounts]
    errors: list[EvalError] = field(default_factory=list)
    products: int = 0

    @property
    def micro(self) -> TagCounts:
        total = TagCounts()
        for counts in self.per_tag.values():
            total.tp += counts.tp
            total.fp += counts.fp
            total.fn += counts.fn
        return total

    @property
    def macro_f1(self) -> float:
        scored = [c.f1 for c in self.per_tag.values() if c.tp + c.fp + c.fn]
        return sum(scored) / len(scored) if scored else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "products": self.products,
            "micro": _counts_dict(self.micro),
            "macro_f1": round(self.macro_f1, 4),
            "per_tag": {tag: _counts_dict(c) for tag, c in self.per_tag.items()},
            "errors": [e.__dict__ | {"evidence": list(e.evidence)} for e in self.errors],
        }


def _counts_dict(c: TagCounts) -> dict[str, Any]:
    return {
        "tp": c.tp,
        "fp": c.fp,
        "fn": c.fn,
        "precision": round(c.precision, 4),
        "recall": round(c.recall, 4),
        "f1": round(c.f1, 4),
    }


def _describe(score: TagScore | None) -> tuple[float, tuple[str, ...]]:
    if score is None:
        return 0.0, ()
    return score.score, tuple(f"{e.field}: {e.text}" for e in score.evidence)


def evaluate(tagger: Tagger, gold: Iterable[Mapping[str, Any]]) -> EvalReport:
    """Score gold products (each with `must` and `may` tag lists): TP = predicted ∩ must,
    FN = must − predicted, FP = predicted − (must ∪ may)."""
    report = EvalReport({tag: TagCounts() for tag in tagger.taxonomy.tag_ids})
    for product in gold:
        report.products += 1
        must, may = set(product.get("must", ())), set(product.get("may", ()))
        scores = {s.id: s for s in tagger.score_all(product)}
        predicted = {tag for tag, s in scores.items() if s.score >= tagger.threshold}
        for tag in tagger.taxonomy.tag_ids:
            counts = report.per_tag[tag]
            if tag in predicted and tag in must:
                counts.tp += 1
            elif tag in must:
                counts.fn += 1
                report.errors.append(_error(product, tag, "missed", scores.get(tag)))
            elif tag in predicted and tag not in may:
                counts.fp += 1
                report.errors.append(_error(product, tag, "false positive", scores.get(tag)))
    return report


def _error(product: Mapping[str, Any], tag: str, kind: str, score: TagScore | None) -> EvalError:
    value, evidence = _describe(score)
    return EvalError(str(product.get("sku", "")), str(product.get("title", "")), tag, kind, value, evidence)


def format_report(report: EvalReport, max_errors: int | None = None) -> str:
    """A plain-text table of per-tag figures, micro and macro F1, then the errors with evidence."""
    lines = [f"{'tag':<24}{'TP':>5}{'FP':>5}{'FN':>5}{'prec':>8}{'recall':>8}{'F1':>8}"]
    for tag, c in report.per_tag.items():
        lines.append(f"{tag:<24}{c.tp:>5}{c.fp:>5}{c.fn:>5}{c.precision:>8.3f}{c.recall:>8.3f}{c.f1:>8.3f}")
    micro = report.micro
    lines.append(
        f"{'micro':<24}{micro.tp:>5}{micro.fp:>5}{micro.fn:>5}"
        f"{micro.precision:>8.3f}{micro.recall:>8.3f}{micro.f1:>8.3f}"
    )
    lines.append(f"macro F1 {report.macro_f1:.3f} over {report.products} products")
    errors = report.errors if max_errors is None else report.errors[:max_errors]
    if errors:
        lines.append("")
        lines.append(f"errors ({len(report.errors)}):")
    for e in errors:
        lines.append(f"  {e.kind:<15} {e.tag:<23} {e.score:.2f}  {e.sku}  {e.title[:60]}")
        for item in e.evidence[:4]:
            lines.append(f"      {item[:110]}")
    return "\n".join(lines)


@dataclass
class CorrectionAgreement:
    """How often the engine, run now, disagrees with merchandisers' corrections."""

    corrections: int = 0
    disagreements: int = 0
    per_tag: dict[str, list[int]] = field(default_factory=dict)  # tag -> [corrections, disagreements]
    examples: list[tuple[str, str, str]] = field(default_factory=list)  # (sku, tag, state)

    @property
    def rate(self) -> float:
        return self.disagreements / self.corrections if self.corrections else 0.0


def compare_corrections(
    tagger: Tagger, corrected: Iterable[tuple[str, Mapping[str, Any], Mapping[str, str]]]
) -> CorrectionAgreement:
    """corrected: (sku, product content, {tag: "pinned" | "suppressed"}). A pinned tag the engine does
    not assign, or a suppressed tag it does assign, is a disagreement."""
    result = CorrectionAgreement()
    for sku, doc, states in corrected:
        assigned = {t.id for t in tagger.tag(doc)}
        for tag, state in states.items():
            counts = result.per_tag.setdefault(tag, [0, 0])
            counts[0] += 1
            result.corrections += 1
            if (state == "pinned") != (tag in assigned):
                counts[1] += 1
                result.disagreements += 1
                result.examples.append((sku, tag, state))
    return result
