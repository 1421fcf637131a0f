"""`flask members create-admin`, and the password and phone rules on their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.members.models import Member
from app.members.passwords import WeakPassword, check_password, common_passwords
from app.members.phones import normalise_phone
from tests.factories import DEFAULT_PASSWORD, make_member


def _create_admin(app, *args):
    return app.test_cli_runner().invoke(args=["members", "create-admin", *args])


def test_create_admin_command_creates_an_admin_who_can_log_in(app, client, db):
    result = _create_admin(app, "--phone", "138 0013 8000", "--name", "Operations", "--password", "harvest moon 88")

    assert result.exit_code == 0, result.output
    assert "created admin +8613800138000" in result.output
    admin = db.session.scalar(select(Member).where(Member.phone == "+8613800138000"))
    assert admin.is_admin and admin.display_name == "Operations"
    assert client.post("/login", data={"phone": "13800138000", "password": "harvest moon 88"}).status_code == 302
    assert client.get("/admin/verifications").status_code == 200


def test_create_admin_command_promotes_an_existing_member_without_touching_the_password(app, db):
    member = make_member(phone="+8613800138000")

    result = _create_admin(app, "--phone", "+8613800138000", "--name", "Ignored", "--password", "harvest moon 88")

    assert result.exit_code == 0, result.output
    assert "made admin" in result.output
    db.session.refresh(member)
    assert member.is_admin and member.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phone", "12345", "--name", "Ops", "--password", "harvest moon 88"], "not a valid mobile number"),
        (["--phone", "13800138000", "--name", "Ops", "--password", "password123"], "too common"),
        (["--phone", "13800138000", "--name", " ", "--password", "harvest moon 88"], "give a name"),
    ],
)
def test_create_admin_command_refuses_bad_input(app, db, args, message):
    result = _create_admin(app, *args)

    assert result.exit_code == 2
    assert message in result.output
    assert db.session.scalar(select(Member)) is None


def test_common_password_list_has_the_classics():
    listed = common_passwords()

    assert len(listed) >= 500
    for password in ("12345678", "password", "qwerty123", "11111111", "88888888", "iloveyou", "woaini1314", "a1234567"):
        assert password in listed


@pytest.mark.parametrize(
    "password", ["PASSWORD", "Woaini1314", "ａ１２３４５６７", "aaaaaaaaaa", "abababab", "20240229", "13800138000"]
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        check_password(password, phone="+8613800138000")


@pytest.mark.parametrize(
    "password", ["tall maize 2026", "红高粱丰收了2026", ("long walk to the field " * 6)[:128], "Correct Horse Battery"]
)
def test_reasonable_passwords_are_accepted(password):
    check_password(password, phone="+8613800138000")


@pytest.mark.parametrize(
    ("typed", "region", "expected"),
    [
        ("138 0013 8000", "CN", "+8613800138000"),
        ("１３８００１３８０００", "CN", "+8613800138000"),
        ("+1 650 253 0000", "CN", "+16502530000"),
        ("(650) 253-0000", "US", "+16502530000"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(typed, region, expected):
    assert normalise_phone(typed, region) == expected


@pytest.mark.parametrize("typed", ["", "12345", "010 6552 9988", "+86 138", "x" * 41, None])
def test_landlines_and_nonsense_are_not_mobile_numbers(typed):
    with pytest.raises(ValueError):
        normalise_phone(typed, "CN")
