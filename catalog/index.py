"""The per-tag index's own reads: how many tagged products carry each tag (storefront search is search.py)."""

from __future__ import annotations

from collections.abc import Sequence

from redis import Redis

from catalog.keys import Keys


class TagIndex:
    """Counts over the per-tag bitmaps that the write path keeps (catalog/lua/lib.lua)."""

    def __init__(self, redis: Redis, tag_ids: Sequence[str], keys: Keys | None = None) -> None:
        self.redis = redis
        self.keys = keys or Keys.from_env()
        self.tag_ids = tuple(tag_ids)

    def counts(self) -> dict[str, int]:
        """Tagged products per tag, for the taxonomy endpoint."""
        pipe = self.redis.pipeline(transaction=False)
        for tag in self.tag_ids:
            pipe.bitcount(self.keys.tag_bits(tag))
        return {tag: int(n) for tag, n in zip(self.tag_ids, pipe.execute(), strict=True)}
