"""The error a business rule raises, and the plain sentence each HTTP status stands for.

app/web/errors.py renders a DomainError as an error page (or an htmx fragment) with its status;
the SMS reader and the worker turn it into a reply or a log line, so services raise it without
knowing who called them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You are not allowed to do that."),
    404: _l("We could not find that page."),
    405: _l("That action is not allowed here."),
    409: _l("That could not be done because something changed. Please reload and try again."),
    413: _l("The upload is too large. Each photo may be at most 10 MB, and at most 6 photos at once."),
    422: _l("Some of the information is not valid."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing you saved was lost; please try again."),
}


class DomainError(Exception):
    """A business rule refused an action; rendered as ``status`` with ``message`` for the user."""

    status = 409

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
