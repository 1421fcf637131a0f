"""Security headers on every response and a request id for the logs."""

from __future__ import annotations

import uuid

from flask import g, request

# No inline script or style anywhere: htmx is loaded from static/ and configured by a <meta> tag.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def register(app) -> None:
    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex

    hsts = "max-age=31536000; includeSubDomains" if app.config.get("HSTS") else None

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        # A view may set its own value of any of these (the media route does); only missing ones
        # are added. One pass over the headers instead of a search per header: every response
        # pays this.
        present = set(headers.keys(lower=True))
        for name, value in _HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if "content-security-policy" not in present and response.mimetype == "text/html":
            headers.add("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if hsts and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", hsts)
        headers["X-Request-ID"] = g.get("request_id", "")
        return response
