"""API keys and scopes: who may call what. Keys are stored hashed; checks run before every request.

Scopes nest: admin ⊃ write ⊃ read. Bootstrap keys come from NEUROTAG_API_KEYS ("scope:key,…");
managed keys live in Redis (only their SHA-256), created and revoked with `neurotag keys`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass

from flask import Flask, g, request
from redis import Redis
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from catalog import Keys

SCOPES = ("read", "write", "admin")
# (methods, path prefix, scope needed); the first match wins, None means public.
POLICY: tuple[tuple[frozenset[str], str, str | None], ...] = (
    (frozenset({"GET", "HEAD", "OPTIONS"}), "/healthz", None),
    (frozenset({"GET", "HEAD", "OPTIONS"}), "/readyz", None),
    (frozenset({"GET", "HEAD", "OPTIONS"}), "/metrics", None),
    (frozenset({"GET", "HEAD", "OPTIONS"}), "/openapi.json", None),
    (frozenset({"GET", "HEAD", "OPTIONS"}), "/docs", None),
    (frozenset({"GET", "HEAD", "OPTIONS"}), "/static/", None),
    (frozenset({"OPTIONS"}), "/", None),  # CORS preflight carries no credentials
    (frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}), "/v1/admin/", "admin"),
    (frozenset({"GET", "HEAD"}), "/v1/imports", "write"),
    (frozenset({"GET", "HEAD"}), "/v1/", "read"),
    (frozenset({"POST", "PUT", "DELETE", "PATCH"}), "/v1/", "write"),
)


def required_scope(method: str, path: str) -> str | None:
    """The scope a request needs; None for public routes (the storefront page and its assets too)."""
    for methods, prefix, scope in POLICY:
        if method in methods and (path == prefix.rstrip("/") or path.startswith(prefix)):
            return scope
    return None if not path.startswith("/v1/") else "admin"


def grants(scope: str, needed: str) -> bool:
    return SCOPES.index(scope) >= SCOPES.index(needed)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a key id (never the key) and its scope."""

    key_id: str
    scope: str
    name: str = ""


class KeyStore:
    """Bootstrap keys from the environment plus managed keys in Redis, both kept as SHA-256 digests."""

    def __init__(self, redis: Redis, bootstrap: str = "", keys: Keys | None = None) -> None:
        self.redis = redis
        self.keys = keys or Keys.from_env()
        self._bootstrap: list[tuple[str, Principal]] = []
        for index, entry in enumerate(e.strip() for e in bootstrap.split(",") if e.strip()):
            scope, _, key = entry.partition(":")
            if scope not in SCOPES or not key:
                raise ValueError(
                    f"NEUROTAG_API_KEYS entry {index + 1}: expected scope:key with scope in {SCOPES}"
                )
            self._bootstrap.append((digest(key), Principal(f"env-{index + 1}", scope, "NEUROTAG_API_KEYS")))

    @classmethod
    def from_env(cls, redis: Redis) -> KeyStore:
        return cls(redis, os.environ.get("NEUROTAG_API_KEYS", ""))

    @property
    def configured(self) -> bool:
        """True when any key exists (bootstrap or managed)."""
        return bool(self._bootstrap) or bool(self.redis.hlen(self.keys.api_keys))

    def authenticate(self, key: str) -> Principal | None:
        hashed = digest(key)
        found = None
        for candidate, principal in self._bootstrap:
            # compare every entry, in constant time, so timing says nothing about which one matched
            if hmac.compare_digest(candidate, hashed):
                found = principal
        if found:
            return found
        raw = self.redis.hget(self.keys.api_key(hashed), "record")
        if raw is None:
            return None
        record = json.loads(raw)
        if not hmac.compare_digest(record["hash"], hashed):
            return None
        return Principal(record["id"], record["scope"], record.get("name", ""))

    def create(self, scope: str, name: str = "") -> tuple[str, dict[str, str]]:
        """A new key (returned once, never stored) and its public record."""
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}")
        key = f"nt_{secrets.token_urlsafe(32)}"
        hashed = digest(key)
        record = {
            "id": f"key_{secrets.token_hex(6)}",
            "scope": scope,
            "name": name,
            "created_at": str(time.time()),
        }
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.api_key(hashed), "record", json.dumps({**record, "hash": hashed}))
            pipe.hset(self.keys.api_keys, record["id"], json.dumps({**record, "hash": hashed}))
            pipe.execute()
        return key, record

    def list(self) -> list[dict[str, str]]:
        records = [json.loads(v) for v in self.redis.hvals(self.keys.api_keys)]
        return sorted(
            ({k: v for k, v in r.items() if k != "hash"} for r in records), key=lambda r: r["created_at"]
        )

    def revoke(self, key_id: str) -> bool:
        raw = self.redis.hget(self.keys.api_keys, key_id)
        if raw is None:
            return False
        record = json.loads(raw)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.keys.api_key(record["hash"]))
            pipe.hdel(self.keys.api_keys, key_id)
            pipe.execute()
        return True


def presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def init_app(app: Flask, store: KeyStore, *, public_read: bool) -> None:
    """Check every request against POLICY: 401 without a valid key, 403 with too small a scope."""
    app.extensions["neurotag.keys"] = store

    @app.before_request
    def _authorize() -> None:
        needed = required_scope(request.method, request.path)
        if needed is None or (needed == "read" and public_read):
            return
        key = presented_key()
        principal = store.authenticate(key) if key else None
        if principal is None:
            raise Unauthorized(
                "Send a valid API key as 'Authorization: Bearer <key>' or 'X-API-Key'.",
                www_authenticate=WWWAuthenticate("bearer", {"realm": "neurotag"}),
            )
        if not grants(principal.scope, needed):
            raise Forbidden(f"This key's scope is '{principal.scope}'; this call needs '{needed}'.")
        g.principal = principal
