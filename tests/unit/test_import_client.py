"""`neurotag import`'s client against a stand-in server: the key header, a streamed body with its length,
the mapping in the query, polling until the import settles, the summary and the exit status."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from service.import_client import ClientError, ImportClient, format_of, import_file

COUNTS = {
    "rows": 3,
    "accepted": 2,
    "rejected": 1,
    "unchanged": 0,
    "duplicates": 0,
    "failed": 0,
    "superseded": 0,
}


class StandIn:
    """What the stand-in saw, and what its imports report (status changes after `polls_left` GETs)."""

    def __init__(self, final_status: str = "completed", post_status: int = 202) -> None:
        self.requests: list[dict[str, Any]] = []
        self.final_status = final_status
        self.post_status = post_status
        self.polls_left = 2

    def record(self, tagged: int, done: bool) -> dict[str, Any]:
        return {
            "id": "imp1",
            "status": self.final_status if done else "running",
            "counts": {**COUNTS, "tagged": tagged},
            "completed_at": "2026-01-01T00:00:00Z" if done else None,
            "rate": 123.0,
            "errors": [{"row": 2, "sku": "b", "errors": [{"field": "title", "detail": "Missing."}]}],
            "errors_total": 1,
            "error": "broken" if self.final_status == "failed" else None,
        }


def handler(state: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length)
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if state.post_status == 202:
                self.answer(202, state.record(0, False))
            else:
                self.answer(state.post_status, {"detail": "Not valid JSON in row 3.", "import_id": "imp1"})

        def do_GET(self) -> None:
            state.requests.append({"path": self.path, "headers": dict(self.headers)})
            state.polls_left -= 1
            done = state.polls_left <= 0
            self.answer(200, state.record(2 if done else 1, done))

    return Handler


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(state: StandIn) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler(state))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


def test_upload_streams_the_file_with_key_and_mapping_then_follows_to_the_end(
    serve: Any, tmp_path: Path
) -> None:
    state = StandIn()
    path = tmp_path / "catalog.csv"
    path.write_bytes(b"Name,Brand\n" + b"Serum,Acme\n" * 20_000)
    out = io.StringIO()
    client = ImportClient(serve(state), key="secret")
    status = import_file(client, path, "csv", ["Name:title", "Brand+Name:sku"], interval=0.01, out=out)
    assert status == 0
    post = state.requests[0]
    assert post["headers"]["Authorization"] == "Bearer secret"
    assert post["headers"]["Content-Type"] == "text/csv"
    assert int(post["headers"]["Content-Length"]) == path.stat().st_size == len(post["body"])
    assert parse_qs(urlsplit(post["path"]).query)["map"] == ["Name:title", "Brand+Name:sku"]
    assert [r["path"] for r in state.requests[1:]] == ["/v1/imports/imp1"] * 2
    text = out.getvalue()
    assert "import imp1 completed: 3 rows, 2 accepted, 1 rejected" in text
    assert "row 2 (b): title: Missing." in text


def test_a_failed_import_exits_1(serve: Any, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[{")
    out = io.StringIO()
    state = StandIn(final_status="failed", post_status=400)
    assert import_file(ImportClient(serve(state)), path, "json", [], interval=0.01, out=out) == 1
    assert "import refused (400): Not valid JSON in row 3." in out.getvalue()
    assert "import imp1 failed (broken)" in out.getvalue()
    assert "Authorization" not in state.requests[0]["headers"]


def test_format_from_suffix() -> None:
    assert format_of(Path("a.jsonl"), None) == "ndjson" and format_of(Path("a.txt"), "csv") == "csv"
    with pytest.raises(ClientError, match="--format"):
        format_of(Path("catalog.txt"), None)
