"""Products: upsert one, read one, delete one, and query the catalog by tag with facets."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import RAISE
from werkzeug.exceptions import NotFound

from catalog import StoredProduct
from schemas.product import AcceptedSchema, CorrectionSchema, ProductInSchema, ProductOutSchema
from schemas.query import ProductPageSchema, ProductQuerySchema
from service.api.conditional import cached_page, versioned
from service.api.filters import facet_payload, search_query
from service.api.page_json import item_fragments, page_response
from service.api.presenters import product_payload
from service.extensions import services
from service.intake import accept_products

blp = Blueprint("products", __name__, url_prefix="/v1/products", description="Products and their tags.")
_PRODUCT_OUT = ProductOutSchema()
_QUERY = ProductQuerySchema()


@blp.route("")
class Products(MethodView):
    @cached_page
    # unknown=RAISE: webargs ignores unknown query parameters by default, and a misspelt filter must not
    # silently show every product. An instance, not the class: webargs would build one per request.
    @blp.arguments(_QUERY, location="query", unknown=RAISE)
    @blp.response(200, ProductPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Storefront search: OR within a facet group, AND across groups and with `tag`/`exclude`, `brand`,
        `category`, `q` and `min_score`; sorted, paged by cursor, with disjunctive facet counts."""
        s = services()
        taxonomy = s.tagger.taxonomy
        query = search_query(args, taxonomy)
        page = s.search.search(query, rows=False)
        g.catalog_version = page.version  # names the answer: ETag and page cache (conditional.py)
        facets, facet_groups = facet_payload(page.facets, query, taxonomy) if page.facets else (None, None)
        # Serialised here rather than by @blp.response (which documents it): see page_json.py.
        return page_response(
            item_fragments(s, page.refs),
            {
                "total": page.total,
                "next_cursor": page.next_cursor,
                "facets": facets,
                "facet_groups": facet_groups,
            },
        )

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
    @versioned
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
