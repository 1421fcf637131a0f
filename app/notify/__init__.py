"""Notifications: the transactional outbox, its worker, and the messages trade events send."""

from flask import Blueprint

bp = Blueprint("notify", __name__)

from app.notify import (  # noqa: E402,F401
    cli,
    community_handlers,
    follow_handlers,
    follow_routes,
    handlers,
    match_handlers,
    preference_routes,
    provider_hooks,
    routes,
    webhooks,
)
from app.notify.senders import sms_settings_problem  # noqa: E402


@bp.record_once
def _refuse_incomplete_sms_settings(state) -> None:
    # Fail at start-up, not at the first SMS hours later in the worker's log.
    if problem := sms_settings_problem(state.app.config):
        raise RuntimeError(problem)
