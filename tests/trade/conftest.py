"""Trade test data: a verified seller with a storefront and a fixed-price sell offer, a buyer with a
buy request, a stranger and an admin. Steps that drive the app live in tests/trade/helpers.py."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.members.models import Storefront
from app.models_common import utcnow
from app.postings.services import local_today
from tests.factories import make_member, make_posting


@pytest.fixture
def seller(db):
    member = make_member(display_name="Farmer Wang", verified_at=utcnow())
    db.session.add(Storefront(member=member, slug="wang-farm", name="Wang Family Farm", province_code="41"))
    db.session.commit()
    return member


@pytest.fixture
def buyer(db):
    return make_member(display_name="Buyer Li")


@pytest.fixture
def stranger(db):
    return make_member(display_name="Nosy Zhao")


@pytest.fixture
def admin(db):
    return make_member(display_name="Admin Chen", is_admin=True)


@pytest.fixture
def sell_offer(seller):
    """100 kg of rice at ¥3.50/kg, delivery either way, with a lot code and a harvest date."""
    return make_posting(
        owner=seller,
        commodity="rice",
        title="Fragrant rice, new crop",
        quantity=Decimal("100"),
        unit_code="kg",
        price=Decimal("3.50"),
        province_code="43",
        lot_code="WR-2026-1",
        harvest_date=local_today() - timedelta(days=10),
    )


@pytest.fixture
def buy_request(buyer):
    """The buyer wants 50 kg of rice, price negotiable."""
    return make_posting(
        owner=buyer, commodity="rice", kind="buy", title="Wanted: rice for our canteen",
        quantity=Decimal("50"), unit_code="kg", price=None,
    )
