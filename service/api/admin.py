"""Administration: re-tag the catalog in the background after the taxonomy changed, and watch progress."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.extensions import services

blp = Blueprint("admin", __name__, url_prefix="/v1/admin", description="Catalog administration.")


class RetagStatusSchema(Schema):
    taxonomy_version = fields.String(required=True, metadata={"description": "The version products move to."})
    current = fields.Integer(required=True, metadata={"description": "Products tagged with that version."})
    tagged = fields.Integer(required=True, metadata={"description": "Products with tags of any version."})
    pending = fields.Integer(required=True)
    progress = fields.Float(required=True, metadata={"description": "current / tagged, in [0, 1]."})
    versions = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    job_id = fields.String(metadata={"description": "The job that queues the re-tagging (POST only)."})


@blp.route("/retag")
class Retag(MethodView):
    @blp.response(200, RetagStatusSchema)
    def get(self) -> Any:
        """How far the catalog is tagged with the current taxonomy version."""
        return _status()

    @blp.response(202, RetagStatusSchema)
    def post(self) -> Any:
        """Queue the re-tagging of every product tagged with another taxonomy version."""
        s = services()
        job = s.queue.enqueue(
            "workers.retag.retag_catalog", job_timeout=3600, description="re-tag the catalog"
        )
        return {**_status(), "job_id": job.id}


def _status() -> dict[str, Any]:
    s = services()
    versions = s.store.version_counts()
    counts = s.store.count_by_status()
    tagged = sum(versions.values())
    current = versions.get(s.tagger.version, 0)
    return {
        "taxonomy_version": s.tagger.version,
        "current": current,
        "tagged": tagged,
        "pending": counts["pending"],
        "progress": round(current / tagged, 4) if tagged else 1.0,
        "versions": versions,
    }
