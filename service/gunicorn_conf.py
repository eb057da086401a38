"""gunicorn settings shared by `neurotag up` and the container: Prometheus multiprocess bookkeeping."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess

# Threads: a sync worker is killed after `timeout` (30 s) in one request, and POST /v1/imports streams a
# catalog of up to NEUROTAG_IMPORT_MAX_BYTES in one request; a gthread worker's main loop keeps
# heartbeating while a thread reads it, and its other threads keep answering.
worker_class = "gthread"
threads = 4


def on_starting(server: Any) -> None:
    """Start each run with an empty metrics directory: counters belong to this server's life."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
