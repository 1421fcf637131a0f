"""The offer form preselects a delivery option like buy-now does (issue 25)."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.factories import make_posting


def checked_delivery(page: str) -> list[str]:
    """The values of the delivery radio buttons that are checked."""
    return [
        match.group(1)
        for match in re.finditer(r"<input[^>]*name=\"delivery\"[^>]*>", page)
        if "checked" in match.group(0)
        for match in [re.search(r'value="([^"]+)"', match.group(0))]
    ]


def test_offer_form_preselects_buyer_collects_when_the_posting_allows_both(client, login, buyer, sell_offer):
    assert sell_offer.delivery == "either"
    login(buyer)
    page = client.get(f"/p/{sell_offer.id}/negotiate").get_data(as_text=True)
    assert checked_delivery(page) == ["collect"]


def test_offer_form_preselects_the_only_option(client, login, buyer, seller):
    posting = make_posting(
        owner=seller, commodity="rice", quantity=Decimal("30"), unit_code="kg", price=Decimal("4"), delivery="deliver"
    )
    login(buyer)
    page = client.get(f"/p/{posting.id}/negotiate").get_data(as_text=True)
    assert checked_delivery(page) == ["deliver"]


def test_buy_now_form_and_offer_form_agree_on_the_default(client, login, buyer, sell_offer):
    login(buyer)
    offer_page = client.get(f"/p/{sell_offer.id}/negotiate").get_data(as_text=True)
    buy_page = client.get(f"/p/{sell_offer.id}/buy").get_data(as_text=True)
    assert checked_delivery(offer_page) == checked_delivery(buy_page) == ["collect"]


def test_offer_without_a_delivery_is_still_refused(client, db, login, buyer, sell_offer):
    login(buyer)
    data = {"quantity": "10", "unit_price": "3.20", "message": ""}
    response = client.post(f"/p/{sell_offer.id}/negotiate", data=data)
    assert response.status_code == 422
    assert "Choose a delivery option." in response.get_data(as_text=True)
