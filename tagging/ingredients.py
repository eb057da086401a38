"""The ingredient knowledge base: canonical INCI names, synonyms and roles, matched in one pass."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tagging.errors import TaxonomyError
from tagging.inci import Ingredient
from tagging.matcher import PhraseMatcher
from tagging.seeds import read_seed, require, string_list

PRESERVATIVE = "preservative"


@dataclass(frozen=True, slots=True)
class KnownIngredient:
    name: str
    roles: tuple[str, ...]


class IngredientBase:
    """Looks up every ingredient of a product in the knowledge base with one automaton pass."""

    def __init__(self, matcher: PhraseMatcher[KnownIngredient], size: int) -> None:
        self._matcher = matcher
        self.size = size
        # Ingredient names recur across a catalog ("glycerin"): remember each one's entry.
        self._known: dict[tuple[str, ...], KnownIngredient | None] = {}

    def lookup(self, ingredients: Sequence[Ingredient]) -> list[KnownIngredient | None]:
        """The knowledge-base entry of each ingredient (its longest match over its names), or None."""
        unseen = [i for i in ingredients if i.names not in self._known]
        if unseen:
            if len(self._known) > 500_000:
                self._known.clear()
            for ingredient, entry in zip(unseen, self._match(unseen), strict=True):
                self._known[ingredient.names] = entry
        return [self._known[i.names] for i in ingredients]

    def _match(self, ingredients: Sequence[Ingredient]) -> list[KnownIngredient | None]:
        """One automaton pass over the names of all ingredients, joined."""
        parts: list[str] = [" "]
        starts: list[int] = []
        owners: list[int] = []
        position = 1
        for index, ingredient in enumerate(ingredients):
            for name in ingredient.names:
                starts.append(position)
                owners.append(index)
                parts.append(name)
                parts.append(" . ")
                position += len(name) + 3
        found: list[KnownIngredient | None] = [None] * len(ingredients)
        best = [0] * len(ingredients)
        for match in self._matcher.find("".join(parts)):
            owner = owners[bisect_right(starts, match.start) - 1]
            length = match.end - match.start
            if length > best[owner]:
                best[owner] = length
                found[owner] = match.payloads[0]
        return found

    @classmethod
    def load(cls, directory: Path, roles: set[str]) -> IngredientBase:
        where = str(directory / "ingredients.yaml")
        data = read_seed(directory, "ingredients.yaml")
        phrases: list[tuple[str, KnownIngredient]] = []
        entries = require(data.get("ingredients"), list, f"{where}: ingredients")
        for index, entry in enumerate(entries):
            e_where = f"{where}: ingredients[{index}]"
            require(entry, dict, e_where)
            name = require(entry.get("name"), str, f"{e_where}.name")
            entry_roles = tuple(string_list(entry.get("roles", []), f"{e_where}.roles"))
            unknown = set(entry_roles) - roles
            if unknown:
                raise TaxonomyError(f"{e_where}.roles: unknown role(s) {sorted(unknown)}; see roles.yaml")
            known = KnownIngredient(name, entry_roles)
            synonyms = string_list(entry.get("synonyms") or [], f"{e_where}.synonyms")
            phrases.extend((term, known) for term in [name, *synonyms])
        return cls(PhraseMatcher(phrases, variants=False), len(entries))
