"""Whose account is it? (issue 25). The trusted badge vouches for the name on a licence or ID card
an admin checked, not for a bank account: the order page tells the confirmed buyer whether the
payee's account holder is that verified name, warns clearly (en and zh) when it is someone else,
says the payee is unverified when the seller has no badge, and shows none of it to anyone else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.clock import utcnow
from app.extensions import db
from app.members.models import VerificationRequest
from app.members.payees import PayeeData, same_name, save_payee
from tests.factories import make_member, make_posting
from tests.trade.helpers import place_order_by_buy_now, step

ACCOUNT = "6228480012345678901"
WARNING_EN = "The account holder is not the verified member."
WARNING_ZH = "收款账户的户名不是已认证的会员。"


def register_payee(member, holder: str) -> None:
    save_payee(member, PayeeData(holder, "中国农业银行 周口商水支行", ACCOUNT))
    db.session.commit()


def page_of(client, login, member, order, lang: str = "en") -> tuple[int, str]:
    login(member)
    response = client.get(f"/orders/{order.id}", headers={"Accept-Language": lang})
    return response.status_code, response.get_data(as_text=True)


def verify_through_the_site(client, login, seller, admin, legal_name: str) -> None:
    """The seller asks for the badge with the name on their licence; an admin approves it."""
    login(seller)
    response = client.post(
        "/account/verification",
        data={"legal_name": legal_name, "licence_number": "91411622MA9XXXX01K", "note": ""},
    )
    assert response.status_code == 302
    request = db.session.scalars(select(VerificationRequest).where(VerificationRequest.member_id == seller.id)).one()
    assert request.legal_name == legal_name
    login(admin)
    assert client.post(f"/admin/verifications/{request.id}", data={"decision": "approve"}).status_code == 302


@pytest.fixture
def new_seller(db):
    """A seller without the badge yet, selling rice."""
    member = make_member(display_name="Liu Co-op")
    posting = make_posting(owner=member, commodity="rice", unit_code="kg", price=Decimal("3.50"))
    return member, posting


def confirmed_order(client, login, posting, buyer, seller):
    order = place_order_by_buy_now(client, login, posting, buyer)
    assert step(client, login, order, seller, "confirm").status_code == 303
    return order


def test_a_trusted_sellers_payee_held_by_someone_else_is_a_clear_warning_to_the_buyer(
    client, login, buyer, stranger, admin, new_seller
):
    seller, posting = new_seller
    verify_through_the_site(client, login, seller, admin, "周口刘家庄果粮合作社")
    register_payee(seller, "王建国")
    order = place_order_by_buy_now(client, login, posting, buyer)

    # Placed, not confirmed: neither the account nor the warning.
    _status, page = page_of(client, login, buyer, order)
    assert ACCOUNT not in page and WARNING_EN not in page

    step(client, login, order, seller, "confirm")
    status, page = page_of(client, login, buyer, order)
    assert status == 200 and ACCOUNT in page
    assert WARNING_EN in page and 'class="error-box payee-holder-differs" role="alert"' in page
    assert "Jishi checked the licence or ID card of 周口刘家庄果粮合作社. This account is held by 王建国." in page
    _status, page = page_of(client, login, buyer, order, lang="zh")
    assert (
        WARNING_ZH in page and "集市核验过 周口刘家庄果粮合作社 的营业执照或身份证，这个账户的户名却是 王建国。" in page
    )

    # The seller reads it on their side, with the account masked (the order and the payee settings
    # page); nobody else sees any of it.
    _status, page = page_of(client, login, seller, order)
    assert "Your payee account is held by 王建国, not by 周口刘家庄果粮合作社" in page
    assert ACCOUNT not in page and "****8901" in page
    settings = client.get("/account/payee").get_data(as_text=True)
    assert "Your payee account is held by 王建国, not by 周口刘家庄果粮合作社" in settings
    for other in (stranger, admin):
        _status, page = page_of(client, login, other, order)
        assert ACCOUNT not in page and WARNING_EN not in page and "王建国" not in page
    client.post("/logout")
    response = client.get(f"/orders/{order.id}")
    assert response.status_code in (302, 401) and "王建国" not in response.get_data(as_text=True)


def test_a_payee_in_the_verified_name_is_said_to_match(client, login, buyer, admin, new_seller):
    seller, posting = new_seller
    verify_through_the_site(client, login, seller, admin, "刘家庄 果粮合作社")
    register_payee(seller, "刘家庄果粮合作社")  # the same name, spaced differently
    order = confirmed_order(client, login, posting, buyer, seller)
    _status, page = page_of(client, login, buyer, order)
    assert "The account holder is the name on the licence or ID card Jishi checked." in page
    assert WARNING_EN not in page
    _status, page = page_of(client, login, seller, order)
    assert "Your payee account is held by" not in page


def test_an_unverified_sellers_payee_is_shown_as_unverified(client, login, buyer, new_seller):
    seller, posting = new_seller
    register_payee(seller, "王建国")
    order = confirmed_order(client, login, posting, buyer, seller)
    _status, page = page_of(client, login, buyer, order)
    assert ACCOUNT in page and "not a trusted member yet" in page
    assert "Unverified payee: Jishi has not checked who this seller is or who holds this account." in page
    assert WARNING_EN not in page
    _status, page = page_of(client, login, buyer, order, lang="zh")
    assert "未核验的收款人" in page


def test_a_seller_trusted_before_names_were_recorded_is_not_called_a_match(client, login, buyer, seller, sell_offer):
    """The fixture's seller got the badge from a request without a name (as before migration 0036)."""
    db.session.add(
        VerificationRequest(member=seller, licence_number="91410100MA44XXXX1K", status="approved", decided_at=utcnow())
    )
    db.session.commit()
    register_payee(seller, "王建国")
    order = confirmed_order(client, login, sell_offer, buyer, seller)
    _status, page = page_of(client, login, buyer, order)
    assert "Jishi has no verified name on record to compare with the account holder." in page
    assert WARNING_EN not in page and "The account holder is the name" not in page


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("张三", "张 三", True),
        ("Liu Wei", "LIU·WEI", True),
        ("刘家庄果粮合作社（有限公司）", "刘家庄果粮合作社(有限公司)", True),
        ("张三", "张四", False),
        ("", "", False),
        ("王建国", None, False),
    ],
)
def test_names_are_compared_without_spacing_dots_case_or_full_width_forms(first, second, same):
    assert same_name(first, second) is same
