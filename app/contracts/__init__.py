"""Purchase contracts (购销合同): one per order, versioned, accepted by both parties, as a PDF."""

from flask import Blueprint

bp = Blueprint("contracts", __name__)

from app.contracts import routes  # noqa: E402,F401
