"""Query-string schema for storefront product queries, and the page they return."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from schemas.fields import TagId
from schemas.product import ProductOutSchema
from tagging.seeds import seeds_dir
from tagging.taxonomy import GroupInfo, Taxonomy

# The same names as catalog.cursors.SORTS (schemas sit beside catalog, not above it).
SORTS = ("oldest", "newest", "relevance", "title")
# Facet groups are query parameters named by group id (documented, so clients and fuzzers know them).
GROUPS = Taxonomy.load(seeds_dir()).groups


class TagList(fields.List):
    """Tag ids of one group, sent repeated (`benefit=a&benefit=b`) or comma-separated (`benefit=a,b`)."""

    def __init__(self, group: GroupInfo, **kwargs: Any) -> None:
        self.choices = [tag.id for tag in group.tags]
        self.group = group.id
        item = fields.String(validate=validate.OneOf(self.choices))  # documents the ids as an enum
        super().__init__(item, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in items):
            raise ValidationError("Not a list of tag ids.")
        ids = list(dict.fromkeys(part.strip() for item in items for part in item.split(",")))
        unknown = [i or repr(i) for i in ids if i not in self.choices]
        if unknown:  # one message naming the parameter, not one per list position
            raise ValidationError(
                f"Not tag(s) of the group {self.group}: {', '.join(unknown)}; use {', '.join(self.choices)}."
            )
        return ids


def _hundredths(value: float) -> None:
    # Scores are indexed in hundredths: a finer min_score would silently mean something else.
    if 0 <= value <= 1 and abs(value * 100 - round(value * 100)) > 1e-9:  # Range reports the rest
        raise ValidationError("At most two decimal places.")


def _with_group_parameters(schema: type[Schema]) -> type[Schema]:
    """The schema plus one parameter per taxonomy group: OR within a group, AND across groups."""
    taken = {field.data_key or name for name, field in schema._declared_fields.items()}
    clashes = [group.id for group in GROUPS if group.id in taken]
    if clashes:
        raise RuntimeError(f"taxonomy group id(s) {clashes} clash with query parameters of the same name")
    added: dict[str, Any] = {group.id: _group_parameter(group) for group in GROUPS}
    return type(
        schema.__name__, (schema,), {"__module__": schema.__module__, "__doc__": schema.__doc__, **added}
    )


def _group_parameter(group: GroupInfo) -> TagList:
    return TagList(
        group,
        load_default=list,
        metadata={
            "description": f"{group.label}: products with any of these tags (repeated or comma-separated); "
            "facet counts of this group ignore it."
        },
    )


@_with_group_parameters
class ProductQuerySchema(Schema):
    """Storefront filters: `tag`/`match`/`exclude`, one parameter per facet group, and the rest."""

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
    min_score = fields.Float(
        load_default=0.0,
        validate=[validate.Range(0, 1), _hundredths],
        metadata={"multipleOf": 0.01, "description": "Selected tags count only with at least this score."},
    )
    brand = fields.List(
        fields.String(validate=validate.Length(1, 200)), load_default=list, validate=validate.Length(max=20)
    )
    category = fields.List(
        fields.String(validate=validate.Length(1, 200)), load_default=list, validate=validate.Length(max=20)
    )
    q = fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={
            "description": "Words of the title or brand; a word of 3+ letters also matches as a prefix."
        },
    )
    sort = fields.String(load_default="oldest", validate=validate.OneOf(SORTS))
    limit = fields.Integer(load_default=24, validate=validate.Range(1, 100))
    cursor = fields.String(validate=validate.Length(max=200))
    facets = fields.Boolean(load_default=False)


class FacetTagSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "Results if this tag were ticked too."})
    selected = fields.Boolean(required=True)


class FacetGroupSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    tags = fields.List(fields.Nested(FacetTagSchema), required=True)


class ProductPageSchema(Schema):
    items = fields.List(fields.Nested(ProductOutSchema), required=True)
    total = fields.Integer(required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        allow_none=True,
        metadata={"description": "Count per tag id (as in facet_groups); null unless facets=true."},
    )
    facet_groups = fields.List(
        fields.Nested(FacetGroupSchema),
        allow_none=True,
        metadata={"description": "Counts per taxonomy group, disjunctive within a group."},
    )
