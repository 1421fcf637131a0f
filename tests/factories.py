"""Factories that build real rows through the same code paths the app uses."""

from __future__ import annotations

import itertools

from app.core.clock import utcnow
from app.extensions import db
from app.members.models import Member

DEFAULT_PASSWORD = "green-fields-2026"
_phone_numbers = itertools.count(13800000001)
_tracking_numbers = itertools.count(100001)


def next_phone() -> str:
    return f"+86{next(_phone_numbers)}"


def make_member(**overrides) -> Member:
    """A member who can log in with DEFAULT_PASSWORD and whose phone is verified (gets SMS);
    overrides set any column (``phone_verified_at=None`` for an unverified number). An information
    station is one an admin approved unless ``station_review`` says otherwise ("pending", "refused")."""
    password = overrides.pop("password", DEFAULT_PASSWORD)
    if overrides.get("is_station_operator"):
        overrides.setdefault("station_review", "approved")
        overrides.setdefault("station_reviewed_at", utcnow())
    values = {
        "phone": next_phone(),
        "display_name": "Test Member",
        "is_seller": True,
        "is_buyer": True,
        "phone_verified_at": utcnow(),
    }
    values.update(overrides)
    member = Member(**values)
    if password is not None:
        member.set_password(password)
    db.session.add(member)
    db.session.commit()
    return member


def make_posting(owner=None, commodity="maize", kind="sell", **overrides):
    """An active posting (a draft with ``publish=False``) created through postings.services.

    ``commodity`` is a slug or any name/alias; ``overrides`` set any PostingData field (quantity,
    unit_code, price — None for negotiable —, province_code, title …) plus ``publish``,
    ``via_station``, ``photos`` (StoredImage list) and ``today``.
    """
    from decimal import Decimal

    from app.catalogue.services import find_commodity
    from app.postings.services import PostingData, create_posting

    owner = owner or make_member(display_name="Test Farmer")
    found = find_commodity(commodity)
    assert found is not None, f"unknown commodity {commodity!r}"
    options = {name: overrides.pop(name) for name in ("publish", "via_station", "photos", "today") if name in overrides}
    values = {
        "kind": kind,
        "commodity_id": found.id,
        "title": f"{found.name_en} for sale" if kind == "sell" else f"Wanted: {found.name_en}",
        "quantity": Decimal("10"),
        "unit_code": found.default_unit_code,
        "price": Decimal("2500.00"),
        "province_code": "41",
    }
    values.update(overrides)
    posting = create_posting(owner, PostingData(**values), **options)
    db.session.commit()
    return posting


def make_negotiation(
    posting, member, quantity="10", unit_price="3.20", delivery="collect", message="", lot_posting_id=None
):
    """``member`` opens a negotiation on ``posting`` (an offer on a sell offer, a quote on a buy
    request) through trade.negotiations.start_negotiation, committed. Returns the Negotiation."""
    from decimal import Decimal

    from app.trade.negotiations import OfferTerms, start_negotiation

    terms = OfferTerms(
        quantity=Decimal(str(quantity)), unit_price=Decimal(str(unit_price)), delivery=delivery, message=message
    )
    negotiation = start_negotiation(posting, member, terms, lot_posting_id=lot_posting_id)
    db.session.commit()
    return negotiation


# The steps (actor, action) that bring a bought-now order to each status, in order.
ORDER_PATH = {
    "placed": (),
    "confirmed": (("seller", "confirm"),),
    "paid": (("seller", "confirm"), ("seller", "pay")),
    "shipped": (("seller", "confirm"), ("seller", "pay"), ("seller", "ship")),
    "delivered": (("seller", "confirm"), ("seller", "pay"), ("seller", "ship"), ("buyer", "deliver")),
    "completed": (
        ("seller", "confirm"),
        ("seller", "pay"),
        ("seller", "ship"),
        ("buyer", "deliver"),
        ("buyer", "complete"),
    ),
    "cancelled": (("buyer", "cancel"),),
}


def make_order(posting=None, buyer=None, quantity="10", delivery="collect", status="placed"):
    """An order bought now from ``posting`` (a fixed-price sell offer; a new one when None) by
    ``buyer`` through trade.orders.buy_now, then moved to ``status`` (a key of ORDER_PATH) by the
    parties' steps through orders.change_order_status, committed after each step. Returns the Order."""
    from decimal import Decimal

    from app.trade.orders import buy_now, change_order_status

    posting = posting or make_posting(commodity="rice", unit_code="kg", quantity=Decimal("100"), price=Decimal("3.50"))
    buyer = buyer or make_member(display_name="Test Buyer")
    order = buy_now(posting, buyer, Decimal(str(quantity)), delivery)
    db.session.commit()
    parties = {"buyer": buyer, "seller": db.session.get(Member, order.seller_id)}
    for role, action in ORDER_PATH[status]:
        change_order_status(order, action, parties[role])
        db.session.commit()
    return order


def make_shipment(order, method="carrier", **details):
    """The seller arranges a shipment for ``order`` (confirmed or later) through
    logistics.services.create_shipment, committed. ``details`` set any ShipmentDetails field; a
    carrier shipment defaults to SF Express with a fresh tracking number. Returns the Shipment."""
    from app.logistics.services import ShipmentDetails, create_shipment

    values = {"method": method, "destination": "Canteen, 8 Market Rd"}
    if method == "carrier":
        values.update(carrier="sf-express", tracking_number=f"SF{next(_tracking_numbers)}")
    values.update(details)
    shipment = create_shipment(order, db.session.get(Member, order.seller_id), ShipmentDetails(**values))
    db.session.commit()
    return shipment
