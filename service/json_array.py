"""A JSON array's elements, one at a time as its bytes arrive, decoded by the standard library.

The text read so far is kept only from the start of the element being decoded, so memory stays at one
read buffer plus one element however long the array is. json's C decoder does the work: an element that
is cut off at the end of the buffer fails to decode and is retried once more text has arrived (at most
max_element characters of it). Unlike ijson's C backend, it reads every valid JSON number.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from service.errors import BodyError

_BLANK = re.compile(r"[ \t\n\r]*")
_READ = 1 << 16


class _Text:
    """The decoded text not consumed yet, refilled from the byte stream on demand."""

    def __init__(self, body: IO[bytes]) -> None:
        self.body = body
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()  # drops a BOM
        self.text = ""
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        """Append the next chunk (dropping what was consumed); False once the stream has ended."""
        if self.eof:
            return False
        chunk = self.body.read(_READ)
        try:
            decoded = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise BodyError("The body is not UTF-8 text.") from None
        self.text = self.text[self.pos :] + decoded
        self.pos = 0
        self.eof = not chunk
        return True

    def peek(self) -> str:
        """The next character past white space ('' at the end of the stream)."""
        while True:
            self.pos = _BLANK.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""


def array_elements(body: IO[bytes], max_element: int) -> Iterator[Any]:
    """Yield each element of the JSON array in body; BodyError for anything else (after the elements
    before the fault were yielded)."""
    text = _Text(body)
    decoder = json.JSONDecoder()
    if text.peek() != "[":
        raise BodyError("A JSON array of products is expected (send JSON lines as application/x-ndjson).")
    text.pos += 1
    number = 0
    if text.peek() == "]":
        text.pos += 1
    else:
        while True:
            yield _element(text, decoder, number + 1, max_element)
            number += 1
            following = text.peek()
            text.pos += 1
            if following == "]":
                break
            if following != ",":
                found = f"{following!r}" if following else "the end of the body"
                raise BodyError(f"Not valid JSON after row {number}: expected ',' or ']', found {found}.")
    if text.peek():
        raise BodyError(f"Not valid JSON after row {number}: content follows the array.")


def _element(text: _Text, decoder: json.JSONDecoder, number: int, max_element: int) -> Any:
    if not text.peek():
        raise BodyError(f"Not valid JSON after row {number - 1}: the array is not closed.")
    while True:
        try:
            value, end = decoder.raw_decode(text.text, text.pos)
        except json.JSONDecodeError as exc:
            if _grow(text, number, max_element):
                continue
            reason = f"Not valid JSON in row {number} ({exc.msg}); rows before it were read."
            raise BodyError(reason) from None
        # A number (or literal) that reaches the end of the text may go on in the next chunk.
        if end == len(text.text) and _grow(text, number, max_element):
            continue
        text.pos = end
        return value


def _grow(text: _Text, number: int, max_element: int) -> bool:
    """Read more of an element that may be cut off; False when no more will come."""
    if len(text.text) - text.pos > max_element:
        raise BodyError(f"Row {number} is larger than {max_element} bytes; rows before it were read.")
    return text.more()
