"""The admin members list: search by name, phone or storefront and the kind / trusted / suspended
filters; the member page gathers postings, orders, reviews, reports and verification history."""

from __future__ import annotations

from app.core.clock import utcnow
from app.extensions import db
from app.members.models import Storefront, VerificationRequest
from tests.admin.helpers import suspend
from tests.factories import make_member
from tests.trade.helpers import place_order_by_buy_now


def _names(client, query: str) -> str:
    return client.get(f"/admin/members?{query}").get_data(as_text=True)


def test_search_finds_members_by_name_phone_digits_and_storefront(client, login, admin, seller, buyer):
    station = make_member(
        display_name="Village Station",
        is_station_operator=True,
        is_seller=False,
        is_buyer=False,
        phone="+8613977712345",
    )
    login(admin)
    page = _names(client, "q=wang+family")
    assert "Farmer Wang" in page and "Buyer Li" not in page
    page = _names(client, "q=139+777")
    assert "Village Station" in page and "Farmer Wang" not in page
    assert "Buyer Li" in _names(client, "q=buyer")
    assert "Farmer Wang" in _names(client, "q=wang-farm")
    assert "1 member" in _names(client, "q=Station")
    assert station.id
    # Wildcards are literal, hostile input is harmless.
    assert "No members match." in _names(client, "q=%25_%25")
    assert client.get("/admin/members?q=" + "x" * 500 + "&kind=drop&verified=maybe&page=-3").status_code == 200


def test_filters_by_kind_trusted_and_suspended(client, login, admin, seller, buyer):
    station = make_member(display_name="Village Station", is_station_operator=True, is_seller=False, is_buyer=False)
    suspend(client, login, admin, buyer)
    login(admin)
    stations = _names(client, "kind=station")
    assert "Village Station" in stations and "Farmer Wang" not in stations
    trusted = _names(client, "verified=yes")
    assert "Farmer Wang" in trusted and "Buyer Li" not in trusted
    untrusted = _names(client, "verified=no")
    assert "Buyer Li" in untrusted and "Farmer Wang" not in untrusted
    suspended = _names(client, "suspended=yes")
    assert "Buyer Li" in suspended and "Farmer Wang" not in suspended and "Village Station" not in suspended
    not_suspended = _names(client, "suspended=no")
    assert "Buyer Li" not in not_suspended and "Farmer Wang" in not_suspended
    assert "Admin Chen" in _names(client, "kind=admin")
    assert station.id


def test_the_member_page_shows_postings_orders_reviews_reports_and_verification_history(
    client, login, admin, seller, buyer, sell_offer
):
    db.session.add(
        VerificationRequest(
            member=seller,
            licence_number="91410000MA0001",
            status="approved",
            decided_by=admin,
            decided_at=utcnow(),
            decision_reason="Licence matches",
        )
    )
    db.session.commit()
    order = place_order_by_buy_now(client, login, sell_offer, buyer)
    login(buyer)
    client.post(
        f"/p/{sell_offer.id}/report", data={"reason": "wrong_price", "details": "Price changed at the farm gate"}
    )
    login(admin)
    page = client.get(f"/admin/members/{seller.id}").get_data(as_text=True)
    for text in (
        "Fragrant rice, new crop",
        order.number,
        "Wrong or misleading price",
        "Licence matches",
        "Trusted member",
        "Wang Family Farm",
    ):
        assert text in page, text
    assert client.get("/admin/members/999999").status_code == 404
    assert db.session.get(Storefront, seller.storefront.id)
