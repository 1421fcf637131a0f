"""Locale selection: explicit choice (session), then the member's preference, then Accept-Language."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

from app.core.i18n import is_chinese, normalise_locale  # noqa: F401 (is_chinese re-exported)


def select_locale() -> str:
    # CLI jobs and workers (no request) translate messages in the default language.
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = normalise_locale(session.get("locale"))
    if chosen:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale:
        return normalise_locale(current_user.locale) or "en"
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans", "zh-TW"]) if request else None
    return normalise_locale(best) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]
