from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from app.catalogue import cli, routes  # noqa: E402,F401
