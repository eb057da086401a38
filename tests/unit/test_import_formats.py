"""Import body readers: rows come one at a time with their numbers, bad rows do not stop the body, and a
large body is read in constant memory."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Iterator

import pytest

from service.errors import BodyError
from service.formats import (
    MAX_ROW_BYTES,
    MeteredStream,
    Row,
    buffered,
    read_csv,
    read_json_array,
    read_ndjson,
)


def meter(data: bytes) -> tuple[io.BufferedReader, MeteredStream]:
    stream = MeteredStream(io.BytesIO(data))
    return buffered(stream), stream


def json_rows(data: bytes) -> list[Row]:
    return list(read_json_array(meter(data)[0]))


def test_json_array_elements_are_numbered_rows() -> None:
    rows = json_rows(b'\xef\xbb\xbf \n[{"sku": "a", "price": 1.5}, 7, {"sku": "b"}]')
    assert rows == [Row(1, {"sku": "a", "price": 1.5}), Row(2, 7), Row(3, {"sku": "b"})]


def test_broken_json_array_keeps_rows_before_and_names_the_place() -> None:
    body, _ = meter(b'[{"sku": "a"}, {"sku": "b"}, {"sku": ')
    seen = []
    with pytest.raises(BodyError, match="row 3"):
        for row in read_json_array(body):
            seen.append(row.data["sku"])
    assert seen == ["a", "b"]


def test_json_array_elements_cut_at_any_read_boundary_decode_whole() -> None:
    items = [{"sku": f"s{n}", "price": n * 1.25, "description": "é" * (n % 7)} for n in range(5000)]
    items += [-179969917948596831288494653440, 12345678901234567890, True, None, "x"]  # any valid JSON
    data = json.dumps(items, ensure_ascii=False).encode()
    assert len(data) > 3 * (1 << 16)  # several reads, each ending mid-element somewhere
    assert [row.data for row in json_rows(data)] == items


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'[{"sku": "a"} {"sku": "b"}]', "after row 1: expected ','"),
        (b'[{"sku": "a"}, ', "not closed"),
        (b'[{"sku": "a"}] [', "content follows"),
        (b'[{"sku": "a"}, {"sku": "\xff"}]', "UTF-8"),
        (b"[1, 2,]", "row 3"),
    ],
)
def test_json_array_faults_name_the_row(body: bytes, message: str) -> None:
    with pytest.raises(BodyError, match=message):
        json_rows(body)


def test_json_body_that_is_not_an_array_is_refused() -> None:
    with pytest.raises(BodyError, match="JSON array"):
        json_rows(b'{"sku": "a", "title": "One product"}')


def test_one_huge_json_element_stops_before_it_fills_memory() -> None:
    huge = b'[{"sku": "a"}, {"sku": "b", "description": "' + b"x" * (3 * MAX_ROW_BYTES) + b'"}]'
    with pytest.raises(BodyError, match="Row 2 is larger than"):
        json_rows(huge)


def test_ndjson_bad_lines_are_bad_rows_and_blank_lines_are_skipped() -> None:
    body, _ = meter(b'\xef\xbb\xbf{"sku": "a"}\n\n{not json\n"text"\n{"sku": "b"}')
    rows = list(read_ndjson(body))
    assert [r.number for r in rows] == [1, 3, 4, 5]
    assert rows[0].data == {"sku": "a"} and rows[3].data == {"sku": "b"}
    assert rows[1].error and "Not valid JSON" in rows[1].error
    assert rows[2].data == "text"


def test_ndjson_overlong_line_is_one_bad_row() -> None:
    long_line = b'{"sku": "x", "description": "' + b"y" * (2 * MAX_ROW_BYTES) + b'"}\n'
    body, _ = meter(b'{"sku": "a"}\n' + long_line + b'{"sku": "b"}\n')
    rows = list(read_ndjson(body))
    assert [(r.number, r.data, r.error is not None) for r in rows] == [
        (1, {"sku": "a"}, False),
        (2, None, True),
        (3, {"sku": "b"}, False),
    ]


def test_csv_records_start_lines_even_with_multiline_cells() -> None:
    data = 'sku,title,description\r\na,One,"two\nlines"\r\n\r\nb,Two,x,extra\r\nc,Thr\xe9e\r\n'.encode()
    body, _ = meter(data)
    header, records = read_csv(body)
    assert header == ["sku", "title", "description"]
    found = list(records)
    assert [(r.line, r.error is None) for r in found] == [(2, True), (5, False), (6, True)]
    assert found[0].values == ["a", "One", "two\nlines"]
    assert found[2].values == ["c", "Thrée", ""]  # short rows are padded


def test_csv_undecodable_bytes_make_a_bad_row_not_a_bad_body() -> None:
    body, _ = meter(b"sku,title\na,Good\nb,Bad \xff byte\nc,Fine\n")
    _, records = read_csv(body)
    assert [(r.line, r.error is not None) for r in records] == [(2, False), (3, True), (4, False)]


def test_csv_in_another_charset() -> None:
    body, _ = meter("sku,title\na,Crème\n".encode("latin-1"))
    _, records = read_csv(body, "latin-1")
    assert next(records).values == ["a", "Crème"]


def test_empty_csv_is_refused() -> None:
    with pytest.raises(BodyError, match="header"):
        read_csv(meter(b"")[0])


class Generated(io.RawIOBase):
    """A large body produced on the fly, never held whole: size bytes of repeated chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self.pending:
            self.pending = next(self.chunks, b"")
            if not self.pending:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


PRODUCT = {"sku": "s", "title": "Hydrating Night Cream", "description": "Calming lavender. " * 30}


def ndjson_chunks(count: int) -> Iterator[bytes]:
    for n in range(count):
        yield json.dumps({**PRODUCT, "sku": f"s{n}"}).encode() + b"\n"


def array_chunks(count: int) -> Iterator[bytes]:
    yield b"["
    for n in range(count):
        yield (b"," if n else b"") + json.dumps({**PRODUCT, "sku": f"s{n}"}).encode()
    yield b"]"


@pytest.mark.parametrize("kind", ["ndjson", "json"])
def test_a_large_body_is_read_in_constant_memory(kind: str) -> None:
    count = 15_000  # about 10 MB of body: five times the peak allowed
    raw = Generated(ndjson_chunks(count) if kind == "ndjson" else array_chunks(count))
    stream = MeteredStream(raw)
    body = buffered(stream)
    tracemalloc.start()
    try:
        rows = read_ndjson(body) if kind == "ndjson" else read_json_array(body)
        last = 0
        for row in rows:
            last = row.number
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert last == count and stream.bytes_read > 9_000_000
    assert peak < 2_000_000, f"reading {stream.bytes_read} bytes peaked at {peak} bytes"
