"""catalog/search.py on fakeredis: the Lua engine agrees with a plain-Python oracle on random catalogs."""

from __future__ import annotations

import fakeredis
import pytest

from catalog import InvalidCursor
from catalog.cursors import encode_cursor
from catalog.search import SearchQuery
from tests.search_oracle import World, expected, pages


@pytest.fixture(scope="module")
def world() -> World:
    built = World(fakeredis.FakeRedis(), "search-test", seed=7)
    built.build(160)
    return built


@pytest.mark.parametrize("title_walk", [4000, 0], ids=["walk-title-index", "sort-few-results"])
def test_random_queries_match_the_oracle_page_by_page(world: World, title_walk: int) -> None:
    world.search.title_walk = title_walk
    checked_nonempty = 0
    for _ in range(60):
        query = world.random_query()
        want, facets = expected(world, query)
        got: list[str] = []
        for skus, total, page_facets in pages(world, query):
            assert total == len(want), query
            assert page_facets == facets, query
            assert len(skus) <= query.limit
            got += skus
        assert got == want, query
        checked_nonempty += bool(want)
    assert checked_nonempty > 20, "the random queries should mostly find something"


def test_disjunctive_counts_ignore_their_own_group(world: World) -> None:
    plain = world.search.search(SearchQuery(facets=True))
    ticked = world.search.search(SearchQuery(selections=(("touch",), ()), facets=True))
    assert ticked.facets is not None and plain.facets is not None
    # The neuro group's counts are unchanged by a tick inside it; the other group's counts narrow.
    assert ticked.facets["neuro"] == plain.facets["neuro"]
    assert ticked.facets["benefit"] != plain.facets["benefit"]
    assert ticked.total == plain.facets["neuro"]["touch"]


def test_empty_result_has_zero_counts(world: World) -> None:
    page = world.search.search(SearchQuery(brands=("No Such Brand",), facets=True))
    assert page.total == 0 and page.items == [] and page.next_cursor is None
    assert page.facets is not None
    assert all(n == 0 for counts in page.facets.values() for n in counts.values())


def test_cursor_is_bound_to_its_sort(world: World) -> None:
    first = world.search.search(SearchQuery(sort="relevance", selections=(("touch",), ()), limit=2))
    assert first.next_cursor
    with pytest.raises(InvalidCursor):
        world.search.search(SearchQuery(sort="title", cursor=first.next_cursor))
    with pytest.raises(InvalidCursor):
        world.search.search(SearchQuery(cursor="not-a-cursor"))
    with pytest.raises(InvalidCursor):
        world.search.search(
            SearchQuery(sort="newest", cursor=encode_cursor({"sort": "newest", "before": -1}))
        )


def test_foundation_cursor_still_pages(world: World) -> None:
    """Cursors issued before sorting existed ({"after": id}) keep working for the default order."""
    everything, _ = expected(world, SearchQuery())
    old_style = encode_cursor({"after": world.listed[everything[2]].id})
    page = world.search.search(SearchQuery(cursor=old_style, limit=3))
    assert [p.sku for p in page.items] == everything[3:6]
