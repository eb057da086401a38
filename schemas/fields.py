"""Custom fields shared by the schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from tagging.seeds import seeds_dir
from tagging.taxonomy import Taxonomy

# The published tag ids (taxonomy.yaml): documented as an enum, so clients and fuzzers know them.
TAG_IDS = Taxonomy.load(seeds_dir()).tag_ids


class TagId(fields.String):
    """A tag id of the taxonomy; anything else is an error naming the ids there are."""

    def __init__(self, **kwargs: Any) -> None:
        error = "Unknown tag id {input!r}; use one of {choices}."
        super().__init__(validate=validate.OneOf(TAG_IDS, error=error), **kwargs)


class Ingredients(fields.Field):
    """An INCI list as one string, or a list of strings (one per kit component)."""

    def __init__(self, *, max_length: int, max_items: int, **kwargs: Any) -> None:
        one_of = [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "maxItems": max_items}]
        kwargs["metadata"] = {"oneOf": one_of, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.max_length = max_length
        self.max_items = max_items

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | list[str]:
        if isinstance(value, str):
            items = [value]
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            if len(value) > self.max_items:
                raise ValidationError(f"At most {self.max_items} ingredient lists.")
            items = value
        else:
            raise ValidationError("Must be a string or a list of strings.")
        if sum(len(item) for item in items) > self.max_length:
            raise ValidationError(f"Longer than {self.max_length} characters.")
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value
