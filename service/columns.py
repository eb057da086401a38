"""Which CSV columns make which product fields: our own names, or a mapping sent with the request."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from schemas.product import ProductInSchema
from service.errors import MappingError
from service.formats import Record, Row

PRODUCT_FIELDS = tuple(ProductInSchema().fields)
REQUIRED = ("sku", "title")
MAX_SKU = 128
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def parse_mapping(specs: Sequence[str]) -> dict[str, str]:
    """`Column:field` specs (sources joined with + derive a value, e.g. `Brand+Name:sku`) as
    {field: source text}; the sources are checked against the header once it is read."""
    mapping: dict[str, str] = {}
    for spec in specs:
        source, colon, target = spec.rpartition(":")
        target = target.strip()
        if not colon or not source.strip() or not target:
            raise MappingError(f"Mapping {spec!r} is not of the form Column:field (e.g. Name:title).")
        if target not in PRODUCT_FIELDS:
            raise MappingError(
                f"Mapping {spec!r} names no product field; fields are {', '.join(PRODUCT_FIELDS)}."
            )
        if target in mapping:
            raise MappingError(f"Field {target!r} is mapped twice.")
        mapping[target] = source.strip()
    return mapping


def derive_sku(parts: Sequence[str]) -> str:
    """A stable sku from several values, e.g. brand and name: "LA MER", "Crème de la Mer" →
    "la-mer-creme-de-la-mer" (a hash suffix keeps a long one unique within 128 characters)."""
    ascii_text = unicodedata.normalize("NFKD", " ".join(parts)).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SKU:
        digest = hashlib.sha1(" ".join(parts).encode()).hexdigest()[:12]
        slug = f"{slug[: MAX_SKU - 13].rstrip('-')}-{digest}"
    return slug


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """field → the columns it is read from; several columns are joined (slugged for sku)."""

    kind: str
    header: list[str]
    fields: dict[str, tuple[int, ...]]

    def describe(self) -> dict[str, Any]:
        """How the header was read: shown on the import so a wrong mapping is easy to spot."""
        used = {i for columns in self.fields.values() for i in columns}
        return {
            "kind": self.kind,
            "fields": {f: [self.header[i] for i in columns] for f, columns in self.fields.items()},
            "ignored": [name for i, name in enumerate(self.header) if i not in used and name],
        }

    def product(self, values: Sequence[str]) -> dict[str, str]:
        product: dict[str, str] = {}
        for name, columns in self.fields.items():
            parts = [values[i].strip() for i in columns if values[i].strip()]
            if parts:
                product[name] = derive_sku(parts) if name == "sku" and len(columns) > 1 else " ".join(parts)
        return product

    def rows(self, records: Iterator[Record]) -> Iterator[Row]:
        for record in records:
            if record.error is not None:
                yield Row(record.line, error=record.error)
            else:
                yield Row(record.line, self.product(record.values))


def own_fields(header: Sequence[str]) -> ColumnMap | None:
    """A header of our own field names (sku, title, …); other columns are ignored."""
    index = {name.lower(): i for i, name in enumerate(header)}
    if not all(name in index for name in REQUIRED):
        return None
    fields: dict[str, tuple[int, ...]] = {name: (index[name],) for name in PRODUCT_FIELDS if name in index}
    return ColumnMap("fields", list(header), fields)


def explicit(header: Sequence[str], mapping: Mapping[str, str]) -> ColumnMap:
    """The mapping sent with the request, checked against the header."""
    missing = [name for name in REQUIRED if name not in mapping]
    if missing:
        raise MappingError(
            f"The mapping must give {' and '.join(missing)} (e.g. Name:title, Brand+Name:sku); "
            f"the header has: {', '.join(header)}."
        )
    exact = {name: i for i, name in enumerate(header)}
    folded = {name.lower(): i for i, name in enumerate(header)}
    fields: dict[str, tuple[int, ...]] = {}
    for name, source in mapping.items():
        sources = [source] if source in exact else [s.strip() for s in source.split("+")]
        unknown = [s for s in sources if s not in exact and s.lower() not in folded]
        if unknown:
            hint = " (write + as %2B in a URL)" if " " in source else ""
            raise MappingError(
                f"Column(s) {', '.join(map(repr, unknown))} mapped to {name} are not in the header{hint}; "
                f"it has: {', '.join(header)}."
            )
        fields[name] = tuple(exact[s] if s in exact else folded[s.lower()] for s in sources)
    return ColumnMap("mapping", list(header), fields)
