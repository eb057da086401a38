"""Storefront search: filters, sorts and disjunctive facet counts, answered by one Lua call on bitmaps."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis

from catalog.cursors import SORTS, decode_cursor, encode_cursor
from catalog.keys import Keys
from catalog.products import PRODUCT_FIELDS, StoredProduct, facet_key
from catalog.scripts import script
from catalog.search_text import query_terms


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What a storefront asks for. `selections` holds, per facet group, the tags ticked in it."""

    all_tags: tuple[str, ...] = ()
    any_tags: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    selections: tuple[tuple[str, ...], ...] = ()
    brands: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    text: str = ""
    min_score: float = 0.0
    sort: str = "oldest"
    limit: int = 24
    cursor: str | None = None
    facets: bool = False

    def matched_tags(self) -> list[str]:
        """The tags whose scores make up relevance: every tag the query asks for."""
        return list(dict.fromkeys([*self.all_tags, *self.any_tags, *(t for s in self.selections for t in s)]))


# Every write that changes how a product shows moves one of these (or its corrections): content the
# hash, tagging tagged_at and status, an upsert updated_at; a failure its error.
REVISION_FIELDS = ("hash", "status", "tagged_at", "updated_at", "error")


@dataclass(frozen=True, slots=True)
class ItemRef:
    """A result by SKU and revision: enough to reuse a rendering of the product made earlier."""

    sku: str
    revision: tuple[bytes | None, ...]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results, with the catalog version they were read at (ETags derive from it).

    items holds the products, or refs (SKU and revision) when the search was asked for refs only."""

    items: list[StoredProduct]
    refs: list[ItemRef]
    total: int
    next_cursor: str | None
    facets: dict[str, dict[str, int]] | None
    version: int


class CatalogSearch:
    """Runs SearchQuery against the query bitmaps that catalog/lua/lib.lua keeps beside the tag index.

    facet_groups is the taxonomy's grouping, [(group id, tag ids)]: facet counts come back grouped so."""

    # sort=title walks the title index while that should visit at most this many entries for a page,
    # else it sorts the (then fewer than limit * catalog / title_walk) results' title keys.
    title_walk = 4000

    def __init__(
        self, redis: Redis, facet_groups: Sequence[tuple[str, Sequence[str]]], keys: Keys | None = None
    ) -> None:
        self.redis = redis
        self.keys = keys or Keys.from_env()
        self.facet_groups = [(group, tuple(tags)) for group, tags in facet_groups]

    def version(self) -> int:
        """The catalog version now: it moves on every change a search result could show."""
        return int(self.redis.get(self.keys.catalog_version) or 0)

    def search(self, query: SearchQuery, *, rows: bool = True) -> SearchPage:
        """The page; with rows=False only each item's SKU and revision are read (far less to copy)."""
        if query.sort not in SORTS:
            raise ValueError(f"unknown sort {query.sort!r}")
        if len(query.selections) > len(self.facet_groups):
            raise ValueError("more selections than facet groups")
        position = decode_cursor(query.cursor, query.sort) if query.cursor else {}
        selections = [list(s) for s in query.selections]
        selections += [[] for _ in range(len(self.facet_groups) - len(selections))]
        spec = {
            "prefix": self.keys.prefix,
            "all": list(query.all_tags),
            "any": list(query.any_tags),
            "exclude": list(query.exclude),
            "groups": selections,
            "facet_tags": [list(tags) for _, tags in self.facet_groups],
            # A value that folds to nothing names a key that never exists: it matches no product.
            "brands": [facet_key(b) for b in query.brands],
            "categories": [facet_key(c) for c in query.categories],
            "terms": [[word, prefix] for word, prefix in query_terms(query.text)],
            # Scores are indexed in hundredths; the API admits at most two decimals, so this is exact.
            "min": max(0, min(100, round(query.min_score * 100))),
            "matched": query.matched_tags(),
            "sort": query.sort,
            "cursor": position,
            "limit": query.limit,
            "title_walk": self.title_walk,
            "facets": query.facets,
            "fields": list(PRODUCT_FIELDS if rows else REVISION_FIELDS),
        }
        reply = script(self.redis, "search", "bitmaps")(args=[json.dumps(spec, ensure_ascii=False)])
        version, total, counts, _ids, skus, values, corrections, last = reply
        found = [(sku, row, corr) for sku, row, corr in zip(skus, values, corrections, strict=True) if sku]
        items = (
            [p for _, row, corr in found if (p := StoredProduct.from_hash(row, _pairs(corr))) is not None]
            if rows
            else []
        )
        # A product deleted since it was indexed has no hash: it is left out, as from_hash leaves it out.
        refs = [] if rows else [ItemRef(_text(sku), (*row, *corr)) for sku, row, corr in found if row[0]]
        return SearchPage(
            items=items,
            refs=refs,
            total=int(total),
            next_cursor=_next_cursor(query.sort, last) if last else None,
            facets=self._grouped(counts) if query.facets else None,
            version=int(version),
        )

    def _grouped(self, counts: Sequence[int]) -> dict[str, dict[str, int]]:
        flat = iter(counts)
        return {group: {tag: int(next(flat)) for tag in tags} for group, tags in self.facet_groups}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _pairs(flat: Sequence[bytes]) -> dict[bytes | str, bytes | str]:
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _next_cursor(sort: str, last: Sequence[int | bytes]) -> str:
    """The cursor after the last item of a page: the item's id, relevance value or title key."""
    last_id, value, member = int(last[0]), int(last[1]), last[2]
    if sort == "newest":
        return encode_cursor({"sort": sort, "before": last_id})
    if sort == "relevance":
        return encode_cursor({"sort": sort, "r": value, "id": last_id})
    if sort == "title":
        text = member.decode() if isinstance(member, bytes) else str(member)
        return encode_cursor({"sort": sort, "k": text})
    return encode_cursor({"sort": sort, "after": last_id})
