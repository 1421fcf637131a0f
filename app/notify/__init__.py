"""Notifications: the transactional outbox, its worker, and the messages trade events send."""

from flask import Blueprint

bp = Blueprint("notify", __name__)

from app.notify import cli, handlers, match_handlers, preference_routes, routes, webhooks  # noqa: E402,F401
from app.notify.senders import twilio_settings_problem  # noqa: E402


@bp.record_once
def _refuse_incomplete_twilio_settings(state) -> None:
    # Fail at start-up, not at the first SMS hours later in the worker's log.
    config = state.app.config
    if config.get("SMS_GATEWAY") == "twilio" and (problem := twilio_settings_problem(config)):
        raise RuntimeError(problem)
