"""Flask's signed-cookie sessions, with the signing serializer built once per key instead of twice
per request (opening and saving the session).

Building an itsdangerous serializer (its signer and key list, and a trial JSON dump to learn
whether it produces text) costs more than signing a small cookie; every page pays it, including
a first-time visitor's, whose session carries the CSRF token of the language switch.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    """Same cookies as Flask's default; a changed SECRET_KEY or SECRET_KEY_FALLBACKS (tests change
    them) builds a new serializer."""

    def __init__(self) -> None:
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._serializer
        if cached is not None and cached[0] == keys:
            return cached[1]
        serializer = super().get_signing_serializer(app)
        self._serializer = (keys, serializer)  # one assignment: safe with threaded workers
        return serializer
