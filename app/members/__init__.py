from flask import Blueprint

bp = Blueprint("members", __name__)

from app.members import (  # noqa: E402,F401
    code_routes,
    follow_routes,
    payee_routes,
    routes,
    storefront_routes,
    verification_routes,
)
