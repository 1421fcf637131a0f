"""Payments: providers behind one interface, signed webhooks, refunds, the per-order ledger."""

from flask import Blueprint

bp = Blueprint("payments", __name__)

from app.payments import cli, handlers, routes, split_routes, webhooks  # noqa: E402,F401
