"""Pooled supply (拼单): a big buy request filled by parts from several sellers, and an
info-station's part pooling its farmers' lots with each farmer's share and pay-out recorded."""

from flask import Blueprint

bp = Blueprint("pooling", __name__)

from app.pooling import routes  # noqa: E402,F401
