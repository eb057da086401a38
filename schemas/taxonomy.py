"""Schemas of the taxonomy endpoint that storefronts build their filter panels from."""

from __future__ import annotations

from marshmallow import Schema, fields


class TaxonomyTagSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    description = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "Tagged products carrying this tag."})


class TaxonomyGroupSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    tags = fields.List(fields.Nested(TaxonomyTagSchema), required=True)


class TaxonomySchema(Schema):
    version = fields.String(required=True)
    threshold = fields.Float(required=True)
    groups = fields.List(fields.Nested(TaxonomyGroupSchema), required=True)
