"""A browsable API reference page, rendered in the browser from /openapi.json (no CDN, no build step)."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

blp = Blueprint("docs", __name__)


@blp.get("/docs")
def api_docs() -> ResponseReturnValue:
    return current_app.send_static_file("docs.html")
