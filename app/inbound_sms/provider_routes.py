"""Texts from mainland numbers (上行) pushed by Alibaba Cloud SMS (SmsUp, POST /sms/aliyun/inbound)
and Tencent Cloud SMS (短信回复回调, POST /sms/tencent/inbound). They run the same executor as
Twilio's /sms/inbound (services.receive), so every SMS command works the same from a +86 number.

Each request must carry the provider's callback token (app.notify.provider_hooks: the providers
do not sign their pushes). A message is claimed by the provider's id under the UNIQUE
inbound_sms.message_sid: Aliyun's ``sequence_id`` ("aliyun-<id>"); Tencent sends no message id, so
its id is a digest of the sender, the time (seconds), the extension and the text ("tencent-<sha256>"),
which a retried push repeats exactly. A message seen before is acknowledged and not run again.

Neither provider takes a reply in the webhook's response: the reply is written to the outbox in the
same transaction as the log row — as its registry template, parameters and text — and the worker
sends it through the routing gateway (the mainland provider, as the template code it approved)."""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import csrf, db
from app.inbound_sms import bp, services
from app.members.phones import normalise_phone
from app.notify.provider_hooks import ALIYUN_OK, TENCENT_OK, json_items, provider_callback
from app.notify.services import enqueue_sms_reply
from app.postings.services import delete_photo_files
from app.web.request_limits import body_limit

log = logging.getLogger("jishi.inbound_sms")


def _phone(raw: str, region: str | None = None) -> str | None:
    try:
        return normalise_phone(raw, region or current_app.config["DEFAULT_PHONE_REGION"])
    except ValueError:
        return None


def _text(item: dict, key: str) -> str:
    value = item.get(key)
    return str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""


def run_provider_message(phone: str, body: str, message_id: str) -> str:
    """Run one pushed message and commit it with its reply in the outbox. Returns "received", or
    "duplicate" for a message id handled before (also when a concurrent push of it won)."""
    if services.already_received(message_id) is not None:
        return "duplicate"
    try:
        received = services.receive(phone, body, message_id)
        if received.reply is not None:
            enqueue_sms_reply(phone, received.reply, received.locale or "", received.record.member_id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if services.already_received(message_id) is None:
            raise
        return "duplicate"
    delete_photo_files(received.files_to_delete)
    return "received"


def _run_all(provider: str, messages: list[tuple[str, str, str]], skipped: int) -> None:
    outcomes = [run_provider_message(phone, body, message_id) for phone, body, message_id in messages]
    log.info(
        "%s SMS replies: %s received, %s duplicate, %s malformed",
        provider,
        outcomes.count("received"),
        outcomes.count("duplicate"),
        skipped,
    )


@bp.post("/sms/aliyun/inbound")
@body_limit("webhook")
@csrf.exempt
@provider_callback("aliyun")
def aliyun_inbound():
    items = json_items()
    if items is None:
        return {"code": 400, "msg": "expected a JSON array of messages"}, 400
    messages, skipped = [], 0
    for item in items:
        # Aliyun writes mainland numbers as their 11 digits.
        sequence_id, phone = _text(item, "sequence_id"), _phone(_text(item, "phone_number"), "CN")
        content = item.get("content")
        if not (sequence_id.isdigit() and len(sequence_id) <= 40 and phone and isinstance(content, str)):
            log.warning("Aliyun SMS reply skipped (malformed): %.200r", item)
            skipped += 1
            continue
        messages.append((phone, content, f"aliyun-{sequence_id}"))
    _run_all("Aliyun", messages, skipped)
    return ALIYUN_OK, 200


def tencent_message_id(item: dict) -> str:
    """The id of a Tencent reply, which has none of its own: a digest of what identifies it."""
    parts = [_text(item, key) for key in ("nationcode", "mobile", "time", "extend", "sign", "text")]
    return "tencent-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:48]


@bp.post("/sms/tencent/inbound")
@body_limit("webhook")
@csrf.exempt
@provider_callback("tencent")
def tencent_inbound():
    items = json_items()
    if items is None:
        return {"result": 400, "errmsg": "expected a JSON reply or array of replies"}, 400
    messages, skipped = [], 0
    for item in items:
        nationcode, mobile = _text(item, "nationcode"), _text(item, "mobile")
        phone = _phone(f"+{nationcode}{mobile}") if nationcode.isdigit() and mobile.isdigit() else None
        text = item.get("text")
        if not (phone and isinstance(text, str) and _text(item, "time").isdigit()):
            log.warning("Tencent SMS reply skipped (malformed): %.200r", item)
            skipped += 1
            continue
        messages.append((phone, text, tencent_message_id(item)))
    _run_all("Tencent", messages, skipped)
    return TENCENT_OK, 200
