"""How large a request body each view accepts, and how many fields a form may have.

Every view takes an ordinary form (MAX_FORM_BYTES, 1 MB) unless it is marked with
:func:`body_limit`: provider webhooks take less (MAX_WEBHOOK_BYTES), views taking one file
(MAX_UPLOAD_BYTES) and the posting forms with their six photos (MAX_CONTENT_LENGTH) more. The limit
is set on the request before anything reads the body (CSRF and the rate limits read the form), so a
larger body is refused with 413 without being read.

werkzeug applies MAX_FORM_PARTS to multipart forms only; a urlencoded body of a million empty
fields (``&&&…``) is parsed in full. :class:`FieldCountingFormDataParser` counts its separators first
(one pass over bytes already in memory) and refuses the form with 413 when there are too many.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal
from urllib.parse import parse_qsl

from flask import Flask, current_app, request
from flask.wrappers import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

BodyKind = Literal["form", "webhook", "upload", "photos"]
_ATTRIBUTE = "jishi_body_limit"


def body_limit(kind: BodyKind) -> Callable:
    """Mark a view as taking a webhook's body, one upload, or the posting photos. Put it directly
    under the route decorator (the decorators below it keep the mark: functools.wraps copies it)."""

    def mark(view):
        setattr(view, _ATTRIBUTE, kind)
        return view

    return mark


def body_kind() -> BodyKind:
    """The kind of body the current request's view takes ("form" for unmarked views and 404s)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, _ATTRIBUTE, "form")


def max_body_bytes(kind: BodyKind) -> int:
    """The largest body, in bytes, a view of ``kind`` accepts."""
    config = current_app.config
    return {
        "form": config["MAX_FORM_BYTES"],
        "webhook": config["MAX_WEBHOOK_BYTES"],
        "upload": config["MAX_UPLOAD_BYTES"],
        "photos": config["MAX_CONTENT_LENGTH"],
    }[kind]


class FieldCountingFormDataParser(FormDataParser):
    """werkzeug's parser, with MAX_FORM_PARTS applied to urlencoded forms too."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        body = stream.read()  # the stream is already limited to the view's max_content_length
        if self.max_form_parts is not None and body.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        # Raw bytes that are not UTF-8 are kept as %XX text, as werkzeug keeps percent-encoded ones,
        # so the form is validated (and answered) like any other instead of arriving empty.
        text = body.decode("utf-8", "werkzeug.url_quote")
        items = parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")
        return stream, self.cls(items), self.cls()


class JishiRequest(Request):
    form_data_parser_class = FieldCountingFormDataParser


def register(app: Flask) -> None:
    """Use :class:`JishiRequest` and set each request's body limit before any view or extension
    reads the body. Call before the extensions that read forms in before_request are set up."""
    app.request_class = JishiRequest

    @app.before_request
    def _limit_body() -> None:
        request.max_content_length = max_body_bytes(body_kind())
