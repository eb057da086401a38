"""API keys: stored hashed, compared in constant time, scopes nest, and every route has a policy."""

from __future__ import annotations

import fakeredis
import pytest

from service.auth import KeyStore, digest, grants, required_scope


def test_managed_keys_are_stored_hashed_and_revocable() -> None:
    redis = fakeredis.FakeRedis()
    store = KeyStore(redis)
    key, record = store.create("write", "shop-backend")
    assert key.startswith("nt_") and len(key) > 40
    dump = b"".join(v for k in redis.scan_iter() for v in redis.hvals(k))
    assert key.encode() not in dump and digest(key).encode() in dump  # never in plain text
    principal = store.authenticate(key)
    assert principal is not None and principal.scope == "write" and principal.key_id == record["id"]
    assert store.authenticate(key + "x") is None
    assert [r["id"] for r in store.list()] == [record["id"]] and "hash" not in store.list()[0]
    assert store.revoke(record["id"]) and store.authenticate(key) is None
    assert not store.revoke(record["id"])


def test_bootstrap_keys_from_the_environment() -> None:
    store = KeyStore(fakeredis.FakeRedis(), "read:r-key, admin:a-key")
    assert store.authenticate("r-key").scope == "read"  # type: ignore[union-attr]
    assert store.authenticate("a-key").scope == "admin"  # type: ignore[union-attr]
    assert store.authenticate("nope") is None
    with pytest.raises(ValueError, match="entry 1"):
        KeyStore(fakeredis.FakeRedis(), "root:x")


def test_scopes_nest() -> None:
    assert grants("admin", "write") and grants("write", "read") and grants("read", "read")
    assert not grants("read", "write") and not grants("write", "admin")


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/healthz", None),
        ("GET", "/readyz", None),
        ("GET", "/metrics", None),
        ("GET", "/openapi.json", None),
        ("GET", "/", None),
        ("GET", "/static/storefront.js", None),
        ("GET", "/v1/products", "read"),
        ("GET", "/v1/tags", "read"),
        ("POST", "/v1/products", "write"),
        ("DELETE", "/v1/products/a", "write"),
        ("PUT", "/v1/products/a/tags/soothing", "write"),
        ("POST", "/v1/tag", "write"),
        ("POST", "/v1/imports", "write"),
        ("GET", "/v1/imports/abc", "write"),
        ("POST", "/v1/admin/retag", "admin"),
        ("GET", "/v1/admin/retag", "admin"),
        ("OPTIONS", "/v1/products", None),
    ],
)
def test_policy(method: str, path: str, scope: str | None) -> None:
    assert required_scope(method, path) == scope
