"""Faults with real processes: Redis killed and restarted (AOF), Redis down, a worker killed mid-job,
a poison product. Each test runs its own Redis server, API and workers, since it breaks them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

from catalog import Keys, ProductStore
from service.embedded_redis import EmbeddedRedis
from service.supervisor import gunicorn_command
from tests.integration.conftest import Stack, free_port, stack_env
from workers import QueueSettings, enqueue_tagging, tagging_queue

pytestmark = pytest.mark.integration


@dataclass
class FaultStack(Stack):
    """A stack whose Redis and workers the test may kill; processes run in their own sessions."""

    server: EmbeddedRedis | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: Path = Path(".")

    def spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        handle = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def spawn_worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.spawn(name, [sys.executable, "-m", "service.cli", "worker"])

    def kill_group(self, process: subprocess.Popen[bytes]) -> None:
        """kill -9 a process and everything it forked (a worker and its work-horse)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def product(self, sku: str) -> dict[str, object]:
        response = self.get(f"/v1/products/{sku}")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def fault_stack(tmp_path: Path) -> Iterator[FaultStack]:
    port = free_port()
    server = EmbeddedRedis(tmp_path / "redis", port=port, appendfsync="always")
    url = server.start()
    env = stack_env(url, f"ft-{uuid.uuid4().hex[:6]}", NEUROTAG_RETRY_INTERVALS="1,1,1")
    api_port = free_port()
    stack = FaultStack(
        f"http://127.0.0.1:{api_port}", Redis.from_url(url), env, [], server=server, logs=tmp_path
    )
    stack.spawn("api", gunicorn_command("127.0.0.1", api_port))
    stack.workers.append(stack.spawn_worker("worker-1"))

    try:
        stack.wait_ready(str(tmp_path))
        yield stack
    finally:
        for process in stack.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in stack.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if stack.server:
            stack.server.stop()


def post_products(stack: Stack, prefix: str, count: int) -> list[str]:
    skus = []
    for n in range(count):
        sku = f"{prefix}-{n:03d}"
        body = {"sku": sku, "title": f"Hydrating Serum {n}", "description": "With hyaluronic acid."}
        assert stack.post("/v1/products", json=body).status_code == 202
        skus.append(sku)
    return skus


def test_redis_killed_loses_no_acknowledged_product_and_everything_recovers(fault_stack: FaultStack) -> None:
    stack = fault_stack
    skus = post_products(stack, "ack", 40)
    assert stack.server and stack.server.process
    stack.server.process.kill()  # kill -9: no shutdown, no final AOF rewrite
    stack.server.process.wait()

    down = stack.get("/v1/products/ack-000")
    assert down.status_code == 503
    assert down.headers["Content-Type"].startswith("application/problem+json")
    assert "Traceback" not in down.text and down.json()["title"] == "Service Unavailable"
    assert down.headers["Retry-After"]
    assert stack.get("/readyz").status_code == 503
    assert stack.get("/healthz").status_code == 200

    stack.server.start()  # same data directory and port: the AOF is replayed
    stack.wait_for(
        lambda: stack.get("/readyz").status_code == 200, "the API and worker to recover by themselves"
    )
    for sku in skus:
        assert stack.product(sku)["sku"] == sku  # every 202 before the crash survived it
    stack.wait_for(
        lambda: all(stack.product(s)["status"] == "tagged" for s in skus),
        "all to be tagged (a chunk lost mid-flight waits for its lease and RQ's scheduler)",
        timeout=120,
        on_timeout=lambda: {
            s: stack.product(s)["status"] for s in skus if stack.product(s)["status"] != "tagged"
        },
    )
    after = post_products(stack, "after", 1)[0]
    stack.wait_for(lambda: stack.product(after)["status"] == "tagged", "a worker that reconnected")


def catalog_of(stack: Stack) -> tuple[ProductStore, QueueSettings, Queue]:
    """The stack's store and queue, by its key prefix and queue name."""
    settings = QueueSettings(name=stack.env["NEUROTAG_QUEUE"], retry_intervals=(1, 1, 1))
    store = ProductStore(stack.redis, Keys(stack.env["NEUROTAG_KEY_PREFIX"]))
    return store, settings, tagging_queue(stack.redis, settings)


def test_worker_killed_mid_job_loses_nothing(fault_stack: FaultStack) -> None:
    stack = fault_stack
    store, settings, queue = catalog_of(stack)
    # One big job, long enough to be killed in the middle of it.
    docs = [{"sku": f"big-{n:05d}", "title": f"Night Cream {n}", "ingredients": "Water, Glycerin, Retinol"}
            for n in range(6000)]  # fmt: skip
    store.upsert(docs, lambda pipe, skus: enqueue_tagging(queue, pipe, skus, settings))
    stack.wait_for(lambda: bool(queue.started_job_registry.get_job_ids()), "the job to start", timeout=20)
    stack.kill_group(stack.workers[0])
    assert store.redis.zcard(store.keys.pending) > 0, "the job finished before the kill: make it bigger"
    stack.workers.append(stack.spawn_worker("worker-2"))
    stack.wait_for(
        lambda: store.redis.zcard(store.keys.tagged) == len(docs), "the abandoned job to be redone", 90
    )
    assert store.redis.zcard(store.keys.pending) == 0 and store.redis.zcard(store.keys.failed) == 0


def test_poison_product_fails_alone(fault_stack: FaultStack) -> None:
    stack = fault_stack
    store, settings, queue = catalog_of(stack)
    # A 5 MB description cannot come through the API (413 / 422); write it as a buggy importer might.
    docs = [
        {"sku": "poison", "title": "Huge", "description": "soothing " * 600_000},
        {"sku": "fine", "title": "Soothing Gel"},
    ]
    store.upsert(docs, lambda pipe, skus: enqueue_tagging(queue, pipe, skus, settings))
    stack.wait_for(lambda: stack.product("fine")["status"] == "tagged", "the good product")
    poison = stack.product("poison")
    assert poison["status"] == "failed" and poison["tags"] == []
    assert "ProductTooLarge" in str(poison["error"]) and "characters" in str(poison["error"])
