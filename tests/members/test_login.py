"""Login, remember-me, safe redirects, generic errors and rate limits."""

from __future__ import annotations

import re

import pytest

from tests.factories import DEFAULT_PASSWORD, make_member
from tests.members.helpers import text_of

GENERIC_ERROR = "Wrong mobile number or password."


def _login(client, phone="13800000001", password=DEFAULT_PASSWORD, **extra):
    return client.post("/login", data={"phone": phone, "password": password, **extra})


def test_member_logs_in_with_mobile_number_and_password(client):
    member = make_member(phone="+8613800138000", display_name="Wang Wei")

    response = _login(client, phone="138 0013 8000")

    assert response.status_code == 302
    assert response.location == "/"
    assert "Welcome, Wang Wei." in text_of(client.get("/"))
    page = client.get("/account")
    assert page.status_code == 200
    assert member.phone in text_of(page)


def test_login_accepts_full_width_digits(client):
    make_member(phone="+8613800138000")

    assert _login(client, phone="１３８００１３８０００").status_code == 302


@pytest.mark.parametrize(
    ("phone", "password"),
    [
        ("13800138000", "wrong password 1"),  # registered number, wrong password
        ("13900139000", DEFAULT_PASSWORD),  # nobody has this number
        ("13600136000", DEFAULT_PASSWORD),  # placeholder created by an info-station, no password
        ("not a phone", DEFAULT_PASSWORD),
        ("13800138000", "x" * 5000),
    ],
)
def test_failed_login_gives_the_same_generic_error(client, phone, password):
    make_member(phone="+8613800138000")
    make_member(phone="+8613600136000", password=None)

    response = _login(client, phone=phone, password=password)

    assert response.status_code == 422
    assert GENERIC_ERROR in text_of(response)
    assert client.get("/account").status_code == 302


def test_failed_login_pages_are_identical_for_wrong_password_and_unknown_number(client):
    make_member(phone="+8613800138000")

    wrong_password = text_of(_login(client, phone="13800138000", password="not it at all"))
    unknown_number = text_of(_login(client, phone="13800138000".replace("138", "139", 1), password="not it at all"))

    def strip_variable_parts(body: str) -> str:
        body = re.sub(r'value="[^"]*"', 'value=""', body)
        return re.sub(r'"X-CSRFToken": "[^"]*"', "", body)

    assert strip_variable_parts(wrong_password) == strip_variable_parts(unknown_number)


def test_empty_login_form_shows_messages_beside_fields(client):
    response = client.post("/login", data={"phone": "", "password": ""})

    assert response.status_code == 422
    assert "Enter your mobile number." in text_of(response)
    assert "Enter your password." in text_of(response)


def test_remember_me_sets_a_long_lived_cookie(client):
    make_member(phone="+8613800138000")

    response = _login(client, phone="13800138000", remember="y")

    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "Expires=" in c and "HttpOnly" in c for c in cookies)


def test_without_remember_me_no_remember_cookie_is_set(client):
    make_member(phone="+8613800138000")

    response = _login(client, phone="13800138000")

    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_remember_cookie_alone_logs_the_member_back_in(app, client):
    make_member(phone="+8613800138000")
    _login(client, phone="13800138000", remember="y")
    remember = client.get_cookie("remember_token").value

    fresh_browser = app.test_client()
    fresh_browser.set_cookie("remember_token", remember)

    assert fresh_browser.get("/account").status_code == 200


def test_login_follows_a_local_next_page(client):
    make_member(phone="+8613800138000")

    page = client.get("/account")
    assert page.status_code == 302 and page.location == "/login?next=%2Faccount"
    form = text_of(client.get(page.location))
    assert 'value="/account"' in form

    response = _login(client, phone="13800138000", next="/account")
    assert response.location == "/account"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "/a\r\nSet-Cookie: x=1",
        "/acc\x00ount",
    ],
)
def test_login_ignores_a_next_page_on_another_site(client, target):
    make_member(phone="+8613800138000")

    response = _login(client, phone="13800138000", next=target)

    assert response.status_code == 302
    assert response.location == "/"


def test_login_without_csrf_token_is_refused(client):
    make_member(phone="+8613800138000")

    response = client.post("/login", data={"phone": "13800138000", "password": DEFAULT_PASSWORD}, csrf=False)

    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_eleventh_login_attempt_in_a_minute_is_refused(client):
    make_member(phone="+8613800138000")

    statuses = [_login(client, phone="13800138000", password=f"guess number {i}").status_code for i in range(10)]
    eleventh = _login(client, phone="13800138000")  # even the right password is not tried

    assert statuses == [422] * 10
    assert eleventh.status_code == 429
    assert "Too many attempts" in text_of(eleventh)
    assert client.get("/account").status_code == 302


def test_guessing_one_account_from_many_addresses_is_limited_per_account(client):
    make_member(phone="+8613800138000")
    make_member(phone="+8613900139000")

    statuses = [
        client.post(
            "/login",
            data={"phone": "+86 138 0013 8000" if i % 2 else "13800138000", "password": f"guess {i}"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"},
        ).status_code
        for i in range(11)
    ]
    other_account = client.post(
        "/login", data={"phone": "13900139000", "password": DEFAULT_PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.1.1"}
    )

    assert statuses == [422] * 10 + [429]
    assert other_account.status_code == 302


def test_logged_in_member_visiting_login_goes_home(client, login):
    login(make_member())

    assert client.get("/login").location == "/"


def test_welcome_is_in_the_members_language_like_the_page_they_land_on(client):
    """The browser asks for Chinese; the member chose English: page and welcome are both English."""
    make_member(phone="+8613800138000", display_name="Green Valley Foods", locale="en")
    chinese = {"Accept-Language": "zh-CN,zh;q=0.9"}

    assert "登录" in text_of(client.get("/login", headers=chinese))
    response = client.post("/login", data={"phone": "13800138000", "password": DEFAULT_PASSWORD}, headers=chinese)
    assert response.status_code == 302
    home = text_of(client.get("/", headers=chinese))
    assert "Welcome, Green Valley Foods." in home
    assert "欢迎" not in home


def test_welcome_follows_a_language_chosen_before_logging_in(client):
    make_member(phone="+8613800138000", display_name="绿谷食品", locale="en")
    with client.session_transaction() as session:
        session["locale"] = "zh_Hans"
    client.post("/login", data={"phone": "13800138000", "password": DEFAULT_PASSWORD})
    home = text_of(client.get("/"))
    assert "欢迎您，绿谷食品。" in home
    assert "Welcome" not in home
