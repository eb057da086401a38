"""Product schemas: what a retailer sends, and a product as the API returns it."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields, post_load, pre_load, validate

from schemas.fields import Ingredients

STATUSES = ("pending", "tagged", "failed")
# An http(s) URL, checked by its syntax only (the same pattern the OpenAPI document states): a host and
# RFC 3986 characters.
_WEB_URL = [
    validate.Length(max=2048),
    validate.Regexp(
        r"^https?://[A-Za-z0-9\-._~:\[\]@!$&'()*+,;=%]+(?:[/?#][A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*)?$",
        error="Not an http(s) URL (RFC 3986 characters; percent-encode others).",
    ),
]
_REQUIRED_OR_URL = ("sku", "title", "url", "image_url")
# No control characters, '/', '?' or '#' (it is a URL path segment), no space at either end.
_SKU = validate.Regexp(
    r"^[^ /?#\x00-\x1f\x7f](?:[^/?#\x00-\x1f\x7f]*[^ /?#\x00-\x1f\x7f])?$",
    error="No control characters, '/', '?' or '#', and no spaces at either end.",
)
# Explicit characters, not \S: JSON Schema patterns (ECMA) and Python disagree on what \s covers.
_NOT_BLANK = validate.Regexp(r"[^\t\n\v\f\r ]", error="May not be blank.")


class ProductInSchema(Schema):
    """A product description as a retailer sends it; upserted by sku."""

    class Meta:
        unknown = RAISE

    sku = fields.String(required=True, validate=[validate.Length(1, 128), _SKU])
    title = fields.String(required=True, validate=[validate.Length(1, 500), _NOT_BLANK])
    # Optional fields may be sent empty or null (as CSV exports and storefront backends do): absent then.
    brand = fields.String(allow_none=True, validate=validate.Length(max=200))
    description = fields.String(
        allow_none=True, validate=validate.Length(max=50_000), metadata={"description": "May contain HTML."}
    )
    ingredients = Ingredients(
        allow_none=True,
        max_length=20_000,
        max_items=20,
        metadata={"description": "INCI list, or one per kit part."},
    )
    category = fields.String(allow_none=True, validate=validate.Length(max=200))
    url = fields.String(allow_none=True, validate=_WEB_URL, metadata={"description": "An http(s) URL."})
    image_url = fields.String(allow_none=True, validate=_WEB_URL, metadata={"description": "An http(s) URL."})
    price = fields.Float(allow_none=True, validate=validate.Range(min=0, max=1_000_000), allow_nan=False)
    currency = fields.String(
        allow_none=True, validate=validate.Regexp(r"^(?:[A-Z]{3})?$", error="An ISO 4217 code such as USD.")
    )

    @pre_load
    def drop_empty_optionals(self, data: Any, **kwargs: Any) -> Any:
        """An optional field sent empty ("" or null, as CSV exports do) is absent, except a URL, which is
        a URL or nothing."""
        if isinstance(data, dict):
            return {
                k: v
                for k, v in data.items()
                if k not in self.fields or k in _REQUIRED_OR_URL or (v is not None and v != "")
            }
        return data

    @post_load
    def drop_empty(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if v is not None and v != ""}


class EvidenceSchema(Schema):
    field = fields.String(
        required=True, metadata={"description": "title, description, category or ingredients[i]"}
    )
    text = fields.String(required=True)
    start = fields.Integer(required=True, metadata={"description": "Offset into the original field text."})
    end = fields.Integer(required=True)


class TagSchema(Schema):
    id = fields.String(required=True)
    group = fields.String(required=True)
    label = fields.String(required=True)
    score = fields.Float(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)
    source = fields.String(
        validate=validate.OneOf(("engine", "manual")),
        metadata={"description": "manual when a merchandiser's correction pinned or confirmed it."},
    )


class ProductOutSchema(ProductInSchema):
    """A stored product: its content, tagging status and tags."""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    error = fields.String(metadata={"description": "Why tagging failed (status failed)."})
    tags = fields.List(fields.Nested(TagSchema), required=True)
    taxonomy_version = fields.String(allow_none=True)
    tagged_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class AcceptedSchema(Schema):
    sku = fields.String(required=True)
    status = fields.String(required=True)
    job_id = fields.String(required=True)


class PreviewSchema(Schema):
    taxonomy_version = fields.String(required=True)
    tags = fields.List(fields.Nested(TagSchema), required=True)


class CorrectionSchema(Schema):
    """A merchandiser's correction of one tag: it wins over the engine and survives re-tagging."""

    class Meta:
        unknown = RAISE

    state = fields.String(required=True, validate=validate.OneOf(("pinned", "suppressed")))
    note = fields.String(validate=validate.Length(max=1000))
