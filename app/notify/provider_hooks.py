"""Callbacks from the mainland SMS providers, and the delivery reports (状态报告) among them:
POST /sms/aliyun/report (Alibaba Cloud's SmsReport, HTTP 批量推送) and /sms/tencent/report
(Tencent Cloud's 短信下发状态回调). Their replies (上行) are app/inbound_sms/provider_routes.py.

Neither provider signs its pushes, so the callback URL configured in the provider's console carries
a secret of ours, ``?token=<ALIYUN_SMS_CALLBACK_TOKEN | TENCENT_SMS_CALLBACK_TOKEN>``, compared in
constant time before anything is read (403 otherwise, and for every request while no token is
configured). Serve them over HTTPS only, so that the token does not travel in clear.

Both push JSON arrays of reports, several messages per request. A report is matched to the outbox
row by the provider id the gateway stored (Aliyun: BizId + number, see sms.aliyun; Tencent: the
SerialNo, ``sid``); a row's delivery status only moves forward, so a replayed or late report changes
nothing. Malformed items are skipped and logged; an unknown message is acknowledged, or the
provider would push it again and again."""

from __future__ import annotations

import hmac
import json
import logging
import re
from functools import wraps

from flask import abort, current_app, request

from app.extensions import csrf, db
from app.notify import bp, services
from app.notify.models import DeliveryStatus
from app.web.request_limits import body_limit
from sms.aliyun import aliyun_provider_id

log = logging.getLogger("jishi.notify")

CALLBACK_TOKENS = {"aliyun": "ALIYUN_SMS_CALLBACK_TOKEN", "tencent": "TENCENT_SMS_CALLBACK_TOKEN"}
PROVIDER_ID = re.compile(r"^[0-9A-Za-z^:_\-]{1,100}$")
PHONE_DIGITS = re.compile(r"^\+?\d{5,20}$")
# The provider's documented "received" answers; anything else makes it push the batch again.
ALIYUN_OK = {"code": 0, "msg": "接收成功"}
TENCENT_OK = {"result": 0, "errmsg": "OK"}


def callback_token_is_valid(provider: str) -> bool:
    """True when this request's ``token`` query parameter is the provider's configured callback
    token; False without one configured (an unconfigured site refuses every callback)."""
    expected = current_app.config.get(CALLBACK_TOKENS[provider]) or ""
    given = request.args.get("token") or ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def provider_callback(provider: str):
    """Refuse (403, before the body is read) a callback without the provider's token. The view
    must also be exempt from CSRF (the provider cannot send our token): ``csrf.exempt(view)``."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if not callback_token_is_valid(provider):
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


def json_items() -> list[dict] | None:
    """The request's JSON body as a list of objects (one object counts as a list of one), or None
    when it is not JSON of that shape."""
    try:
        payload = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        return None
    return payload


def _text(item: dict, key: str) -> str:
    value = item.get(key)
    return str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""


@bp.post("/sms/aliyun/report")
@body_limit("webhook")
@csrf.exempt
@provider_callback("aliyun")
def aliyun_report():
    items = json_items()
    if items is None:
        return {"code": 400, "msg": "expected a JSON array of reports"}, 400
    applied = 0
    for item in items:
        biz_id, phone = _text(item, "biz_id"), _text(item, "phone_number")
        success = item.get("success")
        if not (PROVIDER_ID.match(biz_id) and PHONE_DIGITS.match(phone) and isinstance(success, bool)):
            log.warning("Aliyun SMS report skipped (malformed): %.200r", item)
            continue
        status = DeliveryStatus.DELIVERED.value if success else DeliveryStatus.UNDELIVERED.value
        error = None if success else (_text(item, "err_code")[:12] or None)
        applied += services.record_delivery_status(aliyun_provider_id(biz_id, phone), status, error)
    db.session.commit()
    log.info("Aliyun SMS reports: %s received, %s applied", len(items), applied)
    return ALIYUN_OK, 200


@bp.post("/sms/tencent/report")
@body_limit("webhook")
@csrf.exempt
@provider_callback("tencent")
def tencent_report():
    items = json_items()
    if items is None:
        return {"result": 400, "errmsg": "expected a JSON array of reports"}, 400
    applied = 0
    for item in items:
        sid, reported = _text(item, "sid"), _text(item, "report_status").upper()
        if not PROVIDER_ID.match(sid) or reported not in ("SUCCESS", "FAIL"):
            log.warning("Tencent SMS report skipped (malformed): %.200r", item)
            continue
        success = reported == "SUCCESS"
        status = DeliveryStatus.DELIVERED.value if success else DeliveryStatus.UNDELIVERED.value
        error = None if success else (_text(item, "errmsg")[:12] or None)
        applied += services.record_delivery_status(sid, status, error)
    db.session.commit()
    log.info("Tencent SMS reports: %s received, %s applied", len(items), applied)
    return TENCENT_OK, 200
