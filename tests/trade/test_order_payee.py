"""The seller's payee account on the order page (issue 25): shown in full to the order's buyer
once the seller confirmed the order, with the seller's trusted-member status; never before, never
to anyone else; the seller sees it masked."""

from __future__ import annotations

from app.extensions import db
from app.members.payees import PayeeData, save_payee
from tests.factories import make_member
from tests.trade.helpers import place_order_by_buy_now, step

ACCOUNT = "6228480012345678901"


def register_payee(member) -> None:
    save_payee(member, PayeeData("王建国", "中国农业银行 周口商水支行", ACCOUNT))
    db.session.commit()


def order_page(client, login, member, order) -> tuple[int, str]:
    login(member)
    response = client.get(f"/orders/{order.id}")
    return response.status_code, response.get_data(as_text=True)


def test_buyer_sees_the_payee_only_after_the_seller_confirms(client, login, buyer, seller, sell_offer):
    register_payee(seller)
    order = place_order_by_buy_now(client, login, sell_offer, buyer)

    status, page = order_page(client, login, buyer, order)
    assert status == 200
    assert ACCOUNT not in page and "王建国" not in page
    assert "The seller's payee account is shown here once they confirm the order." in page

    assert step(client, login, order, seller, "confirm").status_code == 303
    status, page = order_page(client, login, buyer, order)
    assert 'id="payee"' in page
    assert ACCOUNT in page and "王建国" in page and "中国农业银行 周口商水支行" in page
    assert "Trusted member" in page
    assert f"Quote order {order.number} with the transfer." in page


def test_an_unverified_seller_is_shown_as_such_beside_the_payee(client, login, buyer, sell_offer):
    seller = make_member(display_name="New Farmer")
    from tests.factories import make_posting

    posting = make_posting(owner=seller, commodity="rice", unit_code="kg", price=sell_offer.price)
    register_payee(seller)
    order = place_order_by_buy_now(client, login, posting, buyer)
    step(client, login, order, seller, "confirm")
    _status, page = order_page(client, login, buyer, order)
    assert ACCOUNT in page and "not a trusted member yet" in page


def test_the_seller_sees_their_own_payee_masked_and_strangers_see_nothing(
    client, login, buyer, seller, stranger, admin, sell_offer
):
    register_payee(seller)
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    step(client, login, order, seller, "confirm")

    _status, page = order_page(client, login, seller, order)
    assert ACCOUNT not in page and "****8901" in page

    status, page = order_page(client, login, stranger, order)
    assert status == 404 and ACCOUNT not in page
    # An admin reads orders to settle disputes; the payee block is the buyer's alone.
    _status, page = order_page(client, login, admin, order)
    assert ACCOUNT not in page


def test_a_cancelled_order_hides_the_payee_again(client, login, buyer, seller, sell_offer):
    register_payee(seller)
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    step(client, login, order, seller, "confirm")
    assert step(client, login, order, seller, "cancel").status_code == 303
    _status, page = order_page(client, login, buyer, order)
    assert ACCOUNT not in page


def test_the_payee_stays_for_a_paid_order(client, login, buyer, seller, sell_offer):
    register_payee(seller)
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    step(client, login, order, seller, "confirm")
    step(client, login, order, seller, "pay")
    _status, page = order_page(client, login, buyer, order)
    assert ACCOUNT in page


def test_a_confirmed_order_without_a_payee_says_so_to_both(client, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    step(client, login, order, seller, "confirm")
    _status, page = order_page(client, login, buyer, order)
    assert "The seller has not registered a payee account." in page
    _status, page = order_page(client, login, seller, order)
    assert "You have no payee account" in page
