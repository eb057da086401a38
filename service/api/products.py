"""Products: upsert one, read one, delete one, and query the catalog by tag with facets."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from werkzeug.exceptions import NotFound

from catalog import StoredProduct
from schemas.product import AcceptedSchema, CorrectionSchema, ProductInSchema, ProductOutSchema
from schemas.query import ProductPageSchema, ProductQuerySchema
from service.api.presenters import product_payload
from service.extensions import services
from service.intake import accept_products

blp = Blueprint("products", __name__, url_prefix="/v1/products", description="Products and their tags.")
_PRODUCT_OUT = ProductOutSchema()


@blp.route("")
class Products(MethodView):
    @blp.arguments(ProductQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, ProductPageSchema)
    def get(
        self,
        tag: list[str],
        match: str,
        exclude_tags: list[str],
        limit: int,
        facets: bool,
        cursor: str | None = None,
    ) -> Any:
        """Tagged products having all (or any) of `tag` and none of `exclude`, with facet counts."""
        s = services()
        unknown = sorted(set(tag + exclude_tags) - set(s.tagger.taxonomy.tag_ids))
        if unknown:
            field = "tag" if set(unknown) & set(tag) else "exclude"
            abort(400, messages={"query": {field: [f"Unknown tag id(s): {', '.join(unknown)}."]}})
        page = s.index.query(
            tag, match=match, exclude=exclude_tags, limit=limit, cursor=cursor, facets=facets
        )
        return {
            "items": [product_payload(p, s.tagger.taxonomy) for p in page.items],
            "total": page.total,
            "next_cursor": page.next_cursor,
            "facets": page.facets,
        }

    @blp.arguments(ProductInSchema)
    @blp.response(202, AcceptedSchema, description="Queued for tagging.")
    @blp.alt_response(
        200, schema=ProductOutSchema, description="Unchanged and already tagged: nothing queued."
    )
    def post(self, doc: dict[str, Any]) -> Any:
        """Upsert one product by sku and queue it for tagging."""
        s = services()
        intake = accept_products(s.store, s.queue, s.queue_settings, [doc], s.tagger.version)
        if intake.unchanged:
            return jsonify(_PRODUCT_OUT.dump(product_payload(intake.unchanged[0], s.tagger.taxonomy)))
        location = url_for("products.Product", sku=doc["sku"])
        return {"sku": doc["sku"], "status": "pending", "job_id": intake.job_id}, 202, {"Location": location}


@blp.route("/<string:sku>")
class Product(MethodView):
    @blp.response(200, ProductOutSchema)
    def get(self, sku: str) -> Any:
        """One product with its status and tags."""
        s = services()
        return product_payload(_find(sku), s.tagger.taxonomy)

    @blp.response(204)
    def delete(self, sku: str) -> Response:
        """Delete a product; it leaves every tag index at once."""
        if not services().store.delete(sku):
            raise NotFound(f"No product with sku {sku!r}.")
        return Response(status=204)


@blp.route("/<string:sku>/tags/<string:tag_id>")
class TagCorrection(MethodView):
    @blp.arguments(CorrectionSchema)
    @blp.response(200, ProductOutSchema)
    def put(self, correction: dict[str, Any], sku: str, tag_id: str) -> Any:
        """Pin or suppress one tag of a product; the index follows at once and re-tagging keeps it."""
        s = services()
        _known_tag(tag_id)
        if not s.store.correct(sku, tag_id, correction["state"], correction.get("note")):
            raise NotFound(f"No product with sku {sku!r}.")
        return product_payload(_find(sku), s.tagger.taxonomy)

    @blp.response(204)
    def delete(self, sku: str, tag_id: str) -> Response:
        """Clear a correction: the engine decides this tag again."""
        _known_tag(tag_id)
        if not services().store.correct(sku, tag_id, None):
            raise NotFound(f"No product with sku {sku!r}.")
        return Response(status=204)


def _find(sku: str) -> StoredProduct:
    product = services().store.get(sku)
    if product is None:
        raise NotFound(f"No product with sku {sku!r}.")
    return product


def _known_tag(tag_id: str) -> None:
    if tag_id not in services().tagger.taxonomy.tags:
        abort(404, message=f"No tag {tag_id!r} in the taxonomy.")
