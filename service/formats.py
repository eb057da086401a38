"""Reading an import body as rows, incrementally: a JSON array, JSON lines or CSV, never whole in memory."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

from service.errors import BodyError
from service.json_array import array_elements

MAX_ROW_BYTES = 1 << 20  # a product is at most ~75 KB of text; a row past 1 MiB is not one
BUFFER_BYTES = 1 << 16
BOM = codecs.BOM_UTF8


class Format(StrEnum):
    JSON = "json"
    NDJSON = "ndjson"
    CSV = "csv"


MEDIA_TYPES = {
    "application/json": Format.JSON,
    "application/x-ndjson": Format.NDJSON,
    "application/ndjson": Format.NDJSON,
    "application/jsonl": Format.NDJSON,
    "application/x-jsonlines": Format.NDJSON,
    "text/csv": Format.CSV,
    "application/csv": Format.CSV,
}


def format_for(mimetype: str) -> Format | None:
    return MEDIA_TYPES.get(mimetype.lower())


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a body: its number (array element, line, or CSV line where it starts) and its parsed
    content, or why it could not be parsed."""

    number: int
    data: Any = None
    error: str | None = None


class MeteredStream(io.RawIOBase):
    """A body stream that counts the bytes read (the import shows them as its progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.bytes_read += size
        return size


def buffered(meter: MeteredStream) -> io.BufferedReader:
    return io.BufferedReader(meter, BUFFER_BYTES)


def first_byte(body: io.BufferedReader) -> bytes:
    """The first byte of content, past a UTF-8 BOM and white space (consumed); b"" when there is none."""
    while True:
        head = body.peek(4)
        if not head:
            return b""
        if head.startswith(BOM):
            body.read(len(BOM))
            continue
        content = head.lstrip()
        if content:
            body.read(len(head) - len(content))
            return content[:1]
        body.read(len(head))


def read_json_array(body: io.BufferedReader) -> Iterator[Row]:
    """Elements of a JSON array, one at a time. Broken JSON stops the body: a BodyError naming the row,
    after the rows before it were yielded."""
    for number, item in enumerate(array_elements(body, MAX_ROW_BYTES), start=1):
        yield Row(number, item)


def read_ndjson(body: io.BufferedReader) -> Iterator[Row]:
    """One row per line; a line that is not JSON is a bad row, not a bad body. Blank lines are skipped."""
    number = 0
    while True:
        line = body.readline(MAX_ROW_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_ROW_BYTES and not line.endswith(b"\n"):
            _skip_rest_of_line(body)
            yield Row(number, error=f"Longer than {MAX_ROW_BYTES} bytes.")
            continue
        if number == 1 and line.startswith(BOM):
            line = line[len(BOM) :]
        if not line.strip():
            continue
        try:
            yield Row(number, json.loads(line))
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            yield Row(number, error=f"Not valid JSON: {reason}.")


def _skip_rest_of_line(body: io.BufferedReader) -> None:
    while True:
        chunk = body.readline(MAX_ROW_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


@dataclass(frozen=True, slots=True)
class Record:
    """A CSV record: the line it starts on (the header is line 1), its values, or why it is unreadable."""

    line: int
    values: list[str]
    error: str | None = None


def read_csv(body: io.BufferedReader, encoding: str = "utf-8") -> tuple[list[str], Iterator[Record]]:
    """The header and then each record. Undecodable bytes make their record bad, not the body."""
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # spreadsheets often write a BOM
    text = io.TextIOWrapper(body, encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise BodyError("The CSV body is empty: a header row is expected.") from None
    except csv.Error as exc:
        raise BodyError(f"The CSV header is not valid CSV: {exc}.") from None
    return [name.strip() for name in header], _records(reader, len(header))


def _records(reader: Any, columns: int) -> Iterator[Record]:
    last = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(last + 1, [], f"Not valid CSV: {exc}.")
            last = reader.line_num
            continue
        start, last = last + 1, reader.line_num
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) > columns:
            yield Record(start, values, f"{len(values)} values for {columns} header columns.")
        elif any("\ufffd" in value for value in values):
            yield Record(start, values, "Not valid text in the declared charset.")
        else:
            yield Record(start, values + [""] * (columns - len(values)))
