"""Order lists with filters, the order page, the printable delivery note with its QR code, and the
public trace page (commodity, origin, storefront, harvest date, step dates — no personal data)."""

from __future__ import annotations

import re

from app.trade.qr import qr_svg
from tests.factories import make_member
from tests.trade.helpers import place_order_by_buy_now, walk


def test_buyers_and_sellers_list_their_orders_with_filters(client, db, login, buyer, seller, sell_offer):
    first = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="10")
    second = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="20")
    walk(client, login, second, (seller, "confirm"))

    login(buyer)
    page = client.get("/orders?role=buying").get_data(as_text=True)
    assert first.number in page and second.number in page
    assert "from Farmer Wang" in page
    assert first.number not in client.get("/orders?role=selling").get_data(as_text=True)
    confirmed = client.get("/orders?role=buying&status=confirmed").get_data(as_text=True)
    assert second.number in confirmed and first.number not in confirmed

    login(seller)
    page = client.get("/orders?role=selling&status=placed").get_data(as_text=True)
    assert first.number in page and second.number not in page and "to Buyer Li" in page


def test_order_lists_ignore_nonsense_filters(client, login, buyer):
    login(buyer)
    for query in ("?role=<script>", "?status=%00", "?page=-3", "?page=abc", "?status=placed&page=99"):
        response = client.get("/orders" + query)
        assert response.status_code == 200, query
    assert client.get("/negotiations?state=whatever").status_code == 200


def test_the_order_page_shows_parties_goods_prices_delivery_and_lot(client, db, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer, quantity="10", delivery="deliver")
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    for text in (
        order.number,
        "Wang Family Farm",
        "Farmer Wang",
        "Buyer Li",
        "Fragrant rice, new crop",
        "10 kilogram",
        "¥3.50",
        "¥35.00",
        "Seller delivers",
        order.lot_code,
        "WR-2026-1",
        "Hunan",
        "Harvest date",
        "Timeline",
    ):
        assert text in page, text


def test_the_delivery_note_prints_number_lot_code_and_a_qr_code_to_the_trace_page(
    client, db, login, buyer, seller, sell_offer
):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    login(seller)
    response = client.get(f"/orders/{order.id}/print")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert order.number in page and order.lot_code in page and "¥35.00" in page
    assert f"http://jishi.test/t/{order.lot_code}" in page
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert 'class="qr"' in svg and 'role="img"' in svg
    assert "style" not in svg
    assert "style=" not in page, "the CSP forbids inline style attributes"
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_qr_code_is_a_real_code_of_the_url():
    svg = qr_svg("http://jishi.test/t/JSABCDEFGHJK", "label <x>")
    assert svg.startswith("<svg") and "label &lt;x&gt;" in svg
    assert svg.count("h1v1h-1z") > 100


def test_the_trace_page_is_public_and_shows_no_personal_data(client, db, login, buyer, seller, sell_offer):
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    walk(client, login, order, (seller, "confirm"), (seller, "pay"), (seller, "ship"))
    login_free = client.application.test_client()
    response = login_free.get(f"/t/{order.lot_code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (
        "Rice",
        "Hunan",
        "Wang Family Farm",
        "Trusted member",
        "Harvest date",
        "placed",
        "confirmed",
        "shipped",
    ):
        assert text in page, text
    for private in ("Buyer Li", buyer.phone, seller.phone, "Farmer Wang", "¥", "paid"):
        assert private not in page, private
    assert login_free.get(f"/t/{order.lot_code.lower()}").status_code == 200


def test_the_trace_page_says_when_a_seller_is_not_verified_or_has_no_storefront(client, db, login, buyer):
    from decimal import Decimal

    from tests.factories import make_posting

    plain_seller = make_member(display_name="Old Zhang")
    posting = make_posting(
        owner=plain_seller, commodity="rice", quantity=Decimal("5"), unit_code="kg", price=Decimal("3")
    )
    order = place_order_by_buy_now(client, login, posting, buyer, quantity="1")
    page = client.get(f"/t/{order.lot_code}").get_data(as_text=True)
    assert "A Jishi seller without a storefront" in page and "Old Zhang" not in page


def test_unknown_trace_codes_are_404(client):
    assert client.get("/t/NOPE").status_code == 404
    assert client.get("/t/" + "A" * 200).status_code == 404
    assert client.get("/t/%E2%9C%93").status_code == 404


def test_my_negotiations_lists_threads_with_the_other_party(client, db, login, buyer, seller, sell_offer):
    from tests.trade.helpers import start_thread

    start_thread(client, login, sell_offer, buyer)
    login(seller)
    page = client.get("/negotiations?state=open").get_data(as_text=True)
    assert "Fragrant rice, new crop" in page and "with Buyer Li" in page
    assert "Fragrant rice, new crop" not in client.get("/negotiations?state=closed").get_data(as_text=True)
    posting_page = client.get(f"/p/{sell_offer.id}").get_data(as_text=True)
    assert "Negotiations on this posting" in posting_page and "Buyer Li" in posting_page
