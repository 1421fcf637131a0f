"""Logistics: shipments with a tracking timeline (seller, driver link, carrier webhooks, Kuaidi100
tracking pushes) and the buyer's delivery acceptance."""

from flask import Blueprint

bp = Blueprint("logistics", __name__)

from app.logistics import cli, routes, webhooks  # noqa: E402,F401
