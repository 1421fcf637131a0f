"""Admin test data: the trade fixtures (seller with storefront, buyer, stranger, admin, a sell offer
and a buy request). tests/conftest.py empties the append-only audit log between tests."""
from __future__ import annotations

from tests.trade.conftest import admin, buy_request, buyer, sell_offer, seller, stranger  # noqa: F401
