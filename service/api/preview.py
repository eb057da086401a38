"""Synchronous preview: the tags one product body would get, stored nowhere."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from schemas.product import PreviewSchema, ProductInSchema
from service.extensions import services
from workers.tagging import tag_dicts

blp = Blueprint("preview", __name__, url_prefix="/v1/tag", description="Tag a product without storing it.")


@blp.route("")
class Preview(MethodView):
    @blp.arguments(ProductInSchema)
    @blp.response(200, PreviewSchema)
    def post(self, doc: dict[str, Any]) -> Any:
        """The tags, scores and evidence the engine gives this product now."""
        tagger = services().tagger
        return {"taxonomy_version": tagger.version, "tags": tag_dicts(tagger, tagger.tag(doc))}
