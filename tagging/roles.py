"""Roles and contexts: how much an ingredient counts for a tag by its place, and the caps by product kind."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tagging.errors import TaxonomyError
from tagging.seeds import read_seed, require

Bucket = tuple[str | int, float]


@dataclass(frozen=True, slots=True)
class RoleRule:
    """How one role counts for one tag."""

    tag: str
    buckets: tuple[Bucket, ...]
    after_preservative: float | None
    may_only: bool
    by_signal: tuple[tuple[str, tuple[Bucket, ...]], ...]
    boost: tuple[str, float] | None
    declared: float | None = None

    def strength(
        self,
        position: int,
        size: int,
        after_preservative: bool,
        signals: frozenset[str],
        declared: bool = False,
    ) -> float:
        """The evidence strength of an ingredient at 1-based position in a list of size ingredients."""
        if self.boost and self.boost[0] in signals:
            return self.boost[1]
        if declared and self.declared is not None:
            return self.declared
        buckets = next((b for signal, b in self.by_signal if signal in signals), self.buckets)
        score = 0.0
        for limit, value in buckets:
            if _within(limit, position, size):
                score = value
                break
        if after_preservative and self.after_preservative is not None:
            score = min(score, self.after_preservative)
        return score


def _within(limit: str | int, position: int, size: int) -> bool:
    if limit == "third":
        return position <= math.ceil(size / 3)
    if limit == "half":
        return position <= math.ceil(size / 2)
    if limit == "all":
        return True
    return position <= int(limit)


@dataclass(frozen=True, slots=True)
class ContextCap:
    """Caps on evidence for one group of tags while the product shows a signal (unless it shows another)."""

    signal: str
    unless: str | None
    group: str
    ingredients: float | None
    claims: float | None


@dataclass(frozen=True, slots=True)
class Scoring:
    """Evidence at least main_evidence can make a tag apply; "may" evidence alone scores at most may_cap."""

    main_evidence: float = 0.3
    may_cap: float = 0.45


@dataclass(frozen=True, slots=True)
class Roles:
    rules: dict[str, tuple[RoleRule, ...]]
    contexts: tuple[ContextCap, ...]
    scoring: Scoring

    @classmethod
    def load(cls, directory: Path, tag_ids: tuple[str, ...], groups: tuple[str, ...]) -> Roles:
        where = str(directory / "roles.yaml")
        data = read_seed(directory, "roles.yaml")
        rules: dict[str, tuple[RoleRule, ...]] = {}
        for role, spec in require(data.get("roles"), dict, f"{where}: roles").items():
            r_where = f"{where}: roles.{role}"
            tags = require(require(spec, dict, r_where).get("tags", {}), dict, f"{r_where}.tags")
            role_rules = []
            for tag, rule in tags.items():
                if tag not in tag_ids:
                    raise TaxonomyError(f"{r_where}.tags.{tag}: not a tag id of taxonomy.yaml")
                role_rules.append(
                    _rule(tag, require(rule, dict, f"{r_where}.tags.{tag}"), f"{r_where}.tags.{tag}")
                )
            rules[str(role)] = tuple(role_rules)
        contexts = []
        for signal, spec in require(data.get("contexts", {}), dict, f"{where}: contexts").items():
            c_where = f"{where}: contexts.{signal}"
            require(spec, dict, c_where)
            for group, caps in spec.items():
                if group == "unless":
                    continue
                if group not in groups:
                    raise TaxonomyError(f"{c_where}.{group}: not a group of taxonomy.yaml")
                require(caps, dict, f"{c_where}.{group}")
                contexts.append(
                    ContextCap(
                        str(signal),
                        spec.get("unless"),
                        group,
                        _opt(caps, "ingredients"),
                        _opt(caps, "claims"),
                    )
                )
        raw = require(data.get("scoring", {}), dict, f"{where}: scoring")
        scoring = Scoring(
            main_evidence=float(
                require(raw.get("main_evidence", 0.3), (int, float), f"{where}: scoring.main_evidence")
            ),
            may_cap=float(require(raw.get("may_cap", 0.45), (int, float), f"{where}: scoring.may_cap")),
        )
        return cls(rules, tuple(contexts), scoring)


def _opt(spec: dict[str, Any], key: str) -> float | None:
    value = spec.get(key)
    return None if value is None else float(value)


def _buckets(raw: Any, where: str) -> tuple[Bucket, ...]:
    buckets: list[Bucket] = []
    for index, item in enumerate(require(raw, list, where)):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], (int, float))):
            raise TaxonomyError(f"{where}[{index}]: expected [limit, score], got {item!r}")
        limit = item[0]
        if not (limit in ("third", "half", "all") or isinstance(limit, int)):
            raise TaxonomyError(
                f"{where}[{index}]: limit must be third, half, all or an integer, got {limit!r}"
            )
        buckets.append((limit, float(item[1])))
    return tuple(buckets)


def _rule(tag: str, spec: dict[str, Any], where: str) -> RoleRule:
    boost = spec.get("boost")
    if boost is not None:
        require(boost, dict, f"{where}.boost")
        boost = (require(boost.get("signal"), str, f"{where}.boost.signal"), float(boost.get("score", 0)))
    by_signal = tuple(
        (str(signal), _buckets(b, f"{where}.by_signal.{signal}"))
        for signal, b in require(spec.get("by_signal", {}), dict, f"{where}.by_signal").items()
    )
    return RoleRule(
        tag=tag,
        buckets=_buckets(spec.get("buckets"), f"{where}.buckets"),
        after_preservative=_opt(spec, "after_preservative"),
        may_only=bool(spec.get("may_only", False)),
        declared=_opt(spec, "declared"),
        by_signal=by_signal,
        boost=boost,
    )
