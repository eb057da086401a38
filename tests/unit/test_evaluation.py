"""Evaluation arithmetic: TP = predicted ∩ must, FN = must − predicted, FP = predicted − (must ∪ may)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tagging import load_tagger
from tagging.evaluation import evaluate, format_report
from tests.conftest import sephora_file

GOLD = [
    # Predicted: sun-protection (must) → TP.
    {"sku": "a", "title": "Sunscreen SPF 50", "must": ["sun-protection"], "may": []},
    # Predicted: hydration, but only "may" → neither TP nor FP; the soothing must is missed → FN.
    {"sku": "b", "title": "Hydrating Gel", "must": ["soothing"], "may": ["hydration"]},
    # Predicted: overnight-repair, labelled absent → FP.
    {"sku": "c", "title": "Overnight Mask", "must": [], "may": []},
]


def test_counts_follow_the_definition() -> None:
    report = evaluate(load_tagger(), GOLD)
    assert (report.per_tag["sun-protection"].tp, report.per_tag["sun-protection"].fp) == (1, 0)
    assert report.per_tag["hydration"].tp + report.per_tag["hydration"].fp == 0
    assert report.per_tag["soothing"].fn == 1
    assert report.per_tag["overnight-repair"].fp == 1
    micro = report.micro
    assert (micro.tp, micro.fp, micro.fn) == (1, 1, 1)
    assert micro.f1 == pytest.approx(0.5)
    kinds = {(e.sku, e.tag, e.kind) for e in report.errors}
    assert kinds == {("b", "soothing", "missed"), ("c", "overnight-repair", "false positive")}
    fp = next(e for e in report.errors if e.kind == "false positive")
    assert fp.evidence and "Overnight" in fp.evidence[0]
    assert "micro" in format_report(report)


def test_eval_command_reads_gold_files(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(g) for g in GOLD) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "eval", str(gold), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["products"] == 3 and body["micro"]["tp"] == 1 and body["micro"]["fn"] == 1


def test_shipped_gold_set_meets_its_targets() -> None:
    """The engine's accuracy contract (issue: tagging quality): micro-F1 ≥ 0.90, every tag's F1 ≥ 0.80."""
    files = sorted((Path(__file__).resolve().parents[2] / "seeds" / "gold").glob("*.jsonl"))
    if not files:
        pytest.skip("no gold set in seeds/gold/")
    gold = [json.loads(line) for f in files for line in f.read_text().splitlines() if line.strip()]
    report = evaluate(load_tagger(), gold)
    assert report.micro.f1 >= 0.90, format_report(report, max_errors=40)
    weak = {tag: round(c.f1, 3) for tag, c in report.per_tag.items() if c.tp + c.fn + c.fp and c.f1 < 0.80}
    assert not weak, weak


def test_sephora_highlight_recall() -> None:
    """A real retailer's labels as an outside check: the recall floors this engine is held to."""
    from tagging.datasets import sephora_products
    from tagging.highlights import check_highlights, load_rules
    from tagging.seeds import seeds_dir

    path = sephora_file("sephora_product_info.csv")
    recall, contradictions = load_rules(seeds_dir())
    recall_results, contradiction_results = check_highlights(
        load_tagger(), sephora_products(path), recall, contradictions
    )
    rates = {r.rule.tag: r.rate for r in recall_results}
    assert rates["sun-protection"] >= 0.95
    fragrance_free = contradiction_results[0]
    assert fragrance_free.rate <= 0.05, fragrance_free.examples
