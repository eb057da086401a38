"""The taxonomy, with live counts, for building storefront filter panels."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from schemas.taxonomy import TaxonomySchema
from service.api.conditional import versioned
from service.extensions import services

blp = Blueprint("taxonomy", __name__, url_prefix="/v1/tags", description="The tag taxonomy.")


@blp.route("")
class Taxonomy(MethodView):
    @versioned
    @blp.response(200, TaxonomySchema)
    def get(self) -> Any:
        """Groups and tags with labels, descriptions and how many tagged products carry each."""
        s = services()
        taxonomy = s.tagger.taxonomy
        counts = s.index.counts()
        return {
            "version": taxonomy.version,
            "threshold": s.tagger.threshold,
            "groups": [
                {
                    "id": group.id,
                    "label": group.label,
                    "tags": [
                        {
                            "id": t.id,
                            "label": t.label,
                            "description": t.description,
                            "count": counts.get(t.id, 0),
                        }
                        for t in group.tags
                    ],
                }
                for group in taxonomy.groups
            ],
        }
