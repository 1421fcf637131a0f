"""Trade: negotiation threads, orders without oversell, traceable lots and reviews."""

from flask import Blueprint

bp = Blueprint("trade", __name__)

from app.trade import basket_quote_routes, basket_routes, cli, labels, order_routes, routes, template_globals  # noqa: E402,F401
