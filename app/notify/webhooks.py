"""POST /sms/status: Twilio's delivery reports for the SMS the worker handed over.

The signature is checked first (403, nothing read or written); the report is matched to the outbox
row by Twilio's Message SID. Reports arrive out of order and more than once, so a row's delivery
status only moves forward. An unknown SID is acknowledged with 200, or Twilio would keep retrying."""

from __future__ import annotations

import re

from flask import request

from app.extensions import csrf, db
from app.notify import bp, services
from app.notify.twilio_webhooks import twilio_signed
from app.web.request_limits import body_limit

MESSAGE_SID = re.compile(r"^[A-Za-z0-9]{10,64}$")


@bp.post("/sms/status")
@body_limit("webhook")
@csrf.exempt
@twilio_signed
def sms_status():
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    reported = (request.form.get("MessageStatus") or request.form.get("SmsStatus") or "").strip().lower()
    error_code = (request.form.get("ErrorCode") or "").strip()
    if not MESSAGE_SID.match(sid):
        return {"error": "MessageSid is missing or malformed"}, 400
    status = services.DELIVERY_STATUS_OF.get(reported)
    if status is None:
        return {"error": f"unknown MessageStatus {reported[:20]!r}"}, 400
    if error_code and not error_code.isdigit():
        return {"error": "ErrorCode must be a number"}, 400
    applied = services.record_delivery_status(sid, status, error_code[:12] or None)
    db.session.commit()
    return {"status": "recorded" if applied else "ignored"}, 200
