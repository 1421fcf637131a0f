"""Admin and trust & safety: member management, reports, suspensions, audit log, help centre."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import cli, help_routes, report_routes, routes, safety, station_routes  # noqa: E402,F401

safety.register_template_globals(bp)
