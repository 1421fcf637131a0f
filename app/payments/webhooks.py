"""POST /hooks/payments/<provider>: the signature is verified over the raw body before anything
else; a bad, missing or stale signature (or an unreadable body) is 400 with no database write. The
event id is stored under a UNIQUE constraint in the same commit as the change it makes; a replay
answers 200 so the provider stops retrying. An event whose checkout amount is not the payment's
is refused (400) after the payment's admin flag is committed.

The answer's body is the provider's own: JSON by default, Alipay's plain ``success`` /
``failure`` (Alipay retries until it reads exactly ``success``)."""

from __future__ import annotations

import logging

from flask import Response, abort, current_app, request

from app.extensions import csrf, db
from app.payments import bp, services
from app.payments.providers import get_provider
from app.payments.providers.base import InvalidSignature
from app.web.request_limits import body_limit

log = logging.getLogger(__name__)

# Per provider: the answer to an applied (or replayed) event and to a refused one.
TEXT_ANSWERS = {"alipay": ("success", "failure")}


def _answer(provider_name: str, accepted: bool, body: dict, status: int):
    if provider_name in TEXT_ANSWERS:
        text = TEXT_ANSWERS[provider_name][0 if accepted else 1]
        return Response(text, status=status, mimetype="text/plain")
    return body, status


@bp.post("/hooks/payments/<provider_name>")
@body_limit("webhook")
@csrf.exempt
def payment_webhook(provider_name: str):
    provider = get_provider(provider_name, current_app.config)
    if provider is None:
        abort(404)
    raw_body = request.get_data(cache=False)
    try:
        event = provider.parse_and_verify_webhook(raw_body, request.headers)
    except InvalidSignature as error:
        log.info("refused %s webhook: %s", provider_name, error)
        return _answer(provider_name, False, {"error": "invalid signature"}, 400)
    try:
        services.apply_event(provider_name, event)
    except services.Replay:
        db.session.rollback()
        return _answer(provider_name, True, {"status": "already processed"}, 200)
    except services.AmountMismatch:
        db.session.commit()
        return _answer(provider_name, False, {"error": "amount does not match the payment"}, 400)
    db.session.commit()
    return _answer(provider_name, True, {"status": "ok"}, 200)
