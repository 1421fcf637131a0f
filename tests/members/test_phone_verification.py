"""Phone verification by a 6-digit SMS code: sign-up flow, wrong tries, expiry, resend and limits."""

from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from app.core.clock import utcnow
from app.members.models import Member, OneTimeCode
from app.notify.models import Notification
from app.notify.services import render_sms
from sms import templates
from tests.factories import DEFAULT_PASSWORD, make_member
from tests.members.helpers import GOOD_PASSWORD, signup_data, text_of

PHONE = "+8613800138000"


def _sms_codes(db, phone: str, event: str = "phone_code") -> list[str]:
    """The codes in the outbox SMS to ``phone``, oldest first (read the way a member reads them)."""
    rows = db.session.scalars(
        select(Notification).where(Notification.address == phone, Notification.event == event).order_by(Notification.id)
    ).all()
    return [re.search(r"\b(\d{6})\b", row.body).group(1) for row in rows]


def _codes(db, phone: str) -> list[OneTimeCode]:
    db.session.expire_all()
    return db.session.scalars(select(OneTimeCode).where(OneTimeCode.phone == phone).order_by(OneTimeCode.id)).all()


def _age_codes(db, phone: str, seconds: int) -> None:
    """Move every code of ``phone`` ``seconds`` into the past (as if the member had waited)."""
    for row in _codes(db, phone):
        row.created_at = row.created_at - timedelta(seconds=seconds)
    db.session.commit()


def _unverified_member(login, **overrides):
    return login(make_member(phone=PHONE, phone_verified_at=None, **overrides))


def _reload(db, member: Member) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member.id)


def test_new_member_gets_a_code_at_sign_up_and_lands_on_the_verify_page_after_login(client, db):
    signup = client.post("/signup", data=signup_data())
    assert signup.status_code == 302
    [code] = _sms_codes(db, PHONE)

    login = client.post("/login", data={"phone": "13800138000", "password": GOOD_PASSWORD})
    assert login.status_code == 302
    assert login.location == "/account/phone"
    page = client.get(login.location)
    assert "We sent a 6-digit code to +8613800138000" in text_of(page)

    verified = client.post("/account/phone", data={"code": code})

    assert verified.status_code == 302
    assert verified.location == "/account"
    member = db.session.scalar(select(Member).where(Member.phone == PHONE))
    assert member.phone_verified_at is not None
    account = text_of(client.get("/account"))
    assert "Your mobile number is verified." in account
    assert "Verify now" not in account


def test_sign_up_with_a_registered_number_sends_no_code_and_login_goes_home(client, db):
    make_member(phone=PHONE)

    signup = client.post("/signup", data=signup_data())
    login = client.post("/login", data={"phone": "13800138000", "password": DEFAULT_PASSWORD})

    assert signup.location == "/login?phone=%2B8613800138000"
    assert _sms_codes(db, PHONE) == []
    assert login.location == "/"


def test_unverified_member_can_skip_and_sees_verify_now_on_the_account_page(client, db, login):
    _unverified_member(login)

    account = text_of(client.get("/account"))

    assert "not verified" in account
    assert 'href="/account/phone"' in account
    page = text_of(client.get("/account/phone"))
    assert "Skip for now" in page
    assert "Send me a code by SMS to +8613800138000" in page


def test_member_asks_for_a_code_and_verifies_the_number(client, db, login):
    member = _unverified_member(login, locale="en")

    sent = client.post("/account/phone/code")

    assert sent.status_code == 302
    assert sent.location == "/account/phone"
    assert "We sent a 6-digit code to +8613800138000. It works for 10 minutes." in text_of(client.get(sent.location))
    [code] = _sms_codes(db, PHONE)
    [row] = _codes(db, PHONE)
    # Only a keyed hash is stored, never the code itself.
    assert row.member_id == member.id and row.purpose == "verify_phone"
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.requester_ip == "127.0.0.1"

    response = client.post("/account/phone", data={"code": code})

    assert response.status_code == 302
    assert _reload(db, member).phone_verified_at is not None
    assert _codes(db, PHONE)[0].used_at is not None


def test_code_typed_with_full_width_digits_and_spaces_works(client, db, login):
    member = _unverified_member(login)
    client.post("/account/phone/code")
    [code] = _sms_codes(db, PHONE)
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in code)

    response = client.post("/account/phone", data={"code": f" {full_width[:3]} {full_width[3:]} "})

    assert response.status_code == 302
    assert _reload(db, member).phone_is_verified


def test_wrong_code_is_refused_and_five_wrong_tries_kill_the_code(client, db, login):
    member = _unverified_member(login)
    client.post("/account/phone/code")
    [code] = _sms_codes(db, PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    tries = [client.post("/account/phone", data={"code": wrong}) for _ in range(5)]
    right_too_late = client.post("/account/phone", data={"code": code})

    assert [response.status_code for response in tries] == [422] * 5
    assert "This code is not right." in text_of(tries[0])
    assert "that was the last try" in text_of(tries[4])
    assert right_too_late.status_code == 422
    assert "This code has expired or was used up." in text_of(right_too_late)
    assert _codes(db, PHONE)[0].attempts == 5
    assert not _reload(db, member).phone_is_verified


def test_expired_code_is_refused(client, db, login):
    member = _unverified_member(login)
    client.post("/account/phone/code")
    [code] = _sms_codes(db, PHONE)
    [row] = _codes(db, PHONE)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = client.post("/account/phone", data={"code": code})

    assert response.status_code == 422
    assert "This code has expired or was used up." in text_of(response)
    assert not _reload(db, member).phone_is_verified


def test_code_expires_after_ten_minutes(client, db, login):
    _unverified_member(login)
    client.post("/account/phone/code")

    [row] = _codes(db, PHONE)

    assert timedelta(minutes=9, seconds=50) < row.expires_at - row.created_at <= timedelta(minutes=10)


def test_new_code_only_after_sixty_seconds_and_it_replaces_the_old_one(client, db, login):
    member = _unverified_member(login)
    client.post("/account/phone/code")

    too_soon = client.post("/account/phone/code")
    assert too_soon.status_code == 429
    assert "Please wait" in text_of(too_soon) and "seconds before asking for another code" in text_of(too_soon)
    assert len(_sms_codes(db, PHONE)) == 1

    _age_codes(db, PHONE, 61)
    again = client.post("/account/phone/code")
    assert again.status_code == 302
    old_code, new_code = _sms_codes(db, PHONE)

    if old_code != new_code:  # one chance in a million that both are the same six digits
        assert client.post("/account/phone", data={"code": old_code}).status_code == 422
    assert client.post("/account/phone", data={"code": new_code}).status_code == 302
    assert _reload(db, member).phone_is_verified


def test_at_most_five_codes_per_number_per_hour(client, db, login):
    _unverified_member(login)
    statuses = []
    for _ in range(6):
        statuses.append(client.post("/account/phone/code").status_code)
        _age_codes(db, PHONE, 61)

    assert statuses == [302] * 5 + [429]
    assert "Too many codes were sent to this number" in text_of(client.post("/account/phone/code"))
    assert len(_sms_codes(db, PHONE)) == 5

    _age_codes(db, PHONE, 3600)
    assert client.post("/account/phone/code").status_code == 302


def test_codes_per_ip_address_are_limited(app, client, db, login):
    app.config["CODES_PER_IP_PER_HOUR"] = 2
    _unverified_member(login)
    for number in ("+8613900139000", "+8613700137000"):
        client.post("/password/forgot", data={"identifier": number}, environ_base={"REMOTE_ADDR": "10.1.1.1"})

    from_same_address = client.post("/account/phone/code", environ_base={"REMOTE_ADDR": "10.1.1.1"})
    from_other_address = client.post("/account/phone/code", environ_base={"REMOTE_ADDR": "10.1.1.2"})

    assert from_same_address.status_code == 429
    assert "Too many codes were asked for from your network" in text_of(from_same_address)
    assert from_other_address.status_code == 302


def test_bad_code_input_is_refused_with_a_message(client, db, login):
    _unverified_member(login)
    client.post("/account/phone/code")

    letters = client.post("/account/phone", data={"code": "abcdef"})
    empty = client.post("/account/phone", data={"code": ""})
    too_long = client.post("/account/phone", data={"code": "1" * 5000})

    assert letters.status_code == empty.status_code == too_long.status_code == 422
    assert "The code has 6 digits." in text_of(letters)
    assert "Enter the code from the SMS." in text_of(empty)
    # Malformed input does not use up a try.
    assert _codes(db, PHONE)[0].attempts == 0


def test_code_posts_need_a_csrf_token_and_a_login(client, db, login):
    anonymous = client.post("/account/phone/code")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")

    _unverified_member(login)
    assert client.post("/account/phone/code", csrf=False).status_code == 400
    assert client.post("/account/phone", data={"code": "123456"}, csrf=False).status_code == 400
    assert _codes(db, PHONE) == []


def test_verified_member_gets_no_new_code(client, db, login):
    login(make_member(phone=PHONE))

    response = client.post("/account/phone/code")

    assert response.status_code == 409
    assert "already verified" in text_of(response)
    assert _codes(db, PHONE) == []


def test_one_members_code_does_not_verify_another_member(client, db, login):
    other = make_member(phone="+8613900139000", phone_verified_at=None)
    login(other)
    client.post("/account/phone/code")
    [code] = _sms_codes(db, "+8613900139000")
    second_client = client.application.test_client()
    member = _unverified_member(lambda m: login(m, second_client))

    response = second_client.post("/account/phone", data={"code": code})

    assert response.status_code == 422
    assert not _reload(db, member).phone_is_verified


def test_code_messages_fit_one_sms_segment_in_both_languages(app):
    for locale in ("en", "zh_Hans"):
        for template in ("phone_code", "password_reset_code"):
            with force_locale(locale):
                rendered = render_sms(template, locale, {"code": "123456", "minutes": 10})
            assert "123456" in rendered.text and rendered.params == {"code": "123456", "minutes": "10"}
            sign = app.config["SMS_SIGN_NAME"]
            allowed = templates.allowed_segments(templates.get(template), locale, sign)
            assert templates.measure(rendered.text, sign).segments <= allowed, (locale, template, rendered.text)
            assert templates.measure(rendered.text, None).segments == 1
