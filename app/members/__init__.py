from flask import Blueprint

bp = Blueprint("members", __name__)

from app.members import code_routes, payee_routes, routes, storefront_routes, verification_routes  # noqa: E402,F401
