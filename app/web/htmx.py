"""One place decides whether a response is a fragment (for htmx) or a whole page."""

from __future__ import annotations

from flask import make_response, render_template

from app.extensions import htmx


def wants_fragment() -> bool:
    """True for a real htmx request that is neither boosted nor a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    """Render ``fragment`` for htmx and ``page`` (which includes the same fragment) otherwise.

    Responses that differ by HX-Request carry ``Vary: HX-Request`` so caches keep them apart.
    """
    template = fragment if wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
