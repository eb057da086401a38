"""`neurotag worker` stops when asked: SIGTERM to an idle worker ends the process cleanly (exit 0), as
`neurotag up`, Compose and Kubernetes expect, rather than waiting to be killed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue, Worker

from tests.integration.conftest import stack_env

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_an_idle_worker_exits_on_a_stop_signal(redis_url: str, tmp_path: Path, stop: signal.Signals) -> None:
    name = f"stop-{uuid.uuid4().hex[:6]}"
    redis = Redis.from_url(redis_url)
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env=stack_env(redis_url, name),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not Worker.all(connection=redis, queue=Queue(name, connection=redis)):
            assert process.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker never registered"
            time.sleep(0.2)
        time.sleep(1.5)  # idle: blocked on the empty queue
        process.send_signal(stop)
        assert process.wait(timeout=15) == 0, (tmp_path / "worker.log").read_text()[-2000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
