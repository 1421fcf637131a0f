"""Home page, language switch and health check."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text

from app.catalogue.services import categories_with_commodities
from app.core.i18n import normalise_locale
from app.db import read_without_transaction
from app.extensions import db
from app.main import bp
from app.notify.health import outbox_lag_seconds
from app.postings.queries import newest_postings
from app.web.redirects import safe_next
from app.web.redis_health import redis_report


@bp.get("/")
def home():
    return render_template(
        "main/home.html",
        categories=categories_with_commodities(),
        sell_offers=newest_postings("sell", limit=8),
        buy_requests=newest_postings("buy", limit=8),
    )


@bp.post("/lang")
def set_language():
    """Switch language for this browser and remember it on the member's profile."""
    locale = normalise_locale(request.form.get("locale"))
    if locale:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


_SELECT_ONE = text("SELECT 1")


@bp.get("/healthz")
def healthz():
    """Load balancers and monitors: 200 when the database answers and the outbox is being drained,
    503 (with what is wrong) otherwise. Redis is reported ("redis": "ok", "down" or "not used") but
    does not make the answer 503: without it every node still serves (limits count per worker,
    pages render without the shared cache), and a 503 would take every node out at once."""
    from flask import current_app

    body = {"status": "ok", "database": "ok", **redis_report()}
    try:
        read_without_transaction()
        db.session.execute(_SELECT_ONE)
        lag = outbox_lag_seconds()
        db.session.rollback()  # end the read transaction; nothing was written
    except Exception:  # the health check must answer even when the database is down
        db.session.rollback()
        body.update(status="degraded", database="unreachable")
        return jsonify(body), 503
    body["outbox_lag_seconds"] = lag
    body["outbox"] = "ok" if lag <= current_app.config["HEALTH_OUTBOX_LAG_SECONDS"] else "lagging"
    if body["outbox"] != "ok":
        body["status"] = "degraded"
    return jsonify(body), 200 if body["status"] == "ok" else 503


@bp.get("/media/<path:filename>")
def media(filename: str):
    """Public uploads (posting photos, storefront logos). Identity documents live elsewhere."""
    from flask import current_app, send_from_directory

    if "/" in filename or filename.startswith("."):
        from flask import abort

        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_DIR"], filename, max_age=60 * 60 * 24 * 30)
    return response
