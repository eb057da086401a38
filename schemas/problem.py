"""RFC 9457 problem details, as every error response is shaped."""

from __future__ import annotations

from marshmallow import Schema, fields


class InvalidParamSchema(Schema):
    field = fields.String(required=True, metadata={"description": "Dotted path of the offending field."})
    location = fields.String(metadata={"description": "json, query or path"})
    detail = fields.String(required=True)


class ProblemSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Nested(InvalidParamSchema))
