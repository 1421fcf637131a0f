"""Small helpers shared by the trade views."""

from __future__ import annotations

from flask import make_response, redirect
from flask_login import current_user

from app.members.models import Member
from app.trade.errors import TradeInvalid
from app.web.htmx import wants_fragment


def member() -> Member:
    """The signed-in member as a real Member (services take explicit arguments, not proxies)."""
    return current_user._get_current_object()


def redirect_to(url: str):
    """303 for a plain form post; for htmx a client-side redirect, since htmx would otherwise swap
    the followed page into the target."""
    if wants_fragment():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def attach_error(form, error: TradeInvalid) -> None:
    """Show a service's field-level refusal beside its field (or above the form)."""
    field = getattr(form, error.field, None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]
