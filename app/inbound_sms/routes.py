"""POST /sms/inbound (Twilio's webhook for messages to our number) and the development SMS inbox's
"reply as this phone" form. Both run the same executor (app.inbound_sms.services.receive)."""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from twilio.twiml.messaging_response import MessagingResponse

from app.core.errors import DomainError
from app.extensions import csrf, db
from app.inbound_sms import bp, services
from app.members.phones import normalise_phone
from app.notify.twilio_webhooks import twilio_signed
from app.postings.services import delete_photo_files
from app.web.request_limits import body_limit

MESSAGE_SID = re.compile(r"^[A-Za-z0-9]{10,64}$")


def _twiml(reply: str):
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return str(response), 200, {"Content-Type": "text/xml; charset=utf-8"}


def _phone_or_none(raw: str | None) -> str | None:
    try:
        return normalise_phone(raw, current_app.config["DEFAULT_PHONE_REGION"])
    except ValueError:
        return None


def _receive_and_commit(phone: str, body: str, message_sid: str | None):
    """Run the message and commit; a concurrent retry of the same MessageSid that committed first
    wins, and this request answers with its reply."""
    try:
        received = services.receive(phone, body, message_sid)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        first = services.already_received(message_sid)
        if first is None:
            raise
        return first
    delete_photo_files(received.files_to_delete)
    return received.record


@bp.post("/sms/inbound")
@body_limit("webhook")
@csrf.exempt
@twilio_signed
def inbound():
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    if not MESSAGE_SID.match(sid):
        return {"error": "MessageSid is missing or malformed"}, 400
    phone = _phone_or_none(request.form.get("From"))
    if phone is None:
        return {"error": "From is not a mobile phone number"}, 400
    record = _receive_and_commit(phone, request.form.get("Body", ""), sid)
    return _twiml(record.reply)


@bp.post("/dev/sms/reply")
@login_required
def reply_as_phone():
    """Development SMS inbox: send a message as if ``phone`` had texted our number."""
    if not (current_user.is_admin or current_app.debug):
        abort(403)
    phone = _phone_or_none(request.form.get("phone"))
    body = (request.form.get("body") or "").strip()
    if phone is None or not body:
        raise DomainError(_("Enter a mobile number and a message."), status=400)
    record = _receive_and_commit(phone, body, None)
    if record.reply:
        flash(_("Reply to %(phone)s: %(reply)s", phone=phone, reply=record.reply), "success")
    else:
        flash(_("No reply to %(phone)s (over the hourly limit).", phone=phone), "success")
    return redirect(url_for("notify.sms_inbox", phone=phone), 303)
