"""View decorators for access control."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def admin_required(view):
    """Refuse anyone who is not an admin: 403 for members, the login page for visitors."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def station_required(view):
    """Only info-station operators (and admins) may post for farmers."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not (current_user.is_station_operator or current_user.is_admin):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
