"""Sign-up: validation, neutral answers for registered numbers, storefront and language defaults."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.members.models import Member
from tests.factories import make_member
from tests.members.helpers import GOOD_PASSWORD, member_count, signup_data, text_of

NEUTRAL_FLASH = "If this number was not registered yet, your account is ready: log in."


def test_signup_creates_member_and_sends_to_login_with_phone_prefilled(client, db):
    response = client.post("/signup", data=signup_data(email="zhang@example.com", kinds=["seller", "buyer"]))

    assert response.status_code == 302
    assert response.location == "/login?phone=%2B8613800138000"
    member = db.session.scalar(select(Member))
    assert member.phone == "+8613800138000"
    assert member.display_name == "Zhang Family Farm"
    assert member.email == "zhang@example.com"
    assert (member.is_seller, member.is_buyer, member.is_station_operator, member.is_admin) == (
        True,
        True,
        False,
        False,
    )
    assert member.locale == "en"
    assert member.password_hash != GOOD_PASSWORD and member.check_password(GOOD_PASSWORD)

    page = client.get(response.location)
    assert NEUTRAL_FLASH in text_of(page)
    assert 'value="+8613800138000"' in text_of(page)


def test_new_member_can_log_in_with_the_chosen_password(client):
    client.post("/signup", data=signup_data())

    response = client.post("/login", data={"phone": "13800138000", "password": GOOD_PASSWORD})

    assert response.status_code == 302
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    "typed",
    [
        "138 0013 8000",
        "+86 138-0013-8000",
        "１３８ ００１３ ８０００",
        "＋８６１３８００１３８０００",
        "0086 13800138000",
    ],
)
def test_signup_accepts_the_ways_people_type_a_mobile_number(client, db, typed):
    response = client.post("/signup", data=signup_data(phone=typed))

    assert response.status_code == 302
    assert db.session.scalar(select(Member.phone)) == "+8613800138000"


def test_station_operator_and_buyer_kinds_are_saved(client, db):
    client.post("/signup", data=signup_data(kinds=["buyer", "station"]))

    member = db.session.scalar(select(Member))
    assert (member.is_seller, member.is_buyer, member.is_station_operator) == (False, True, True)
    assert member.storefront is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": ""}, "Enter your mobile number."),
        ({"phone": "12345"}, "Enter a valid mobile number"),
        ({"phone": "010 6552 9988"}, "Enter a valid mobile number"),  # a Beijing landline gets no SMS
        ({"phone": "not a number"}, "Enter a valid mobile number"),
        ({"phone": "1" * 5000}, "Enter a valid mobile number"),
        ({"password": "abc123", "confirm": "abc123"}, "Use at least 8 characters."),
        ({"password": "x" * 129, "confirm": "x" * 129}, "Use at most 128 characters."),
        ({"password": "12345678", "confirm": "12345678"}, "too common"),
        ({"password": "woaini1314", "confirm": "woaini1314"}, "too common"),
        ({"password": "Qwerty123", "confirm": "Qwerty123"}, "too common"),
        ({"password": "８８８８８８８８", "confirm": "８８８８８８８８"}, "too common"),
        ({"password": "19900101", "confirm": "19900101"}, "too common"),
        ({"password": "my13800138000", "confirm": "my13800138000"}, "too common"),
        ({"confirm": "something else 1"}, "The two passwords are not the same."),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"display_name": ""}, "Enter a name."),
        ({"display_name": "x" * 10_000}, "Field cannot be longer than 80 characters."),
        ({"display_name": "Zhang\x00Farm"}, "Remove the invisible control characters"),
        ({"kinds": []}, "Choose at least one."),
        ({"kinds": ["admin"]}, "Choose from the listed kinds only."),
        ({"kinds": ["seller", "admin"]}, "Choose from the listed kinds only."),
        ({"locale": "fr"}, "Not a valid choice"),
    ],
)
def test_signup_refuses_bad_input_with_a_message_beside_the_field(client, db, overrides, message):
    response = client.post("/signup", data=signup_data(**overrides))

    assert response.status_code == 422
    body = text_of(response)
    assert message in body
    assert 'class="error"' in body
    assert member_count() == 0


def test_failed_signup_keeps_what_was_typed_except_passwords(client):
    response = client.post("/signup", data=signup_data(email="bad", display_name="李家果园", kinds=["buyer"]))

    body = text_of(response)
    assert response.status_code == 422
    assert 'value="李家果园"' in body
    assert 'value="bad"' in body
    assert _checked(body, "kinds", "buyer") and not _checked(body, "kinds", "seller")
    assert GOOD_PASSWORD not in body


def test_signup_answer_is_the_same_for_a_new_and_a_registered_number(client, db):
    first = client.post("/signup", data=signup_data())
    first_page = text_of(client.get(first.location))

    second = client.post(
        "/signup", data=signup_data(password="other secret 99", confirm="other secret 99", display_name="Impostor")
    )
    second_page = text_of(client.get(second.location))

    assert (first.status_code, first.location) == (second.status_code, second.location)
    assert NEUTRAL_FLASH in first_page and NEUTRAL_FLASH in second_page
    # Nothing about the registered member changed.
    member = db.session.scalar(select(Member))
    assert member_count() == 1
    assert member.display_name == "Zhang Family Farm"
    assert member.check_password(GOOD_PASSWORD) and not member.check_password("other secret 99")


def test_signup_answer_for_an_existing_member_matches_that_of_a_new_number(client, db):
    make_member(phone="+8613900139000", display_name="Existing")

    existing = client.post("/signup", data=signup_data(phone="13900139000"))
    new = client.post("/signup", data=signup_data(phone="13700137000"))

    assert existing.status_code == new.status_code == 302
    assert existing.location == "/login?phone=%2B8613900139000"
    assert new.location == "/login?phone=%2B8613700137000"
    assert NEUTRAL_FLASH in text_of(client.get(existing.location))
    assert member_count() == 2


def test_placeholder_member_cannot_be_claimed_through_signup(client, db):
    placeholder = make_member(phone="+8613600136000", display_name="Farmer via station", password=None)

    response = client.post("/signup", data=signup_data(phone="13600136000", display_name="Someone else"))

    assert response.status_code == 302
    assert response.location == "/login?phone=%2B8613600136000"
    assert NEUTRAL_FLASH in text_of(client.get(response.location))
    db.session.refresh(placeholder)
    assert placeholder.password_hash is None
    assert placeholder.display_name == "Farmer via station"
    login = client.post("/login", data={"phone": "13600136000", "password": GOOD_PASSWORD})
    assert login.status_code == 422


def test_signup_form_defaults_language_to_the_current_locale(client):
    chinese = text_of(client.get("/signup", headers={"Accept-Language": "zh-CN,zh;q=0.9"}))
    english = text_of(client.get("/signup", headers={"Accept-Language": "en-GB"}))

    assert _checked(chinese, "locale", "zh_Hans") and not _checked(chinese, "locale", "en")
    assert _checked(english, "locale", "en") and not _checked(english, "locale", "zh_Hans")


def _checked(body: str, name: str, value: str) -> bool:
    tags = re.findall(r"<input[^>]*>", body)
    return any(f'name="{name}"' in tag and f'value="{value}"' in tag and "checked" in tag for tag in tags)


def test_signup_language_choice_becomes_the_page_language(client, db):
    response = client.post("/signup", data=signup_data(locale="zh_Hans"))

    assert db.session.scalar(select(Member.locale)) == "zh_Hans"
    assert 'lang="zh-Hans"' in text_of(client.get(response.location))


def test_logged_in_member_is_sent_home_from_signup(client, login):
    login(make_member())

    response = client.get("/signup")

    assert response.status_code == 302
    assert response.location == "/"


def test_signup_without_csrf_token_is_refused(client):
    response = client.post("/signup", data=signup_data(), csrf=False)

    assert response.status_code == 400
    assert member_count() == 0


def test_signup_is_rate_limited_per_address(client, app):
    app.config["SIGNUP_RATE_LIMIT"] = "3 per minute"
    statuses = [client.post("/signup", data=signup_data(phone=f"1370013700{i}")).status_code for i in range(4)]

    assert statuses == [302, 302, 302, 429]
    assert member_count() == 3
