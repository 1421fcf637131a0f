"""Market prices: observations, daily reference prices, price pages and open data, alerts,
the info-station notice board, dashboards and admin reports."""
from flask import Blueprint

bp = Blueprint("market", __name__)

from app.market import routes  # noqa: E402,F401
