"""How much of a catalog's ingredient vocabulary the knowledge base recognises, measured with the
engine's own INCI parser and lookup."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tagging.engine import Tagger, ingredient_fields
from tagging.inci import parse_inci

_LABELS = ("known", "with a role", "earning tags")


@dataclass
class Coverage:
    distinct: set[str] = field(default_factory=set)
    distinct_known: set[str] = field(default_factory=set)
    distinct_with_role: set[str] = field(default_factory=set)
    distinct_tagging: set[str] = field(default_factory=set)
    occurrences: int = 0
    occurrences_known: int = 0
    occurrences_with_role: int = 0
    occurrences_tagging: int = 0

    def summary(self) -> str:
        d, o = len(self.distinct) or 1, self.occurrences or 1
        distinct = (len(self.distinct_known), len(self.distinct_with_role), len(self.distinct_tagging))
        occurrences = (self.occurrences_known, self.occurrences_with_role, self.occurrences_tagging)
        return (
            f"distinct ingredients {len(self.distinct)}: "
            + ", ".join(f"{label} {n / d:.1%}" for label, n in zip(_LABELS, distinct, strict=True))
            + f"; occurrences {self.occurrences}: "
            + ", ".join(f"{label} {n / o:.1%}" for label, n in zip(_LABELS, occurrences, strict=True))
        )


def measure(tagger: Tagger, products: Iterable[Mapping[str, Any]]) -> Coverage:
    """Distinct ingredient names (folded) and occurrences the knowledge base knows, gives a role (functional
    roles included), and gives a role that earns tags."""
    coverage = Coverage()
    tagging_roles = {role for role, rules in tagger.roles.rules.items() if rules}
    for product in products:
        parsed = parse_inci(ingredient_fields(product.get("ingredients")))
        for ingredient, entry in zip(parsed, tagger.ingredients.lookup(parsed), strict=True):
            name = ingredient.names[0] if ingredient.names else ""
            coverage.distinct.add(name)
            coverage.occurrences += 1
            if entry is not None:
                coverage.distinct_known.add(name)
                coverage.occurrences_known += 1
                if entry.roles:
                    coverage.distinct_with_role.add(name)
                    coverage.occurrences_with_role += 1
                if tagging_roles.intersection(entry.roles):
                    coverage.distinct_tagging.add(name)
                    coverage.occurrences_tagging += 1
    return coverage
