"""Bulk import schemas: the query of POST /v1/imports, an import's status, and its row errors."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from schemas.problem import ProblemSchema
from schemas.product import ProductInSchema

STATUSES = ("queued", "running", "completed", "failed", "cancelled")
_MAPPING = validate.Regexp(
    rf"^.+:\s*({'|'.join(ProductInSchema().fields)})\s*$",
    error="Not of the form Column:field (e.g. Name:title).",
)


class ImportQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    mapping = fields.List(
        fields.String(validate=[validate.Length(3, 500), _MAPPING]),
        data_key="map",
        load_default=list,
        validate=validate.Length(max=50),
        metadata={
            "description": "CSV only: `Column:field`, repeatable; columns joined with + derive a value "
            "(`Brand+Name:sku` slugs brand and name into a sku). Write + as %2B in a URL."
        },
    )


class ErrorsQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class FieldErrorSchema(Schema):
    field = fields.String(required=True, metadata={"description": "A product field, or `row`."})
    detail = fields.String(required=True)


class RowErrorSchema(Schema):
    row = fields.Integer(
        required=True,
        metadata={"description": "Array element, JSON line, or CSV line where the row starts (header: 1)."},
    )
    sku = fields.String(allow_none=True)
    errors = fields.List(fields.Nested(FieldErrorSchema), required=True)


class ImportCountsSchema(Schema):
    rows = fields.Integer(required=True, metadata={"description": "Rows read (a Shopify product is one)."})
    accepted = fields.Integer(required=True, metadata={"description": "Distinct skus stored and queued."})
    rejected = fields.Integer(required=True, metadata={"description": "Rows refused, each with its errors."})
    unchanged = fields.Integer(
        required=True, metadata={"description": "Rows already stored and tagged with this taxonomy: skipped."}
    )
    duplicates = fields.Integer(
        required=True, metadata={"description": "Rows repeating a sku of an earlier row (the last one wins)."}
    )
    tagged = fields.Integer(required=True)
    failed = fields.Integer(required=True, metadata={"description": "Accepted products tagging failed for."})
    superseded = fields.Integer(
        required=True,
        metadata={"description": "Accepted products deleted or re-sent by another request before tagging."},
    )


class ImportSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    format = fields.String(required=True, metadata={"description": "json, ndjson or csv"})
    receiving = fields.Boolean(required=True, metadata={"description": "The body is still being read."})
    bytes = fields.Integer(required=True, metadata={"description": "Body bytes read."})
    counts = fields.Nested(ImportCountsSchema, required=True)
    progress = fields.Float(required=True, metadata={"description": "(tagged+failed+superseded)/accepted."})
    rate = fields.Float(allow_none=True, metadata={"description": "Products done per second so far."})
    eta_seconds = fields.Float(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    received_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True, metadata={"description": "When nothing was left to do."})
    error = fields.String(allow_none=True, metadata={"description": "Why the body could not be read."})
    columns = fields.Dict(allow_none=True, metadata={"description": "How CSV columns were mapped."})
    errors = fields.List(
        fields.Nested(RowErrorSchema), required=True, metadata={"description": "First ones."}
    )
    errors_total = fields.Integer(required=True)


class ErrorsPageSchema(Schema):
    items = fields.List(fields.Nested(RowErrorSchema), required=True)
    total = fields.Integer(required=True)
    next_offset = fields.Integer(allow_none=True, required=True)


class ImportProblemSchema(ProblemSchema):
    """A body that could not be read to its end, once the import existed: the problem names the import,
    whose rows accepted before the error are still tagged."""

    import_id = fields.String(metadata={"description": "The import, failed; follow it at import_url."})
    import_url = fields.String()


class ImportListQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class ImportListSchema(Schema):
    items = fields.List(fields.Nested(ImportSchema), required=True)
