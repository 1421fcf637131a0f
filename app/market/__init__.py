"""Market prices: observations, daily reference prices, price pages and open data, alerts,
the info-station notice board, dashboards and admin reports."""

from flask import Blueprint

bp = Blueprint("market", __name__)

from app.market import (  # noqa: E402,F401
    alerts,
    cli,
    report_routes,  # noqa: E402,F401  (dashboards and admin reports)
    rollup,
    routes,  # noqa: E402,F401
)
