"""Query-string schema for storefront product queries, and the page they return."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from schemas.fields import TagId
from schemas.product import ProductOutSchema


class ProductQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    tag = fields.List(TagId(), load_default=list, validate=validate.Length(max=13))
    match = fields.String(load_default="all", validate=validate.OneOf(("all", "any")))
    # Not named `exclude`: that is a Schema attribute of its own.
    exclude_tags = fields.List(
        TagId(),
        load_default=list,
        validate=validate.Length(max=13),
        data_key="exclude",
    )
    limit = fields.Integer(load_default=24, validate=validate.Range(1, 100))
    cursor = fields.String(validate=validate.Length(max=200))
    facets = fields.Boolean(load_default=False)


class ProductPageSchema(Schema):
    items = fields.List(fields.Nested(ProductOutSchema), required=True)
    total = fields.Integer(required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    facets = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)
