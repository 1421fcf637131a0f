"""Admin and trust & safety: member management, reports, suspensions, audit log, help centre."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import routes  # noqa: E402,F401
