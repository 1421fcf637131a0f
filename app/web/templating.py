"""Template filters and globals: money, quantities, localised catalogue names, prices per kg / 斤."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import get_locale

from app.core.formatting import localized, money, per_kg_label, quantity
from app.core.i18n import is_chinese


def url_with(**changes) -> str:
    """The current URL with some query arguments replaced (for filters, sorting and pagination)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app) -> None:
    app.add_template_filter(money)
    app.add_template_filter(quantity)
    app.add_template_filter(localized)
    app.add_template_filter(per_kg_label)
    app.add_template_global(url_with)
    app.add_template_global(is_chinese)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")
