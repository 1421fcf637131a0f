"""Password reset by SMS code or e-mailed link: whole flows, enumeration safety, expiry, reuse, limits."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.core.clock import utcnow
from app.members.models import Member, OneTimeCode
from app.notify.models import Notification
from tests.factories import DEFAULT_PASSWORD, make_member
from tests.members.helpers import text_of

PHONE = "+8613800138000"
UNKNOWN = "+8613900139000"
NEW_PASSWORD = "river barley 77"
SMS_FLASH = "If this number is registered, we sent it a 6-digit code by SMS. It works for 10 minutes."
EMAIL_FLASH = "If an account uses this e-mail address, we sent it a link to choose a new password."
LINK_REFUSED = "This link does not work: it is wrong, has expired or was already used."


def _forgot(client, identifier, **kwargs):
    return client.post("/password/forgot", data={"identifier": identifier}, **kwargs)


def _reset(client, code, phone="138 0013 8000", password=NEW_PASSWORD, confirm=None, **kwargs):
    data = {"phone": phone, "code": code, "new_password": password, "confirm": password if confirm is None else confirm}
    return client.post("/password/reset", data=data, **kwargs)


def _sms_codes(db, phone: str) -> list[str]:
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.address == phone, Notification.event == "password_reset_code")
        .order_by(Notification.id)
    ).all()
    return [re.search(r"\b(\d{6})\b", row.body).group(1) for row in rows]


def _reset_emails(db, address: str) -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.address == address, Notification.event == "password_reset")
        .order_by(Notification.id)
    ).all()


def _link_path(email: Notification) -> str:
    url = re.search(r"http://jishi\.test(/password/reset/[A-Za-z0-9_-]+)", email.body).group(1)
    assert url in email.html
    return url


def _codes(db, **where) -> list[OneTimeCode]:
    db.session.expire_all()
    query = select(OneTimeCode).order_by(OneTimeCode.id)
    for name, value in where.items():
        query = query.where(getattr(OneTimeCode, name) == value)
    return db.session.scalars(query).all()


def _age_codes(db, seconds: int) -> None:
    for row in _codes(db):
        row.created_at = row.created_at - timedelta(seconds=seconds)
    db.session.commit()


def _reload(db, member: Member) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member.id)


def _can_log_in(app, phone: str, password: str) -> bool:
    fresh = app.test_client()
    return fresh.post("/login", data={"phone": phone, "password": password}).status_code == 302


def _without_tokens(page: str) -> str:
    """The page without its per-session CSRF tokens, which differ between two visitors anyway."""
    page = re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", page)
    page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", page)


def _comparable(page: str, number: str) -> str:
    """The page without what differs between any two requests (CSRF tokens, whose signature holds a
    timestamp, and the seconds left to wait, which tick) and with the typed number blanked."""
    return re.sub(r"\b\d+ seconds\b", "N seconds", _without_tokens(page)).replace(number, "N")


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- by SMS code -------------------------------------------------------------------------------


def test_member_resets_the_password_with_an_sms_code_and_every_session_ends(app, client, db, login):
    member = make_member(phone=PHONE, phone_verified_at=None)
    other_device = app.test_client()
    login(member, other_device)
    assert other_device.get("/account").status_code == 200

    asked = _forgot(client, "138 0013 8000")
    assert asked.status_code == 302
    assert asked.location == "/password/reset?phone=%2B8613800138000"
    form = text_of(client.get(asked.location))
    assert SMS_FLASH in form
    assert 'value="+8613800138000"' in form
    [code] = _sms_codes(db, PHONE)

    response = _reset(client, code)

    assert response.status_code == 302
    assert response.location == "/login?phone=%2B8613800138000"
    assert "Your password was changed and every phone or computer was logged out." in text_of(
        client.get(response.location)
    )
    assert other_device.get("/account").status_code == 302
    assert _can_log_in(app, "13800138000", NEW_PASSWORD)
    assert not _can_log_in(app, "13800138000", DEFAULT_PASSWORD)
    # The code came by SMS to this number, so the number is verified too.
    assert _reload(db, member).phone_verified_at is not None


def test_forgot_password_link_on_the_login_page(client):
    page = text_of(client.get("/login?phone=13800138000"))

    assert 'href="/password/forgot"' in page
    assert 'value="13800138000"' in text_of(client.get("/password/forgot?phone=13800138000"))


def test_station_farmer_without_a_password_claims_the_account_by_sms(app, client, db):
    farmer = make_member(phone=PHONE, password=None, phone_verified_at=None, display_name="Farmer Li")
    assert not _can_log_in(app, "13800138000", NEW_PASSWORD)

    _forgot(client, "13800138000")
    [code] = _sms_codes(db, PHONE)
    response = _reset(client, code)

    assert response.status_code == 302
    assert _can_log_in(app, "13800138000", NEW_PASSWORD)
    assert _reload(db, farmer).phone_is_verified


def test_unknown_number_gets_the_same_answer_and_no_sms(app, db):
    make_member(phone=PHONE)
    first_visitor, second_visitor = app.test_client(), app.test_client()

    known = _forgot(first_visitor, "13800138000")
    unknown = _forgot(second_visitor, "13900139000")

    assert (known.status_code, urlsplit(known.location).path) == (unknown.status_code, urlsplit(unknown.location).path)
    assert _without_tokens(text_of(first_visitor.get(known.location))).replace("13800138000", "N") == (
        _without_tokens(text_of(second_visitor.get(unknown.location))).replace("13900139000", "N")
    )
    assert _sms_codes(db, UNKNOWN) == []
    # A row is kept for the stranger's number too, so that its limits work the same.
    [stranger_row] = _codes(db, phone=UNKNOWN)
    assert stranger_row.member_id is None


def test_a_code_typed_for_an_unknown_number_gets_the_same_error_as_a_wrong_code(client, db):
    make_member(phone=PHONE)
    # As a browser does: each answer's page is shown (and its "code sent" message with it).
    _forgot(client, "13800138000", follow_redirects=True)
    _forgot(client, "13900139000", follow_redirects=True)
    [code] = _sms_codes(db, PHONE)

    for_known = _reset(client, _wrong(code), phone="13800138000")
    for_unknown = _reset(client, _wrong(code), phone="13900139000")

    assert for_known.status_code == for_unknown.status_code == 422
    assert "This code is not right." in text_of(for_known)
    assert _comparable(text_of(for_known), "13800138000") == _comparable(text_of(for_unknown), "13900139000")


def test_repeated_requests_are_limited_alike_for_known_and_unknown_numbers(client, db):
    make_member(phone=PHONE)
    _forgot(client, "13800138000", follow_redirects=True)
    _forgot(client, "13900139000", follow_redirects=True)

    known = _forgot(client, "13800138000")
    unknown = _forgot(client, "13900139000")

    assert known.status_code == unknown.status_code == 429
    assert "seconds before asking for another code" in text_of(known)
    assert _comparable(text_of(known), "13800138000") == _comparable(text_of(unknown), "13900139000")
    assert len(_sms_codes(db, PHONE)) == 1


def test_code_works_once(app, client, db):
    make_member(phone=PHONE)
    _forgot(client, "13800138000")
    [code] = _sms_codes(db, PHONE)
    assert _reset(client, code).status_code == 302

    again = _reset(client, code, password="another secret 55")

    assert again.status_code == 422
    assert "This code has expired or was used up." in text_of(again)
    assert _can_log_in(app, "13800138000", NEW_PASSWORD)


def test_expired_code_is_refused(app, client, db):
    make_member(phone=PHONE)
    _forgot(client, "13800138000")
    [code] = _sms_codes(db, PHONE)
    [row] = _codes(db, phone=PHONE)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = _reset(client, code)

    assert response.status_code == 422
    assert "This code has expired or was used up." in text_of(response)
    assert _can_log_in(app, "13800138000", DEFAULT_PASSWORD)


def test_five_wrong_codes_kill_the_code(app, client, db):
    make_member(phone=PHONE)
    _forgot(client, "13800138000")
    [code] = _sms_codes(db, PHONE)

    statuses = [_reset(client, _wrong(code)).status_code for _ in range(5)]
    right_too_late = _reset(client, code)

    assert statuses == [422] * 5
    assert "This code has expired or was used up." in text_of(right_too_late)
    assert _can_log_in(app, "13800138000", DEFAULT_PASSWORD)


def test_guessing_one_numbers_code_from_many_addresses_is_rate_limited(client, db):
    make_member(phone=PHONE)
    _forgot(client, "13800138000")

    statuses = [
        _reset(client, "000000", environ_base={"REMOTE_ADDR": f"10.2.0.{i + 1}"}).status_code for i in range(11)
    ]

    assert statuses == [422] * 10 + [429]


def test_at_most_five_codes_per_number_per_hour(client, db):
    make_member(phone=PHONE)
    statuses = []
    for _ in range(6):
        statuses.append(_forgot(client, "13800138000").status_code)
        _age_codes(db, 61)

    limited = _forgot(client, "13800138000")

    assert statuses == [302] * 5 + [429]
    assert limited.status_code == 429
    assert "Too many codes were sent to this number. Please try again in an hour." in text_of(limited)
    assert len(_sms_codes(db, PHONE)) == 5


def test_codes_per_ip_address_are_limited(app, client, db):
    app.config["CODES_PER_IP_PER_HOUR"] = 3
    statuses = [
        _forgot(client, f"1370013700{i}", environ_base={"REMOTE_ADDR": "10.3.0.1"}).status_code for i in range(4)
    ]
    elsewhere = _forgot(client, "13700137009", environ_base={"REMOTE_ADDR": "10.3.0.2"})

    assert statuses == [302, 302, 302, 429]
    assert elsewhere.status_code == 302


def test_weak_password_is_refused_without_using_up_the_code(app, client, db):
    make_member(phone=PHONE)
    _forgot(client, "13800138000")
    [code] = _sms_codes(db, PHONE)

    weak = _reset(client, code, password="12345678")
    mismatch = _reset(client, code, confirm="something else 1")

    assert weak.status_code == mismatch.status_code == 422
    assert "The two passwords are not the same." in text_of(mismatch)
    [row] = _codes(db, phone=PHONE)
    assert (row.attempts, row.used_at) == (0, None)
    assert _reset(client, code).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"identifier": ""}, "Enter your mobile number or e-mail address."),
        ({"identifier": "not a phone"}, "Enter a valid mobile number"),
        ({"identifier": "farmer@"}, "Enter a valid e-mail address, or your mobile number."),
        ({"identifier": "x" * 5000}, "Field cannot be longer than 254 characters."),
        ({"identifier": "138\x000013\x008000"}, "Remove the invisible control characters"),
    ],
)
def test_bad_forgot_password_input_is_refused_with_a_message(client, db, data, message):
    response = client.post("/password/forgot", data=data)

    assert response.status_code == 422
    assert message in text_of(response)
    assert _codes(db) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"phone": "13800138000", "code": "12ab56", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "The code has 6 digits.",
        ),
        (
            {"phone": "nonsense", "code": "123456", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "Enter a valid mobile number",
        ),
        (
            {"phone": "13800138000", "code": "", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "Enter the code from the SMS.",
        ),
        ({"phone": "13800138000", "code": "123456", "new_password": "", "confirm": ""}, "Enter a password."),
    ],
)
def test_bad_reset_input_is_refused_with_a_message(client, db, data, message):
    response = client.post("/password/reset", data=data)

    assert response.status_code == 422
    assert message in text_of(response)


def test_reset_forms_need_a_csrf_token(client, db):
    make_member(phone=PHONE)

    assert _forgot(client, "13800138000", csrf=False).status_code == 400
    assert _codes(db) == []
    assert _reset(client, "123456", csrf=False).status_code == 400


# --- by e-mailed link --------------------------------------------------------------------------


def test_member_resets_the_password_with_an_emailed_link(app, client, db, login):
    member = make_member(phone=PHONE, email="Li.Farm@example.com", phone_verified_at=None)
    other_device = app.test_client()
    login(member, other_device)

    asked = _forgot(client, "li.farm@EXAMPLE.com")
    assert asked.status_code == 302
    assert asked.location == "/password/forgot"
    assert EMAIL_FLASH in text_of(client.get(asked.location))
    [email] = _reset_emails(db, "Li.Farm@example.com")
    assert email.subject == "Choose a new Jishi password"
    link = _link_path(email)
    [row] = _codes(db, purpose="reset_link")
    assert link.rsplit("/", 1)[1] not in row.code_hash

    opened = client.get(link)
    assert opened.status_code == 302
    assert opened.location == "/password/reset/email"
    form = client.get(opened.location)
    assert form.status_code == 200
    assert 'name="code"' not in text_of(form)
    response = client.post("/password/reset/email", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.location == "/login?phone=%2B8613800138000"
    assert other_device.get("/account").status_code == 302
    assert _can_log_in(app, "13800138000", NEW_PASSWORD)
    # An e-mail proves nothing about the phone.
    assert _reload(db, member).phone_verified_at is None


def test_emailed_link_works_once(app, client, db):
    make_member(phone=PHONE, email="li@example.com")
    _forgot(client, "li@example.com")
    link = _link_path(_reset_emails(db, "li@example.com")[0])
    client.get(link)
    client.post("/password/reset/email", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    reopened = client.get(link)
    replayed = client.post(
        "/password/reset/email", data={"new_password": "third secret 99", "confirm": "third secret 99"}
    )

    assert reopened.status_code == 400
    assert LINK_REFUSED in text_of(reopened)
    assert replayed.status_code == 400
    assert _can_log_in(app, "13800138000", NEW_PASSWORD)


def test_form_posted_twice_after_one_link_changes_the_password_once(app, client, db):
    make_member(phone=PHONE, email="li@example.com")
    _forgot(client, "li@example.com")
    client.get(_link_path(_reset_emails(db, "li@example.com")[0]))
    second_tab = app.test_client()
    with client.session_transaction() as session:
        token = session["password_reset_link"]
    with second_tab.session_transaction() as session:
        session["password_reset_link"] = token

    first = client.post("/password/reset/email", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    second = second_tab.post(
        "/password/reset/email", data={"new_password": "third secret 99", "confirm": "third secret 99"}
    )

    assert first.status_code == 302
    assert second.status_code == 400
    assert _can_log_in(app, "13800138000", NEW_PASSWORD)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:20],
        lambda token: token + "x" * 40,
        lambda token: "%00" + token[3:],
        lambda token: "..%2F..%2Fetc",
    ],
)
def test_tampered_link_is_refused(app, client, db, tamper):
    make_member(phone=PHONE, email="li@example.com")
    _forgot(client, "li@example.com")
    token = _link_path(_reset_emails(db, "li@example.com")[0]).rsplit("/", 1)[1]

    response = client.get(f"/password/reset/{tamper(token)}")

    assert response.status_code in (400, 404)
    assert client.get("/password/reset/email").status_code == 400
    assert _can_log_in(app, "13800138000", DEFAULT_PASSWORD)


def test_expired_link_is_refused_even_after_it_was_opened(app, client, db):
    make_member(phone=PHONE, email="li@example.com")
    _forgot(client, "li@example.com")
    link = _link_path(_reset_emails(db, "li@example.com")[0])
    assert client.get(link).status_code == 302
    [row] = _codes(db, purpose="reset_link")
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    opened = client.get(link)
    posted = client.post("/password/reset/email", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert opened.status_code == posted.status_code == 400
    assert LINK_REFUSED in text_of(opened)
    assert _can_log_in(app, "13800138000", DEFAULT_PASSWORD)


def test_link_expires_after_an_hour(client, db):
    make_member(phone=PHONE, email="li@example.com")
    _forgot(client, "li@example.com")

    [row] = _codes(db, purpose="reset_link")

    assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(minutes=60)


def test_unknown_email_gets_the_same_answer_and_no_email(client, db):
    make_member(phone=PHONE, email="li@example.com")

    known = _forgot(client, "li@example.com")
    unknown = _forgot(client, "nobody@example.com")

    assert (known.status_code, known.location) == (unknown.status_code, unknown.location)
    assert EMAIL_FLASH in text_of(client.get(unknown.location))
    assert _reset_emails(db, "nobody@example.com") == []
    assert len(_codes(db, email="nobody@example.com")) == 1


def test_weak_password_on_the_link_form_is_refused_and_the_link_still_works(app, client, db):
    make_member(phone=PHONE, email="li@example.com")
    _forgot(client, "li@example.com")
    client.get(_link_path(_reset_emails(db, "li@example.com")[0]))

    weak = client.post("/password/reset/email", data={"new_password": "13800138000", "confirm": "13800138000"})

    assert weak.status_code == 422
    assert (
        client.post("/password/reset/email", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )


def test_reset_by_link_retires_the_sms_code_sent_before(app, client, db):
    make_member(phone=PHONE, email="li@example.com")
    _forgot(client, "13800138000")
    [code] = _sms_codes(db, PHONE)
    _forgot(client, "li@example.com")
    client.get(_link_path(_reset_emails(db, "li@example.com")[0]))
    client.post("/password/reset/email", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    response = _reset(client, code, password="third secret 99")

    assert response.status_code == 422
    assert _can_log_in(app, "13800138000", NEW_PASSWORD)


def test_links_per_address_are_limited_alike_for_known_and_unknown_addresses(client, db):
    make_member(phone=PHONE, email="li@example.com")
    statuses = {"li@example.com": [], "nobody@example.com": []}
    for _ in range(6):
        for address, seen in statuses.items():
            seen.append(_forgot(client, address, environ_base={"REMOTE_ADDR": f"10.4.0.{len(seen) + 1}"}).status_code)
        _age_codes(db, 61)

    limited = _forgot(client, "li@example.com", environ_base={"REMOTE_ADDR": "10.4.1.1"})

    assert statuses["li@example.com"] == statuses["nobody@example.com"] == [302] * 5 + [429]
    assert "Too many links were sent to this address. Please try again in an hour." in text_of(limited)
    assert len(_reset_emails(db, "li@example.com")) == 5
