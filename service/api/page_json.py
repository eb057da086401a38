"""A product page as JSON without marshmallow's dump: the same document as ProductPageSchema gives.

Dumping 24 products with their tags and evidence through nested schemas was most of an uncached
storefront query; this walks the schemas' field lists once and copies values
(tests/unit/test_storefront_api.py holds it equal to the schema's dump). Each product's JSON is kept
per process by SKU and revision, so a page is mostly a join of fragments rendered earlier: unlike
whole pages, fragments survive catalog-version changes, which touch few products each."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import Response
from marshmallow import Schema, fields

from catalog.search import ItemRef
from schemas.product import EvidenceSchema, ProductOutSchema, TagSchema
from service.api.presenters import product_payload
from service.extensions import Services


def _plan(schema: Schema) -> list[tuple[str, str]]:
    """(key, how to copy it) for each field a schema dumps, in its order."""
    plan = []
    for name, field in schema.dump_fields.items():
        key = field.data_key or name
        if isinstance(field, fields.DateTime):
            plan.append((key, "datetime"))
        elif isinstance(field, fields.Float):
            plan.append((key, "float"))
        elif isinstance(field, fields.Integer):
            plan.append((key, "int"))
        elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            plan.append((key, "tags" if key == "tags" else "evidence"))
        else:
            plan.append((key, "raw"))
    return plan


_PRODUCT = _plan(ProductOutSchema())
_TAG = _plan(TagSchema())
_EVIDENCE = _plan(EvidenceSchema())


def _copy(value: dict[str, Any], plan: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, how in plan:
        if key not in value:
            continue
        item = value[key]
        if item is None or how == "raw":
            out[key] = item
        elif how == "float":
            out[key] = float(item)
        elif how == "int":
            out[key] = int(item)
        elif how == "datetime":
            out[key] = item.isoformat() if isinstance(item, datetime) else item
        elif how == "tags":
            out[key] = [_copy(tag, _TAG) for tag in item]
        else:
            out[key] = [e if _plain_evidence(e) else _copy(e, _EVIDENCE) for e in item]
    return out


_EVIDENCE_KEYS = {key for key, _ in _EVIDENCE}


def _plain_evidence(evidence: dict[str, Any]) -> bool:
    """Evidence as the engine stores it is already what the schema dumps: no copy needed (most items)."""
    return (
        evidence.keys() == _EVIDENCE_KEYS
        and type(evidence.get("start")) is int
        and type(evidence.get("end")) is int
    )


def product_json(payload: dict[str, Any]) -> dict[str, Any]:
    """What ProductOutSchema().dump(payload) returns, for presenters.product_payload's output."""
    return _copy(payload, _PRODUCT)


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def item_fragments(services: Services, refs: Sequence[ItemRef]) -> list[bytes]:
    """Each result's JSON: from the fragment cache when its revision is known, else read and rendered.

    A product read here may be newer than its ref (written in between): it is stored under the ref's
    revision all the same, which only ever pairs an old revision with newer data, never the reverse."""
    cache = services.product_json
    found: list[bytes | None] = [cache.get((ref.sku, ref.revision)) for ref in refs]
    missing = [i for i, fragment in enumerate(found) if fragment is None]
    if missing:
        taxonomy = services.tagger.taxonomy
        for i, product in zip(missing, services.store.get_many(refs[i].sku for i in missing), strict=True):
            if product is None:  # deleted since the search: left out, as the search leaves such out
                continue
            fragment = _encode(product_json(product_payload(product, taxonomy)))
            cache.put((refs[i].sku, refs[i].revision), fragment)
            found[i] = fragment
    return [fragment for fragment in found if fragment is not None]


def page_response(items: Sequence[bytes], rest: dict[str, Any]) -> Response:
    """{"items": [...], **rest} as a JSON response, the items already encoded."""
    body = b'{"items":[' + b",".join(items) + b"]," + _encode(rest)[1:]
    return Response(body, mimetype="application/json")
