"""Checking that a webhook request really comes from Twilio (shared by /sms/inbound and /sms/status).

Twilio signs the URL it called plus the POSTed form fields with our auth token. Behind a proxy or a
load balancer ``request.url`` is the internal address, so the URL is rebuilt from PUBLIC_BASE_URL
(the address configured in Twilio's console) plus the path and query string of this request."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, request

from sms.gateways import validate_twilio_signature


def public_request_url() -> str:
    """The URL Twilio called: PUBLIC_BASE_URL + this request's path (+ ?query when present)."""
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.path
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


def twilio_request_is_valid() -> bool:
    """True when the X-Twilio-Signature header signs this POST with TWILIO_AUTH_TOKEN. False
    without a configured token (so an unconfigured site refuses every webhook)."""
    return validate_twilio_signature(
        public_request_url(),
        request.form.to_dict(flat=True),
        request.headers.get("X-Twilio-Signature"),
        current_app.config.get("TWILIO_AUTH_TOKEN") or "",
    )


def twilio_signed(view):
    """Refuse (403, before anything is read or written) a request whose Twilio signature is wrong.
    The view must also be exempt from CSRF (Twilio cannot send our token): ``csrf.exempt(view)``."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not twilio_request_is_valid():
            abort(403)
        return view(*args, **kwargs)

    return checked
