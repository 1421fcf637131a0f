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
    """Only info-station operators an admin approved (and admins) may post for farmers: acting for a
    farmer texts the farmer's number, so a self-made station must not (issue 23)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not (current_user.is_approved_station or current_user.is_admin):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
