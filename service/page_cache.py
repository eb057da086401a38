"""A per-process LRU of product-list response bodies, keyed by (ETag, query): stale entries never match.

In-process rather than in Redis: a hit costs no second round trip, and the read path writes nothing
to Redis (no AOF growth, nothing replicated) however hot the storefront gets."""

from __future__ import annotations

import threading
from collections import OrderedDict


class PageCache:
    """Bounded by bytes; every key carries the catalog version, so an index change misses by itself."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # gthread workers share one cache between threads
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: tuple[str, str], body: bytes) -> None:
        if len(body) > self.max_bytes // 8:  # one huge page must not flush everything else
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._size -= len(old) if old is not None else 0
            self._entries[key] = body
            self._size += len(body)
            while self._size > self.max_bytes and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def __len__(self) -> int:
        return len(self._entries)
