"""An import body as product rows: its format's reader and, for CSV, the column mapping that applies."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from service import shopify
from service.columns import explicit, own_fields
from service.errors import MappingError
from service.formats import Format, Row, first_byte, read_csv, read_json_array, read_ndjson


@dataclass(frozen=True, slots=True)
class Source:
    """What a body holds: its format, its charset (CSV only) and the column mapping sent with it."""

    format: Format | None = None  # None: a JSON array or JSON lines, told apart by the first byte
    charset: str = "utf-8"
    mapping: dict[str, str] | None = None


def product_rows(
    body: io.BufferedReader,
    source: Source,
    on_columns: Callable[[dict[str, Any]], None] = lambda columns: None,
) -> Iterator[Row]:
    """Rows whose data is a product dict (or a reason it is not); on_columns hears how a CSV header was
    mapped before the first row."""
    fmt = source.format or sniff(body)
    if fmt is Format.JSON:
        yield from read_json_array(body)
    elif fmt is Format.NDJSON:
        yield from read_ndjson(body)
    else:
        header, records = read_csv(body, source.charset)
        if source.mapping:
            columns = explicit(header, source.mapping)
            on_columns(columns.describe())
            yield from columns.rows(records)
        elif shopify.is_shopify(header):
            on_columns(shopify.describe(header))
            yield from shopify.shopify_rows(header, records)
        elif (own := own_fields(header)) is not None:
            on_columns(own.describe())
            yield from own.rows(records)
        else:
            raise MappingError(
                f"The CSV header ({', '.join(header)}) has neither our field names (sku, title, …) nor "
                "Shopify's (Handle, Title, …): send a mapping, e.g. map=Name:title&map=Brand%2BName:sku."
            )


def sniff(body: io.BufferedReader) -> Format:
    """JSON array or JSON lines, by the first byte of content (for files given without a media type)."""
    return Format.JSON if first_byte(body) == b"[" else Format.NDJSON
