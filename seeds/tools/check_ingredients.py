"""Validate seeds/ingredients.yaml and report how much of the real Sephora catalogs it covers."""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROLE_IDS = frozenset(
    {
        "uv-filter",
        "humectant",
        "humectant-top5",
        "antioxidant",
        "vitamin-e",
        "vitamin-c-fruit",
        "retinoid",
        "peptide",
        "neuropeptide",
        "firming-active",
        "adaptogen",
        "cooling-agent",
        "neurosensory",
        "cannabinoid",
        "soothing-agent",
        "barrier-lipid",
        "barrier-active",
        "aromatic-oil",
        "functional-oil",
        "flower-water",
        "fragrance",
        "caffeine",
        "preservative",
    }
)
REPO = Path(__file__).resolve().parents[2]
DEFAULT_KB = REPO / "seeds" / "ingredients.yaml"
DEFAULT_DATA = REPO.parent / "shared" / "data"

_WORD = re.compile(r"[^\W_]+")
_PAREN = re.compile(r"\(([^()]*)\)")
_LEADING_NOISE = re.compile(r"^(?:\W|may contain|peut contenir|\+/-)+", re.IGNORECASE)


class Entry:
    """One knowledge-base entry: canonical name, synonyms and roles."""

    __slots__ = ("name", "roles", "synonyms")

    def __init__(self, name: str, synonyms: list[str], roles: list[str]) -> None:
        self.name = name
        self.synonyms = synonyms
        self.roles = roles

    def terms(self) -> list[str]:
        return [self.name, *self.synonyms]


def fold(text: str) -> str:
    """Lower-case, strip accents; hyphens, slashes and all other punctuation become spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_WORD.findall(text))


def spellings(term: str) -> set[str]:
    """A folded term plus the spellings the engine also accepts: -ise for -ize and a plural last word."""
    found = {term}
    if "iz" in term:
        found.add(term.replace("iz", "is"))
    for spelling in list(found):
        last = spelling.rsplit(" ", 1)[-1]
        if last.isalpha() and len(last) > 2 and not spelling.endswith("s"):
            found.add(spelling + ("es" if spelling.endswith(("ch", "sh", "x")) else "s"))
    return found


def name_variants(ingredient: str) -> list[str]:
    """The folded forms an INCI name is tried as: whole, parentheses removed, and each '(x) rest'."""
    text = ingredient.replace("[", "(").replace("]", ")")
    forms = [text, _PAREN.sub(" ", text)]
    for match in _PAREN.finditer(text):
        forms.append(match.group(1) + " " + _PAREN.sub(" ", text[match.end() :]))
    return list(dict.fromkeys(f for f in (fold(form) for form in forms) if f))


def split_inci(text: str) -> Iterator[str]:
    """Split an INCI string on commas outside parentheses (but not '1,2-Hexanediol')."""
    depth, start = 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            if 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
                continue
            yield from _clean(text[start:i])
            start = i + 1
    yield from _clean(text[start:])


def _clean(piece: str) -> Iterator[str]:
    piece = _LEADING_NOISE.sub("", piece.strip()).strip(" .;*\t\r\n")
    if piece:
        yield piece


class Matcher:
    """Whole-word matching of KB terms in an ingredient name; the longest matching term wins.

    Like the engine's ingredient lookup, terms match as written (no plural or -ise variants)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], int, Entry]]] = defaultdict(list)
        for entry in entries:
            for term in {fold(t) for t in entry.terms()}:
                words = tuple(term.split())
                self.by_first[words[0]].append((words, len(term), entry))

    def match(self, ingredient: str) -> Entry | None:
        best: tuple[int, int, Entry] | None = None
        for form in name_variants(ingredient):
            words = form.split()
            for i, word in enumerate(words):
                for term, length, entry in self.by_first.get(word, ()):
                    if tuple(words[i : i + len(term)]) == term and (
                        best is None or (length, len(term)) > best[:2]
                    ):
                        best = (length, len(term), entry)
        return best[2] if best else None


def load_entries(path: Path) -> tuple[list[Entry], list[str]]:
    """Parse and validate the YAML; returns the entries and a list of problems."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) != {"ingredients"}:
        return [], ["top level must be a mapping with one key, 'ingredients', holding a list"]
    if not isinstance(data["ingredients"], list):
        return [], ["top level must be a mapping with one key, 'ingredients', holding a list"]
    entries: list[Entry] = []
    for number, item in enumerate(data["ingredients"], 1):
        where = f"entry {number}"
        if not isinstance(item, dict) or set(item) != {"name", "synonyms", "roles"}:
            problems.append(f"{where}: needs exactly the keys name, synonyms, roles")
            continue
        name, synonyms, roles = item["name"], item["synonyms"], item["roles"]
        if not isinstance(name, str) or not fold(name):
            problems.append(f"{where}: name must be a non-empty string")
            continue
        where = f"{where} ({name})"
        if not isinstance(synonyms, list) or not all(isinstance(s, str) and fold(s) for s in synonyms):
            problems.append(f"{where}: synonyms must be a list of non-empty strings")
            continue
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            problems.append(f"{where}: roles must be a list of strings")
            continue
        unknown = sorted(set(roles) - ROLE_IDS)
        if unknown:
            problems.append(f"{where}: unknown roles {unknown}")
        if len(set(roles)) != len(roles):
            problems.append(f"{where}: repeated role")
        entries.append(Entry(name, synonyms, roles))
    return entries, problems


def term_clashes(entries: Iterable[Entry]) -> tuple[list[str], list[str]]:
    """Terms (with their accepted spellings) claimed twice: errors when roles differ, else warnings."""
    claims: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        for spelling in {s for term in entry.terms() for s in spellings(fold(term))}:
            claims[spelling].append(entry)
    errors, warnings = [], []
    for term, owners in sorted(claims.items()):
        if len(owners) < 2:
            continue
        names = ", ".join(f"{e.name} {e.roles}" for e in owners)
        if len({tuple(sorted(e.roles)) for e in owners}) > 1:
            errors.append(f"term '{term}' has different roles in: {names}")
        else:
            warnings.append(f"term '{term}' repeated in: {names}")
    return errors, warnings


def catalog_ingredients(data_dir: Path) -> dict[str, Counter[str]]:
    """Ingredient strings with their occurrence counts, per catalog file."""
    catalogs: dict[str, Counter[str]] = {}
    info, cosmetics = data_dir / "sephora_product_info.csv", data_dir / "sephora_cosmetics.csv"
    if info.exists():
        counts: Counter[str] = Counter()
        with info.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["ingredients"]:
                    for part in ast.literal_eval(row["ingredients"]):
                        if not part.strip().endswith(":"):
                            counts.update(split_inci(part))
        catalogs[info.name] = counts
    if cosmetics.exists():
        counts = Counter()
        with cosmetics.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                counts.update(split_inci(row["Ingredients"] or ""))
        catalogs[cosmetics.name] = counts
    return catalogs


def report_coverage(entries: list[Entry], data_dir: Path, show_unmatched: int) -> None:
    catalogs = catalog_ingredients(data_dir)
    if not catalogs:
        print(f"coverage: skipped, no catalogs in {data_dir}")
        return
    matcher = Matcher(entries)
    total: Counter[str] = Counter()
    for counts in catalogs.values():
        total.update(counts)
    for label, counts in [*catalogs.items(), ("both", total)]:
        folded: Counter[str] = Counter()
        hits: dict[str, Entry | None] = {}
        for raw, count in counts.items():
            key = fold(raw)
            folded[key] += count
            if key not in hits or hits[key] is None:
                hits[key] = matcher.match(raw)
        matched = [k for k, e in hits.items() if e is not None]
        with_role = [k for k, e in hits.items() if e is not None and e.roles]
        distinct, occurrences = len(folded), sum(folded.values())
        print(
            f"{label}: distinct strings matched {len(matched)}/{distinct} ({len(matched) / distinct:.1%}),"
            f" with a role {len(with_role) / distinct:.1%}; occurrences matched"
            f" {sum(folded[k] for k in matched) / occurrences:.1%} of {occurrences},"
            f" with a role {sum(folded[k] for k in with_role) / occurrences:.1%}"
        )
        if label == "both" and show_unmatched:
            print(f"most frequent unmatched strings (top {show_unmatched}):")
            unmatched = [(folded[k], k) for k, e in hits.items() if e is None]
            for count, key in sorted(unmatched, reverse=True)[:show_unmatched]:
                print(f"  {count:6d}  {key}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kb", type=Path, default=DEFAULT_KB, help="ingredients YAML to check")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding the Sephora CSVs")
    parser.add_argument("--unmatched", type=int, default=0, help="list the N most frequent unmatched strings")
    parser.add_argument("--warnings", action="store_true", help="also list repeated terms with equal roles")
    args = parser.parse_args(argv)

    entries, problems = load_entries(args.kb)
    errors, warnings = term_clashes(entries)
    problems += errors
    names = Counter(fold(e.name) for e in entries)
    problems += [f"name '{n}' used by {c} entries" for n, c in names.items() if c > 1]
    roles = Counter(role for e in entries for role in e.roles)
    print(f"{args.kb}: {len(entries)} entries, {sum(1 for e in entries if not e.roles)} without a role")
    print("roles: " + ", ".join(f"{r} {roles[r]}" for r in sorted(ROLE_IDS)))
    for problem in problems:
        print(f"ERROR {problem}")
    print(f"{len(warnings)} repeated terms with equal roles" + (":" if args.warnings and warnings else ""))
    if args.warnings:
        for warning in warnings:
            print(f"warning {warning}")
    report_coverage(entries, args.data, args.unmatched)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
