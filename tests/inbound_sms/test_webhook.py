"""POST /sms/inbound: Twilio signature, input checks, TwiML replies, idempotent retries, the hourly
limit and the two-segment cap on replies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.inbound_sms.models import InboundSms
from app.postings.models import Posting
from sms.segments import count_segments
from tests.factories import make_member
from tests.inbound_sms.conftest import INBOUND_URL, new_sid, reply_of, signature


def _logged() -> list[InboundSms]:
    from app.extensions import db

    return list(db.session.scalars(select(InboundSms).order_by(InboundSms.id)))


def _params(phone="+8613912340001", body="HELP", sid=None):
    return {"From": phone, "To": "+15005550006", "Body": body, "MessageSid": sid or new_sid()}


def test_signed_request_gets_twiml_reply_and_is_logged(client, db):
    params = _params(body="HELP")
    response = client.post("/sms/inbound", data=params, csrf=False, headers={"X-Twilio-Signature": signature(params)})
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.get_data(as_text=True).startswith("<?xml")
    assert "PRICE maize" in reply_of(response)
    [row] = _logged()
    assert (row.phone, row.body, row.command, row.message_sid) == (
        "+8613912340001",
        "HELP",
        "help",
        params["MessageSid"],
    )
    assert row.reply == reply_of(response)


@pytest.mark.parametrize("header", [None, "", "bm90IGEgc2lnbmF0dXJl"])
def test_missing_or_wrong_signature_is_refused_and_nothing_is_written(client, db, header):
    params = _params(body="SELL maize 5t 2100")
    headers = {} if header is None else {"X-Twilio-Signature": header}
    response = client.post("/sms/inbound", data=params, csrf=False, headers=headers)
    assert response.status_code == 403
    assert _logged() == []


def test_signature_over_other_parameters_is_refused(client, db):
    signed = _params(body="HELP")
    sent = {**signed, "Body": "STOP"}
    response = client.post("/sms/inbound", data=sent, csrf=False, headers={"X-Twilio-Signature": signature(signed)})
    assert response.status_code == 403
    assert _logged() == []


def test_signature_with_another_token_is_refused(client, db):
    params = _params()
    response = client.post(
        "/sms/inbound",
        data=params,
        csrf=False,
        headers={"X-Twilio-Signature": signature(params, token="someone-elses-token")},
    )
    assert response.status_code == 403


def test_behind_a_proxy_the_public_url_is_what_counts(client, db):
    """The app sees an internal address; Twilio signed the public one (PUBLIC_BASE_URL)."""
    params = _params()
    internal = {"base_url": "http://10.0.0.7:8000"}
    good = client.post(
        "/sms/inbound", data=params, csrf=False, headers={"X-Twilio-Signature": signature(params)}, **internal
    )
    assert good.status_code == 200
    other = _params()
    signed_for_internal = signature(other, url="http://10.0.0.7:8000/sms/inbound")
    bad = client.post(
        "/sms/inbound", data=other, csrf=False, headers={"X-Twilio-Signature": signed_for_internal}, **internal
    )
    assert bad.status_code == 403
    assert len(_logged()) == 1


@pytest.mark.parametrize("phone", ["", "not a phone", "12", "+86 10 6552 9988", "+8613800" + "1" * 40])
def test_garbage_sender_number_is_a_400(client, db, phone):
    params = _params(phone=phone)
    response = client.post("/sms/inbound", data=params, csrf=False, headers={"X-Twilio-Signature": signature(params)})
    assert response.status_code == 400
    assert _logged() == []


@pytest.mark.parametrize("sid", ["", "x", "SM../../etc", "SM" + "a" * 80])
def test_missing_or_malformed_message_sid_is_a_400(client, db, sid):
    params = _params(sid="placeholder")
    params["MessageSid"] = sid
    response = client.post("/sms/inbound", data=params, csrf=False, headers={"X-Twilio-Signature": signature(params)})
    assert response.status_code == 400
    assert _logged() == []


def test_sender_number_is_normalised(text_in, db, seller):
    national = seller.phone.removeprefix("+86")
    reply = text_in(national, "SELL maize 5t 2100 Henan")
    assert reply.startswith("Draft ")
    assert _logged()[0].phone == seller.phone
    assert _logged()[0].member_id == seller.id


def test_retried_webhook_answers_the_same_and_acts_once(text_in, db, seller):
    sid = new_sid()
    first = text_in(seller.phone, "SELL maize 5t 2100", sid=sid)
    again = text_in(seller.phone, "SELL maize 5t 2100", sid=sid)
    assert first == again and first.startswith("Draft ")
    assert db.session.scalar(select(func.count()).select_from(Posting)) == 1
    assert len(_logged()) == 1


def test_empty_body_gets_help(text_in, db):
    assert "PRICE maize" in text_in("+8613912340001", "")


def test_over_the_hourly_limit_one_warning_then_silence(app, text_in, db):
    app.config["SMS_INBOUND_PER_HOUR"] = 3
    phone = "+8613912340002"
    replies = [text_in(phone, "HELP") for _ in range(6)]
    assert all("PRICE maize" in reply for reply in replies[:3])
    assert replies[3] == "Jishi: too many messages. Please try again in an hour."
    assert replies[4:] == ["", ""]
    assert [row.command for row in _logged()] == ["help"] * 3 + ["limited"] * 3
    # Another number is not affected.
    assert "PRICE maize" in text_in("+8613912340003", "HELP")


def test_limited_messages_do_not_run_their_command(app, text_in, db, seller):
    app.config["SMS_INBOUND_PER_HOUR"] = 1
    text_in(seller.phone, "HELP")
    assert text_in(seller.phone, "SELL maize 5t 2100") == "Jishi: too many messages. Please try again in an hour."
    assert db.session.scalar(select(func.count()).select_from(Posting)) == 0


def test_messages_older_than_an_hour_do_not_count(app, text_in, db):
    app.config["SMS_INBOUND_PER_HOUR"] = 2
    phone = "+8613912340004"
    text_in(phone, "HELP")
    text_in(phone, "HELP")
    for row in _logged():
        row.created_at = row.created_at - timedelta(minutes=61)
    db.session.commit()
    assert "PRICE maize" in text_in(phone, "HELP")


def test_long_replies_are_cut_to_two_segments(text_in, db, seller):
    note = "very good dry maize from the north field " * 20
    reply = text_in(seller.phone, f"SELL maize 5t 2100 Henan {note}")
    assert count_segments(reply).segments <= 2
    long_name = make_member(display_name="Z" * 80, locale="zh_Hans")
    reply = text_in(long_name.phone, "帮助")
    assert count_segments(reply).segments <= 2


def test_long_inbound_body_is_stored_capped(text_in, db):
    text_in("+8613912340005", "HELP " + "x" * 5000)
    assert len(_logged()[0].body) == 1600


def test_inbound_url_is_the_configured_public_one():
    assert INBOUND_URL == "http://jishi.test/sms/inbound"
