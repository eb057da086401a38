"""API keys: stored hashed, compared in constant time, scopes nest, and every route has a policy."""

from __future__ import annotations

import fakeredis
import pytest
from flask import Flask

from service.app import create_app
from service.auth import KeyStore, digest, grants, required_scope
from tests.conftest import ADMIN_KEY, READ_KEY, WRITE_KEY


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


def _app(**config: object) -> Flask:
    return create_app({"TESTING": True, **config}, redis=fakeredis.FakeRedis())


NO_KEY = {"Authorization": ""}
PRODUCT = {"sku": "a", "title": "Hydrating Serum"}


def test_no_key_or_a_bad_one_is_401_problem() -> None:
    client = _app().test_client()
    for headers in (NO_KEY, {"Authorization": "Bearer nope"}, {"Authorization": "", "X-API-Key": "nope"}):
        response = client.get("/v1/products", headers=headers)
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/v1/products", json=PRODUCT, headers=NO_KEY).status_code == 401
    assert client.get("/v1/products/a").status_code == 404  # nothing was stored


def test_scopes_are_enforced_with_403() -> None:
    client = _app().test_client()
    read = {"Authorization": f"Bearer {READ_KEY}"}
    write = {"Authorization": "", "X-API-Key": WRITE_KEY}
    assert client.get("/v1/products", headers=read).status_code == 200
    denied = client.post("/v1/products", json=PRODUCT, headers=read)
    assert denied.status_code == 403 and "needs 'write'" in denied.json["detail"]
    assert client.post("/v1/products", json=PRODUCT, headers=write).status_code == 202
    assert client.post("/v1/admin/retag", headers=write).status_code == 403
    assert client.post("/v1/admin/retag", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).status_code == 202


def test_public_read_opens_reads_only() -> None:
    client = _app(PUBLIC_READ=True).test_client()
    assert client.get("/v1/products", headers=NO_KEY).status_code == 200
    assert client.get("/v1/tags", headers=NO_KEY).status_code == 200
    assert client.post("/v1/products", json=PRODUCT, headers=NO_KEY).status_code == 401
    assert client.get("/healthz", headers=NO_KEY).status_code == 200


def test_managed_key_works_over_http_until_revoked() -> None:
    app = _app()
    store: KeyStore = app.extensions["neurotag.keys"]
    key, record = store.create("read", "storefront")
    client = app.test_client()
    assert client.get("/v1/tags", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    store.revoke(record["id"])
    assert client.get("/v1/tags", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_rate_limit_is_429_with_retry_after() -> None:
    client = _app(RATE_LIMIT="3 per minute").test_client()
    codes = [client.get("/v1/tags").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/v1/tags")
    assert limited.mimetype == "application/problem+json" and int(limited.headers["Retry-After"]) > 0
    assert client.get("/healthz").status_code == 200  # probes are never limited
    other = {"Authorization": f"Bearer {READ_KEY}"}  # limits are per key
    assert client.get("/v1/tags", headers=other).status_code == 200
