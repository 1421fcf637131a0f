"""Logout everywhere, password change, profile edit."""

from __future__ import annotations

from sqlalchemy import select

from app.members.models import Member, Storefront
from tests.factories import DEFAULT_PASSWORD, make_member
from tests.members.helpers import text_of

NEW_PASSWORD = "ripe peaches 31"


def _real_login(client, member, remember=False):
    data = {"phone": member.phone, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def test_logout_needs_a_post_with_csrf_token(client, login):
    login(make_member())

    assert client.get("/logout").status_code == 405
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/account").status_code == 200


def test_logout_ends_the_session(client, login):
    login(make_member())

    response = client.post("/logout")

    assert response.status_code == 302 and response.location == "/"
    assert "You are logged out." in text_of(client.get("/"))
    assert client.get("/account").status_code == 302


def test_copied_session_and_remember_cookies_stop_working_after_logout(app, client, db):
    member = make_member()
    _real_login(client, member, remember=True)
    old_session = client.get_cookie("session").value
    old_remember = client.get_cookie("remember_token").value
    old_token = member.session_token

    client.post("/logout")

    db.session.refresh(member)
    assert member.session_token != old_token
    stolen_session = app.test_client()
    stolen_session.set_cookie("session", old_session)
    assert stolen_session.get("/account").status_code == 302
    stolen_remember = app.test_client()
    stolen_remember.set_cookie("remember_token", old_remember)
    assert stolen_remember.get("/account").status_code == 302


def test_logout_logs_out_every_device(app, client, login):
    member = make_member()
    login(member)
    other_device = app.test_client()
    login(member, other_device)
    assert other_device.get("/account").status_code == 200

    client.post("/logout")

    assert other_device.get("/account").status_code == 302


def test_password_change_keeps_this_browser_and_ends_other_sessions(app, client, db, login):
    member = make_member()
    login(member)
    other_device = app.test_client()
    login(member, other_device)

    response = client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response.location == "/account"
    assert "Your password was changed." in text_of(client.get("/account"))
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    db.session.refresh(member)
    assert member.check_password(NEW_PASSWORD) and not member.check_password(DEFAULT_PASSWORD)


def test_password_change_renews_the_remember_cookie_of_this_browser(app, client):
    member = make_member()
    _real_login(client, member, remember=True)
    old_remember = client.get_cookie("remember_token").value

    client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    new_remember = client.get_cookie("remember_token").value
    assert new_remember != old_remember
    fresh_browser = app.test_client()
    fresh_browser.set_cookie("remember_token", new_remember)
    assert fresh_browser.get("/account").status_code == 200


def test_old_password_no_longer_logs_in_after_change(app, client, login):
    member = make_member()
    login(member)
    client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    browser = app.test_client()

    assert browser.post("/login", data={"phone": member.phone, "password": DEFAULT_PASSWORD}).status_code == 422
    assert browser.post("/login", data={"phone": member.phone, "password": NEW_PASSWORD}).status_code == 302


def test_password_change_refuses_a_wrong_current_password(client, db, login):
    member = make_member()
    login(member)
    token = member.session_token

    response = client.post(
        "/account/password",
        data={"current_password": "not my password", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )

    assert response.status_code == 422
    assert "This is not your current password." in text_of(response)
    db.session.refresh(member)
    assert member.check_password(DEFAULT_PASSWORD) and member.session_token == token


def test_password_change_applies_the_same_rules_as_signup(client, login):
    login(make_member(phone="+8613800138000"))

    common = client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": "iloveyou", "confirm": "iloveyou"},
    )
    phone = client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": "x13800138000", "confirm": "x13800138000"},
    )
    mismatch = client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": "other"},
    )
    short = client.post(
        "/account/password", data={"current_password": DEFAULT_PASSWORD, "new_password": "short", "confirm": "short"}
    )

    assert common.status_code == phone.status_code == mismatch.status_code == short.status_code == 422
    assert "too common" in text_of(common) and "too common" in text_of(phone)
    assert "The two passwords are not the same." in text_of(mismatch)
    assert "Use at least 8 characters." in text_of(short)


def test_account_pages_need_login(client):
    for path in ("/account", "/account/password", "/account/verification", "/account/storefront"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")


def test_profile_edit_saves_name_email_kinds_and_language(client, db, login):
    member = make_member(is_seller=True, is_buyer=False)
    login(member)

    response = client.post(
        "/account",
        data={
            "display_name": "Li Orchard",
            "email": "li@example.com",
            "kinds": ["buyer", "station"],
            "locale": "zh_Hans",
        },
    )

    assert response.status_code == 302 and response.location == "/account"
    db.session.refresh(member)
    assert (member.display_name, member.email, member.locale) == ("Li Orchard", "li@example.com", "zh_Hans")
    assert (member.is_seller, member.is_buyer, member.is_station_operator) == (False, True, True)
    assert 'lang="zh-Hans"' in text_of(client.get("/account"))


def test_profile_form_shows_current_values(client, login):
    login(make_member(display_name="Chen Rice Co-op", email="chen@example.com", is_seller=True, is_buyer=False))

    body = text_of(client.get("/account"))

    assert 'value="Chen Rice Co-op"' in body and 'value="chen@example.com"' in body


def test_profile_edit_refuses_bad_input_and_keeps_the_saved_profile(client, db, login):
    member = make_member(display_name="Saved Name")
    login(member)

    no_kind = client.post("/account", data={"display_name": "New Name", "email": "", "kinds": [], "locale": "en"})
    admin = client.post("/account", data={"display_name": "New Name", "email": "", "kinds": ["admin"], "locale": "en"})
    nul = client.post(
        "/account", data={"display_name": "New\x00Name", "email": "", "kinds": ["seller"], "locale": "en"}
    )
    email = client.post(
        "/account", data={"display_name": "New Name", "email": "no at sign", "kinds": ["seller"], "locale": "en"}
    )

    assert [r.status_code for r in (no_kind, admin, nul, email)] == [422] * 4
    assert "Choose at least one." in text_of(no_kind)
    assert "Choose from the listed kinds only." in text_of(admin)
    assert 'value="New Name"' in text_of(no_kind)
    db.session.refresh(member)
    assert member.display_name == "Saved Name" and not member.is_admin


def test_admin_keeps_admin_rights_and_may_choose_no_kind(client, db, login):
    admin = make_member(is_admin=True, is_seller=False, is_buyer=False)
    login(admin)

    response = client.post("/account", data={"display_name": "Ops", "email": "", "locale": "en"})

    assert response.status_code == 302
    db.session.refresh(admin)
    assert admin.is_admin and admin.display_name == "Ops"


def test_becoming_a_seller_opens_a_storefront(client, db, login):
    member = make_member(display_name="Guo Tea Garden", is_seller=False, is_buyer=True)
    login(member)

    client.post(
        "/account", data={"display_name": "Guo Tea Garden", "email": "", "kinds": ["seller", "buyer"], "locale": "en"}
    )

    storefront = db.session.scalar(select(Storefront).where(Storefront.member_id == member.id))
    assert storefront is not None and storefront.slug == "guo-tea-garden"


def test_profile_without_csrf_token_is_refused(client, db, login):
    member = make_member(display_name="Saved Name")
    login(member)

    response = client.post(
        "/account", data={"display_name": "Changed", "kinds": ["seller"], "locale": "en"}, csrf=False
    )

    assert response.status_code == 400
    assert db.session.scalar(select(Member.display_name).where(Member.id == member.id)) == "Saved Name"
