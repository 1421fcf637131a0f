"""Notifications: the transactional outbox, its worker, and the messages trade events send."""
from flask import Blueprint

bp = Blueprint("notify", __name__)

from app.notify import cli, handlers, routes  # noqa: E402,F401

handlers.connect()
