"""Shared fixtures: the Sephora data folder, and an app on fakeredis for unit tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fakeredis
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import SimpleWorker

from service.app import create_app
from service.extensions import EXTENSION, Services

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def redis() -> fakeredis.FakeRedis:
    return fakeredis.FakeRedis()


# Every app a test builds knows these bootstrap keys, and every Flask test client sends the admin one
# unless a request says otherwise (tests of access control send their own Authorization header).
ADMIN_KEY, READ_KEY, WRITE_KEY = "test-admin-key", "test-read-key", "test-write-key"
os.environ["NEUROTAG_API_KEYS"] = f"admin:{ADMIN_KEY},read:{READ_KEY},write:{WRITE_KEY}"


class KeyedClient(FlaskClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ADMIN_KEY}"


Flask.test_client_class = KeyedClient


@pytest.fixture
def app(redis: fakeredis.FakeRedis) -> Iterator[Flask]:
    yield create_app({"TESTING": True}, redis=redis)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def services(app: Flask) -> Services:
    found: Services = app.extensions[EXTENSION]
    return found


@pytest.fixture
def work(services: Services) -> Callable[[], None]:
    """Run every queued tagging job in this process (RQ's SimpleWorker, burst mode)."""

    def run() -> None:
        SimpleWorker([services.queue], connection=services.redis).work(burst=True, with_scheduler=False)

    return run


def sephora_file(name: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason."""
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the Sephora catalogs live in ../shared/data next to the project")
    return path
