"""Absolute links for messages that leave the site (SMS, e-mail, provider callbacks)."""

from __future__ import annotations

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """An absolute link on PUBLIC_BASE_URL (works in a request, a CLI job or the worker)."""
    path = current_app.url_map.bind("jishi").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
