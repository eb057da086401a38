"""Crash safety of bulk imports with real processes: a worker killed with SIGKILL in the middle of a chunk,
the API restarted after an upload, and the API killed during one.

This module runs its own stack (Redis is the session's): short job leases so that RQ finds a dead worker's
job in seconds (workers/liveness.py), a short upload lease, gthread gunicorn as `neurotag up` runs it, and
workers and API it may kill."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests
from redis import Redis
from rq import Queue, Worker
from rq.job import Job

from catalog import Keys
from catalog.imports import ImportStore
from service.supervisor import gunicorn_command
from tests.integration.conftest import _start, _stop, free_port, stack_env

pytestmark = pytest.mark.integration
SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "catalog.jsonl"
KEY = "crash-admin-key"
RETRIES = 2


@dataclass
class CrashStack:
    url: str
    port: int
    redis: Redis
    env: dict[str, str]
    logs: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    api: subprocess.Popen[bytes] | None = None

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {KEY}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def start_worker(self) -> None:
        n = len(self.workers) + 1
        command = [sys.executable, "-m", "service.cli", "worker", "--name", f"crash-{self.port}-{n}"]
        self.workers.append(_start(command, self.env, self.logs / f"worker-{n}.log"))

    def start_api(self) -> None:
        command = gunicorn_command("127.0.0.1", self.port, graceful_timeout=5)
        self.api = _start(command, self.env, self.logs / f"api-{time.monotonic_ns()}.log")
        wait_for(self.ready, f"the API to answer (logs in {self.logs})")

    def ready(self) -> bool:
        try:
            return self.request("GET", "/readyz").status_code == 200
        except requests.ConnectionError:
            return False

    def kill_api(self) -> None:
        """SIGKILL gunicorn's arbiter and its workers at once: nothing gets to clean up."""
        assert self.api is not None
        kill_tree(self.api.pid, signal.SIGKILL)
        self.api.wait(10)

    def stop_api(self) -> None:
        assert self.api is not None
        self.api.terminate()
        self.api.wait(20)

    def import_record(self, import_id: str) -> dict[str, Any]:
        response = self.request("GET", f"/v1/imports/{import_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def written(self, import_id: str) -> int:
        """Products the import's commits wrote: more than accepted means one was tagged twice."""
        record = ImportStore(self.redis, Keys(self.env["NEUROTAG_KEY_PREFIX"])).get(import_id)
        assert record is not None
        return record.written


def kill_tree(pid: int, sig: signal.Signals) -> None:
    parent = psutil.Process(pid)
    for process in [parent, *parent.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(sig)


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 60.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture(scope="module")
def crash(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashStack]:
    run_id = uuid.uuid4().hex[:8]
    env = stack_env(
        redis_url,
        f"crash-{run_id}",
        NEUROTAG_RETRY_INTERVALS=",".join("1" * RETRIES),
        NEUROTAG_IMPORT_CHUNK="500",
        NEUROTAG_IMPORT_LEASE="3",
        NEUROTAG_API_KEYS=f"admin:{KEY}",
    )
    port = free_port()
    stack = CrashStack(
        f"http://127.0.0.1:{port}", port, Redis.from_url(redis_url), env, tmp_path_factory.mktemp("crash")
    )
    try:
        stack.start_worker()
        stack.start_worker()
        stack.start_api()
        yield stack
    finally:
        _stop([p for p in (stack.api, *stack.workers) if p is not None])
        for key in stack.redis.scan_iter(f"crash-{run_id}:*"):
            stack.redis.delete(key)


def catalog(count: int, tag: str) -> list[dict[str, Any]]:
    """count products from the seed catalog, with unique skus and a varied title."""
    seeds = [json.loads(line) for line in SEEDS.read_text().splitlines() if line.strip()]
    return [
        {**seeds[n % len(seeds)], "sku": f"{tag}-{n}", "title": f"{seeds[n % len(seeds)]['title']} No. {n}"}
        for n in range(count)
    ]


def ndjson(products: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(p) + "\n" for p in products).encode()


def post_import(stack: CrashStack, body: Any) -> requests.Response:
    return stack.request("POST", "/v1/imports", data=body, headers={"Content-Type": "application/x-ndjson"})


def settled(stack: CrashStack, import_id: str, timeout: float = 60.0) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def done() -> bool:
        found.update(stack.import_record(import_id))
        return bool(found["completed_at"])

    wait_for(done, f"import {import_id} to settle", timeout)
    return found


def not_committed(stack: CrashStack, skus: list[str]) -> bool:
    """A chunk's products are all still pending: its commit (one MULTI for all) has not run."""
    pipe = stack.redis.pipeline(transaction=False)
    for sku in skus:
        pipe.hget(f"{stack.env['NEUROTAG_KEY_PREFIX']}:product:{sku}", "status")
    return all(status == b"pending" for status in pipe.execute())


def freeze_worker_mid_chunk(stack: CrashStack, worker: subprocess.Popen[bytes]) -> str:
    """SIGSTOP the worker and its forked job process while it runs a chunk; the chunk's job id."""
    queue = Queue(stack.env["NEUROTAG_QUEUE"], connection=stack.redis)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        kill_tree(worker.pid, signal.SIGSTOP)
        rq_worker = next((w for w in Worker.all(queue=queue) if w.pid == worker.pid), None)
        job_id = rq_worker.get_current_job_id() if rq_worker else None
        job = Job.fetch(job_id, connection=stack.redis) if job_id else None
        if job and job.get_status() == "started" and not_committed(stack, job.args[1]):
            return str(job_id)
        kill_tree(worker.pid, signal.SIGCONT)
        time.sleep(0.02)
    raise AssertionError("the worker never ran a chunk")


def test_a_worker_killed_mid_chunk_loses_nothing_and_tags_nothing_twice(crash: CrashStack) -> None:
    products = catalog(6000, "kill")
    response = post_import(crash, ndjson(products))
    assert response.status_code == 202, response.text
    import_id = response.json()["id"]
    victim = crash.workers[0]
    job_id = freeze_worker_mid_chunk(crash, victim)
    kill_tree(victim.pid, signal.SIGKILL)  # the worker, its job process and its scheduler: a lost machine
    victim.wait(10)
    killed_at = time.monotonic()

    record = settled(crash, import_id)
    recovery = time.monotonic() - killed_at
    counts = record["counts"]
    assert record["status"] == "completed"
    assert counts["accepted"] == counts["tagged"] == len(products)
    assert counts["failed"] == counts["superseded"] == 0
    assert crash.written(import_id) == len(products), "a product was tagged twice"
    # The chunk on the dead worker was found by RQ once its lease lapsed, and run again (the import settles
    # inside the re-run's commit, a moment before RQ marks the job finished).
    wait_for(
        lambda: Job.fetch(job_id, connection=crash.redis).get_status() == "finished", "the re-run to end"
    )
    assert Job.fetch(job_id, connection=crash.redis).retries_left == RETRIES - 1
    print(f"settled {recovery:.1f}s after the kill")
    assert recovery < 30, f"recovery took {recovery:.0f}s"
    pending = crash.redis.zcard(f"{crash.env['NEUROTAG_KEY_PREFIX']}:pending")
    assert pending == 0
    crash.start_worker()  # back to two for the next test


def test_restarting_the_api_after_an_upload_changes_nothing(crash: CrashStack) -> None:
    products = catalog(3000, "restart")
    response = post_import(crash, ndjson(products))
    assert response.status_code == 202
    import_id = response.json()["id"]
    crash.stop_api()
    crash.start_api()
    record = settled(crash, import_id)
    assert record["status"] == "completed" and record["counts"]["tagged"] == len(products)
    assert crash.written(import_id) == len(products)


def test_an_api_killed_during_an_upload_fails_the_import_and_a_resend_completes_it(crash: CrashStack) -> None:
    products = catalog(4000, "cut")
    lines = ndjson(products).splitlines(keepends=True)

    def slowly() -> Iterator[bytes]:
        for start in range(0, len(lines), 100):
            yield b"".join(lines[start : start + 100])
            time.sleep(0.05)

    outcome: dict[str, Any] = {}

    def upload() -> None:
        try:
            outcome["response"] = post_import(crash, slowly())
        except requests.RequestException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=upload)
    thread.start()
    newest: dict[str, Any] = {}

    def receiving() -> bool:
        items = crash.request("GET", "/v1/imports?limit=1").json()["items"]
        newest.update(items[0] if items else {})
        return bool(newest.get("receiving")) and newest["counts"]["accepted"] > 0

    wait_for(receiving, "the upload to be under way")
    crash.kill_api()
    thread.join(30)
    assert "error" in outcome, f"the upload should have been cut: {outcome}"
    crash.start_api()

    interrupted = settled(crash, newest["id"])
    assert interrupted["status"] == "failed" and "interrupted" in interrupted["error"]
    accepted = interrupted["counts"]["accepted"]
    assert 0 < accepted < len(products) and interrupted["counts"]["tagged"] == accepted

    response = post_import(crash, b"".join(lines))
    assert response.status_code == 202
    again = settled(crash, response.json()["id"])
    counts = again["counts"]
    assert again["status"] == "completed" and counts["unchanged"] == accepted
    assert counts["accepted"] == counts["tagged"] == len(products) - accepted
