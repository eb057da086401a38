"""`neurotag tag` runs with no server or Redis: JSON array or JSON lines in, one JSON line per product out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.article import ARTICLE

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "catalog.jsonl"


def run_tag(arg: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "tag", arg],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:1/0"},  # unreachable on purpose
    )


def test_tag_jsonl_from_stdin() -> None:
    lines = [line for line in SEEDS.read_text().splitlines() if line.strip()][:4]
    result = run_tag("-", "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["sku"] for r in rows] == [json.loads(line)["sku"] for line in lines]
    for row, line in zip(rows, lines, strict=True):
        must, may = ARTICLE[json.loads(line)["title"]]
        ids = {t["id"] for t in row["tags"]}
        assert must <= ids <= must | may
        assert all(set(t) == {"id", "score", "evidence"} for t in row["tags"])


def test_tag_json_array_file(tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    path.write_text(
        json.dumps([{"sku": "a", "title": "SPF 50 Sunscreen"}, {"sku": "b", "title": "Plain Soap"}])
    )
    result = run_tag(str(path))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["sku"] for r in rows] == ["a", "b"]
    assert [t["id"] for t in rows[0]["tags"]] == ["sun-protection"] and rows[1]["tags"] == []


def test_bad_rows_are_reported_and_exit_nonzero() -> None:
    result = run_tag("-", '{"sku": "ok", "title": "Hydrating Serum"}\n{not json\n')
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1
    assert "row 2" in result.stderr


def test_keys_create_list_revoke_against_a_real_redis(tmp_path: Path) -> None:
    from service.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(tmp_path)
    url = server.start()
    try:
        env = {"PATH": "/usr/bin:/bin", "REDIS_URL": url, "NEUROTAG_KEY_PREFIX": "cli"}

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "service.cli", "keys", *args], env=env,
                                  capture_output=True, text=True, timeout=60)  # fmt: skip

        created = run("create", "--scope", "write", "--name", "shop")
        assert created.returncode == 0, created.stderr
        key_id, key = created.stdout.split()[0], created.stdout.splitlines()[1]
        assert key.startswith("nt_")
        listed = run("list").stdout
        assert key_id in listed and "write" in listed and key not in listed
        assert run("revoke", key_id).returncode == 0
        assert key_id not in run("list").stdout
        assert run("revoke", key_id).returncode == 1
    finally:
        server.stop()
