"""Contract test helpers: an order between the shared trade fixtures' buyer and verified seller,
and reading the hidden fields of the acceptance form the way a browser sends them back."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app.core.clock import utcnow
from app.extensions import db as _db
from app.members.models import VerificationRequest
from tests.factories import make_order


@pytest.fixture
def order(db, buyer, seller, sell_offer):
    """10 kg of the seller's fragrant rice at ¥3.50, bought now; the seller's licence was approved."""
    _db.session.add(
        VerificationRequest(member=seller, licence_number="91410100MA44XXXX1K", status="approved", decided_at=utcnow())
    )
    sell_offer.variety = "Meixiang 2"
    sell_offer.grade = "一级"
    _db.session.commit()
    return make_order(sell_offer, buyer, quantity=Decimal("10"))


def form_fields(page: str) -> dict[str, str]:
    """The acceptance form's hidden language and sha256, as the page carries them."""
    return {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)
        for name in ("language", "sha256")
    }


def shown_text(page: str) -> str:
    from html import unescape

    return unescape(re.search(r'<div class="contract-text"[^>]*>(.*?)</div>', page, re.S).group(1))
