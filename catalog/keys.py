"""Redis key names, all under one prefix so that several catalogs can share a server."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    """Every key the service uses; Lua scripts receive the prefix and build the same names."""

    prefix: str = "nt"

    @classmethod
    def from_env(cls) -> Keys:
        return cls(os.environ.get("NEUROTAG_KEY_PREFIX", "nt"))

    def product(self, sku: str) -> str:
        return f"{self.prefix}:product:{sku}"

    def tag_bits(self, tag_id: str) -> str:
        """Bitmap of the listed products carrying the tag, by dense product id (catalog/lua/lib.lua)."""
        return f"{self.prefix}:bits:tag:{tag_id}"

    def corrections(self, sku: str) -> str:
        """Hash of a product's merchandiser corrections: tag id → JSON {state, note, at}."""
        return f"{self.prefix}:corrections:{sku}"

    @property
    def tagged(self) -> str:
        """Sorted set of tagged SKUs scored by their dense product id."""
        return f"{self.prefix}:tagged"

    @property
    def failed(self) -> str:
        """Sorted set of SKUs whose last tagging failed, scored by dense product id."""
        return f"{self.prefix}:failed"

    @property
    def stats(self) -> str:
        """Hash of monotonic counters the workers keep (jobs, products, tagging seconds histogram)."""
        return f"{self.prefix}:stats"

    @property
    def pending(self) -> str:
        """Sorted set of SKUs waiting to be tagged, scored by when they were queued."""
        return f"{self.prefix}:pending"

    @property
    def sequence(self) -> str:
        return f"{self.prefix}:seq"

    @property
    def catalog_version(self) -> str:
        """Incremented whenever the index changes: cache keys and ETags derive from it."""
        return f"{self.prefix}:catalog-version"

    @property
    def versions(self) -> str:
        """Hash: taxonomy version → how many products carry tags from it (re-tagging progress)."""
        return f"{self.prefix}:versions"

    @property
    def sweep_lock(self) -> str:
        """Held for a maintenance interval by the worker that checks for orphaned pending products."""
        return f"{self.prefix}:sweep-lock"

    @property
    def seeded(self) -> str:
        return f"{self.prefix}:seeded"

    def import_record(self, import_id: str) -> str:
        """Hash of one bulk import (status, counters); its sets and lists are named `<this key>:<part>`."""
        return f"{self.prefix}:import:{import_id}"

    @property
    def imports(self) -> str:
        """Sorted set of import ids scored by creation time (newest imports first in listings)."""
        return f"{self.prefix}:imports"

    def scratch(self, token: str) -> str:
        return f"{self.prefix}:tmp:{token}"

    @property
    def search_index(self) -> str:
        """Format version of the query bitmaps, words and title order (lib.lua, search_backfill.py)."""
        return f"{self.prefix}:search-index"

    @property
    def api_keys(self) -> str:
        """Hash: key id → JSON record (scope, name, created_at, SHA-256 of the key; never the key)."""
        return f"{self.prefix}:apikeys"

    def api_key(self, digest: str) -> str:
        """The record of a managed API key, found by the SHA-256 of the key presented."""
        return f"{self.prefix}:apikey:{digest}"
