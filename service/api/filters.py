"""From validated query parameters to a catalog SearchQuery, and facet counts back to their payload."""

from __future__ import annotations

from typing import Any

from catalog.search import SearchQuery
from tagging import Taxonomy


def search_query(args: dict[str, Any], taxonomy: Taxonomy) -> SearchQuery:
    """ProductQuerySchema's output as a SearchQuery; the schema has already checked every tag id."""
    tags = tuple(dict.fromkeys(args["tag"]))
    return SearchQuery(
        all_tags=tags if args["match"] == "all" else (),
        any_tags=tags if args["match"] == "any" else (),
        exclude=tuple(dict.fromkeys(args["exclude_tags"])),
        selections=tuple(tuple(args.get(group.id, ())) for group in taxonomy.groups),
        brands=tuple(args["brand"]),
        categories=tuple(args["category"]),
        text=args["q"],
        min_score=args["min_score"],
        sort=args["sort"],
        limit=args["limit"],
        cursor=args.get("cursor"),
        facets=args["facets"],
    )


def facet_payload(
    counts: dict[str, dict[str, int]], query: SearchQuery, taxonomy: Taxonomy
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """(count per tag id, groups with labels, counts and whether each tag is ticked) for a filter panel."""
    chosen = {tag for selection in query.selections for tag in selection}
    chosen |= set(query.all_tags) | set(query.any_tags)
    flat = {tag: n for group in counts.values() for tag, n in group.items()}
    groups = [
        {
            "id": group.id,
            "label": group.label,
            "tags": [
                {"id": t.id, "label": t.label, "count": flat.get(t.id, 0), "selected": t.id in chosen}
                for t in group.tags
            ],
        }
        for group in taxonomy.groups
    ]
    return flat, groups
