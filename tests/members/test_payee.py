"""The seller's payee account settings (issue 25): owner only, CSRF, the account number checked and
shown masked to its owner, never on a public page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.clock import utcnow
from app.members.models import Payee
from app.members.payees import normalise_account_number
from tests.factories import make_member, make_posting

ACCOUNT = "6228480012345678901"


def payee_data(**changes) -> dict:
    data = {
        "holder_name": "王建国",
        "bank_name": "中国农业银行 周口商水支行",
        "account_number": "6228 4800 1234 5678 901",
    }
    data.update(changes)
    return data


def payee_rows(db) -> int:
    return db.session.scalar(select(func.count(Payee.id)))


def test_seller_registers_a_payee_and_sees_it_masked(client, db, login):
    seller = login(make_member(display_name="Farmer Wang"))
    response = client.post("/account/payee", data=payee_data())
    assert response.status_code == 303
    payee = db.session.scalar(select(Payee).where(Payee.member_id == seller.id))
    assert (payee.holder_name, payee.account_number) == ("王建国", ACCOUNT)

    page = client.get("/account/payee").get_data(as_text=True)
    assert "****8901" in page
    assert ACCOUNT not in page and "6228 4800" not in page
    assert "王建国" in page


def test_changing_the_payee_replaces_it(client, db, login):
    seller = login(make_member())
    client.post("/account/payee", data=payee_data())
    client.post("/account/payee", data=payee_data(account_number="１２３４５６７８９０１２"))
    assert payee_rows(db) == 1
    assert db.session.scalar(select(Payee.account_number).where(Payee.member_id == seller.id)) == "123456789012"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"account_number": "1234"}, "8 to 30 digits"),
        ({"account_number": "6228-abcd-1234-5678"}, "8 to 30 digits"),
        ({"account_number": "1" * 31}, "8 to 30 digits"),
        ({"account_number": "+8612345678"}, "8 to 30 digits"),
        ({"account_number": ""}, "Enter the account number."),
        ({"holder_name": ""}, "Enter the name on the account."),
        ({"bank_name": "x" * 81}, "Field cannot be longer than 80 characters."),
        ({"holder_name": "Wang\x00"}, "Remove the invisible control characters"),
    ],
)
def test_bad_payee_input_is_refused_beside_the_field(client, db, login, changes, message):
    login(make_member())
    response = client.post("/account/payee", data=payee_data(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert payee_rows(db) == 0


def test_payee_form_needs_a_csrf_token_and_a_login(client, db, login):
    assert client.get("/account/payee").status_code == 302
    assert client.post("/account/payee", data=payee_data()).status_code == 302
    login(make_member())
    assert client.post("/account/payee", data=payee_data(), csrf=False).status_code == 400
    assert payee_rows(db) == 0


def test_a_member_only_ever_changes_their_own_payee(client, db, login):
    owner = make_member()
    login(owner)
    client.post("/account/payee", data=payee_data())
    login(make_member())
    # The other member's page shows an empty form, not the owner's payee.
    page = client.get("/account/payee").get_data(as_text=True)
    assert "王建国" not in page and "****8901" not in page
    client.post("/account/payee/remove")
    assert db.session.scalar(select(Payee.member_id)) == owner.id


def test_removing_the_payee(client, db, login):
    login(make_member())
    client.post("/account/payee", data=payee_data())
    assert client.post("/account/payee/remove").status_code == 303
    assert payee_rows(db) == 0


def test_a_suspended_member_cannot_register_a_payee(client, db, login):
    from datetime import timedelta

    login(make_member(suspended_until=utcnow() + timedelta(days=3)))
    assert client.post("/account/payee", data=payee_data()).status_code == 403
    assert payee_rows(db) == 0


def test_the_payee_never_appears_on_public_pages(client, db, login):
    seller = login(make_member(display_name="Farmer Wang", verified_at=utcnow()))
    client.post("/account/payee", data=payee_data())
    posting = make_posting(owner=seller, title="Maize")
    client.post("/account/storefront", data={"name": "Wang Farm", "slug": "wang-farm", "about": ""})
    for path in (f"/p/{posting.id}", "/s/wang-farm", "/market", "/account"):
        page = client.get(path).get_data(as_text=True)
        assert ACCOUNT not in page and "8901" not in page, path


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("6228 4800 1234 5678 901", ACCOUNT),
        ("6228-4800-1234-5678-901", ACCOUNT),
        ("１２３４５６７８", "12345678"),
        ("1234567", None),
        ("12345678a", None),
        ("", None),
        (None, None),
        ("١٢٣٤٥٦٧٨", None),  # Arabic-Indic digits are digits to Python, not to a bank
    ],
)
def test_account_numbers_are_read_as_digits(text, digits):
    assert normalise_account_number(text) == digits
