"""Friendly error pages (or fragments for htmx) for every status a user can meet."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from app.core.errors import MESSAGES, DomainError  # noqa: F401 (re-exported for routes)
from app.extensions import db
from app.web.htmx import wants_fragment
from app.web.request_limits import body_kind


def render_error(status: int, message: str | None = None):
    template = "errors/_error.html" if wants_fragment() else "errors/error.html"
    text = message or MESSAGES.get(status) or MESSAGES[400]
    return render_template(template, status=status, message=text), status


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, str(_l("Your form expired or was sent from another site. Please reload the page and try again."))
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status, error.message)

    @app.errorhandler(IntegrityError)
    def constraint_refused(error: IntegrityError):
        # A UNIQUE or CHECK constraint is the database's last guard of a rule the services already
        # enforce (stock within the posting's stated quantity, one acceptance per order): reaching it
        # means a concurrent request got there first, which the user reads as any refused step.
        db.session.rollback()
        app.logger.warning("Refused by a database constraint: %s", getattr(error, "orig", error))
        return render_error(409)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status in (301, 302, 303, 307, 308):
            return error
        description = None
        if status in (400, 409) and error.description and error.description != type(error).description:
            description = error.description
        if status == 413:
            description = _request_too_large_message()
        return render_error(status, description)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        if _is_nul_character_error(error):
            # A NUL character got past a form's own check: PostgreSQL refuses it in text. Nothing was
            # saved (the transaction is rolled back); it is the client's input, so a 400, not a 500.
            app.logger.warning("Refused text with a NUL character: %s", error)
            return render_error(400, _("Text may not contain a NUL character."))
        app.logger.exception("Unhandled error")
        return render_error(500)


def _request_too_large_message() -> str:
    """What was too large: the photos on an upload form, otherwise the form or message itself."""
    if body_kind() in ("photos", "upload"):
        return str(MESSAGES[413])
    return _("What was sent is too large. Please shorten it and try again.")


def _is_nul_character_error(error: Exception) -> bool:
    """psycopg refuses to send a string holding U+0000; SQLAlchemy wraps that in a StatementError."""
    cause = getattr(error, "orig", None) or error
    return "NUL (0x00)" in str(cause)
