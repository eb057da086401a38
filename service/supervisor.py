"""`neurotag up`: embedded Redis (unless REDIS_URL is set), seed catalog, workers and gunicorn, as one."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

from redis import Redis

from service.auth import KeyStore
from service.config import Settings
from service.embedded_redis import EmbeddedRedis

log = logging.getLogger("neurotag.up")


def gunicorn_command(host: str, port: int, workers: int = 2, graceful_timeout: int = 10) -> list[str]:
    """The API server as every run starts it — `neurotag up`, the tests, the benchmarks: gunicorn with
    service/gunicorn_conf.py (threaded workers, shared metrics)."""
    return [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--config", "python:service.gunicorn_conf",
        "--graceful-timeout", str(graceful_timeout),
        "service.wsgi:app",
    ]  # fmt: skip


@dataclass
class Supervisor:
    port: int
    workers: int
    host: str = "127.0.0.1"
    api_processes: int = 2
    settings: Settings = field(default_factory=Settings.from_env)
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    redis: EmbeddedRedis | None = None
    stopping: bool = False

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            env = self._start_redis()
            self._secure(env)
            self._seed(env)
            for number in range(1, self.workers + 1):
                self._spawn(f"worker-{number}", [sys.executable, "-m", "service.cli", "worker"], env)
            self._spawn("api", gunicorn_command(self.host, self.port, self.api_processes), env)
            print(
                f"NeuroTag is up: http://{self.host}:{self.port} (API docs: /docs). Ctrl-C stops everything.",
                flush=True,
            )
            return self._watch()
        finally:
            self.shutdown()

    def _start_redis(self) -> dict[str, str]:
        env = dict(os.environ)
        # gunicorn's processes share HTTP metrics through this directory (emptied at each start).
        env.setdefault("PROMETHEUS_MULTIPROC_DIR", str((self.settings.data_dir / "metrics").resolve()))
        if os.environ.get("REDIS_URL"):
            log.info("using REDIS_URL %s", os.environ["REDIS_URL"])
            return env
        # AOF fsync policy: "always" loses nothing acknowledged; "everysec" (default) at most a second.
        self.redis = EmbeddedRedis(
            self.settings.data_dir, appendfsync=os.environ.get("NEUROTAG_REDIS_APPENDFSYNC", "everysec")
        )
        env["REDIS_URL"] = self.redis.start()
        log.info("embedded Redis started, data in %s", self.settings.data_dir.resolve())
        return env

    def _secure(self, env: dict[str, str]) -> None:
        """Reads are open locally (the storefront page and the Quick start's curl need no key) unless
        NEUROTAG_PUBLIC_READ says otherwise. With no key configured at all, make a local admin key, show it
        once, and refuse to listen beyond this machine."""
        env.setdefault("NEUROTAG_PUBLIC_READ", "1")
        store = KeyStore(Redis.from_url(env["REDIS_URL"]), env.get("NEUROTAG_API_KEYS", ""))
        if store.configured:
            return
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(
                "no API key is configured: set NEUROTAG_API_KEYS or run `neurotag keys create` first"
            )
        key, record = store.create("admin", "local admin (neurotag up)")
        print(f"Local admin API key (shown once; stored hashed as {record['id']}):\n    {key}", flush=True)

    def _seed(self, env: dict[str, str]) -> None:
        result = subprocess.run([sys.executable, "-m", "service.cli", "seed"], env=env, check=False)
        if result.returncode != 0:
            raise SystemExit("seeding the catalog failed (see above)")

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        # Own session: Ctrl-C reaches only the supervisor, which stops children in order (Redis last).
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        self.children.append((name, process))

    def _watch(self) -> int:
        while not self.stopping:
            for name, process in self.children:
                if process.poll() is not None:
                    log.error("%s exited with %s; stopping everything", name, process.returncode)
                    return 1
            time.sleep(0.5)
        return 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def shutdown(self) -> None:
        """Stop the API first (no new work), then workers (they finish their job), then Redis."""
        for _, process in reversed(self.children):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name, process in reversed(self.children):
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", name)
                process.kill()
                process.wait()
        self.children.clear()
        if self.redis:
            self.redis.stop()
            self.redis = None
