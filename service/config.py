"""Settings read from the environment, in one place (README's Configuration lists each)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True, slots=True)
class Settings:
    redis_url: str = DEFAULT_REDIS_URL
    # Read API for storefronts: browser origins allowed by CORS ("*" for any), Cache-Control of GETs,
    # the per-process cache of product-list pages (keyed by query and catalog version) and of each
    # product's JSON (keyed by its revision); 0 turns a cache off.
    cors_origins: tuple[str, ...] = ()
    cache_control: str = "no-cache"
    page_cache_mb: float = 32.0
    product_cache_mb: float = 64.0
    data_dir: Path = Path("var")
    max_body_bytes: int = 1024 * 1024
    log_level: str = "INFO"
    import_max_bytes: int = 512 * 1024 * 1024
    import_chunk: int = 500
    import_lease: float = 60.0
    api_keys: str = ""  # bootstrap keys, "scope:key,…"
    public_read: bool = False  # read endpoints open to anyone (a storefront calling from browsers)
    rate_limit: str = "6000 per minute"  # per key (per address without one); "off" disables

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            redis_url=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
            cors_origins=tuple(
                o.strip().rstrip("/")
                for o in os.environ.get("NEUROTAG_CORS_ORIGINS", "").split(",")
                if o.strip()
            ),
            cache_control=os.environ.get("NEUROTAG_CACHE_CONTROL", "no-cache").strip(),
            page_cache_mb=float(os.environ.get("NEUROTAG_PAGE_CACHE_MB", "32")),
            product_cache_mb=float(os.environ.get("NEUROTAG_PRODUCT_CACHE_MB", "64")),
            data_dir=Path(os.environ.get("NEUROTAG_DATA_DIR", "var")),
            max_body_bytes=int(os.environ.get("NEUROTAG_MAX_BODY_BYTES", str(1024 * 1024))),
            log_level=os.environ.get("NEUROTAG_LOG_LEVEL", "INFO").upper(),
            import_max_bytes=int(os.environ.get("NEUROTAG_IMPORT_MAX_BYTES", str(512 * 1024 * 1024))),
            import_chunk=int(os.environ.get("NEUROTAG_IMPORT_CHUNK", "500")),
            import_lease=float(os.environ.get("NEUROTAG_IMPORT_LEASE", "60")),
            api_keys=os.environ.get("NEUROTAG_API_KEYS", ""),
            public_read=os.environ.get("NEUROTAG_PUBLIC_READ", "0").strip().lower()
            in ("1", "true", "yes", "on"),
            rate_limit=os.environ.get("NEUROTAG_RATE_LIMIT", "6000 per minute"),
        )
