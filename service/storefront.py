"""The storefront page at `/`: static HTML, CSS and JavaScript calling the read API (no build step)."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask.typing import ResponseReturnValue

blp = Blueprint("storefront", __name__)

# Defence in depth behind textContent-only rendering: no inline script, no other origin's code.
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@blp.get("/")
def page() -> ResponseReturnValue:
    response = current_app.send_static_file("storefront.html")
    response.headers["Content-Security-Policy"] = _POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
