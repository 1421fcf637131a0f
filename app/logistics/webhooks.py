"""Carrier webhooks at POST /hooks/logistics/<carrier> (format documented in README), and
Kuaidi100's tracking pushes at POST /hooks/kuaidi100/<shipment id> (see kuaidi100_push).

The signature is checked over the raw body before anything is parsed or written:
``X-Jishi-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{raw_body}")>`` with the
carrier's secret from LOGISTICS_CARRIER_SECRETS and ``X-Jishi-Timestamp`` (Unix seconds) within
LOGISTICS_WEBHOOK_TOLERANCE_SECONDS of now. Unknown carrier → 404; bad, missing or stale signature
and malformed bodies → 400 with no database write; a replayed event id → 200 without a change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

from flask import current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from app.extensions import csrf, db
from app.logistics import bp, kuaidi100, services, subscriptions, tracking
from app.logistics.models import UPDATE_STATUSES
from app.web.request_limits import body_limit

SIGNATURE_PREFIX = "sha256="


class BadWebhook(ValueError):
    """The request is not a valid, signed carrier event; answered with 400."""


def sign(secret: str, timestamp: str, raw_body: bytes) -> str:
    """The X-Jishi-Signature header value for ``raw_body`` sent at ``timestamp``."""
    message = timestamp.encode("ascii") + b"." + raw_body
    return SIGNATURE_PREFIX + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(
    secret: str, timestamp: str | None, signature: str | None, raw_body: bytes, now: float, tolerance: int
) -> None:
    """Raise BadWebhook unless ``signature`` signs ``raw_body`` at a ``timestamp`` close to ``now``."""
    if not timestamp or not signature:
        raise BadWebhook("missing signature headers")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise BadWebhook("bad timestamp")
    if abs(now - int(timestamp)) > tolerance:
        raise BadWebhook("stale timestamp")
    if not hmac.compare_digest(sign(secret, timestamp, raw_body), signature.strip()):
        raise BadWebhook("signature mismatch")


def parse_event(raw_body: bytes) -> dict:
    """The event's fields, checked. Raises BadWebhook for anything else."""
    try:
        payload = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadWebhook("body is not JSON") from error
    if not isinstance(payload, dict):
        raise BadWebhook("body is not an object")
    event_id, tracking_number = payload.get("event_id"), payload.get("tracking_number")
    status, occurred_at, note = payload.get("status"), payload.get("occurred_at"), payload.get("note") or ""
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 100:
        raise BadWebhook("bad event_id")
    if not isinstance(tracking_number, str) or not 0 < len(tracking_number) <= 60:
        raise BadWebhook("bad tracking_number")
    if status not in UPDATE_STATUSES:
        raise BadWebhook("bad status")
    if not isinstance(note, str):
        raise BadWebhook("bad note")
    try:
        moment = datetime.fromisoformat(occurred_at)
    except (TypeError, ValueError) as error:
        raise BadWebhook("bad occurred_at") from error
    if moment.tzinfo is None:
        raise BadWebhook("occurred_at needs a time zone")
    return {
        "event_id": event_id,
        "tracking_number": tracking_number.strip(),
        "status": status,
        "occurred_at": moment.astimezone(UTC),
        "note": note.strip(),
    }


@bp.post("/hooks/logistics/<carrier>")
@body_limit("webhook")
@csrf.exempt
def carrier_webhook(carrier: str):
    secret = services.carrier_secrets(current_app.config["LOGISTICS_CARRIER_SECRETS"]).get(carrier.lower())
    if secret is None:
        return jsonify(error="unknown carrier"), 404
    raw_body = request.get_data(cache=False)
    try:
        verify(
            secret,
            request.headers.get("X-Jishi-Timestamp"),
            request.headers.get("X-Jishi-Signature"),
            raw_body,
            time.time(),
            current_app.config["LOGISTICS_WEBHOOK_TOLERANCE_SECONDS"],
        )
        event = parse_event(raw_body)
    except BadWebhook as error:
        return jsonify(error=str(error)), 400
    try:
        result = services.record_carrier_event(carrier.lower(), **event)
        db.session.commit()
    except IntegrityError:
        # The same event id committed by a concurrent delivery of this event: nothing more to do.
        db.session.rollback()
        result = "duplicate"
    if result == "unknown":
        return jsonify(error="unknown tracking number"), 404
    return jsonify(result=result), 200


@bp.post("/hooks/kuaidi100/<int:shipment_id>")
@body_limit("webhook")
@csrf.exempt
def kuaidi100_push(shipment_id: int):
    """Kuaidi100's push for one shipment (app/logistics/tracking.py). The sign is checked over the
    ``param`` form field before it is parsed; a bad sign, a malformed param or another number → 400
    with nothing written, a replay → the success reply without a change (Kuaidi100 stops pushing
    it). docs/logistics-kuaidi100.md has the format."""
    if not subscriptions.configured():
        return jsonify(result=False, returnCode="404", message="tracking is off"), 404
    subscription = tracking.subscription_for(shipment_id)
    if subscription is None:
        return jsonify(result=False, returnCode="404", message="unknown shipment"), 404
    param = request.form.get("param")
    try:
        kuaidi100.verify_push(param, request.form.get("sign"), tracking.salt_for(shipment_id))
        push = kuaidi100.parse_push(param)
        tracking.apply_push(subscription, push)
        db.session.commit()
    except kuaidi100.BadPush as error:
        db.session.rollback()
        return jsonify(result=False, returnCode="400", message=str(error)), 400
    except IntegrityError:
        # The same push committed by a concurrent delivery of it: nothing more to do.
        db.session.rollback()
    return jsonify(kuaidi100.SUCCESS_REPLY), 200
