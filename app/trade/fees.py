"""The market's fee on a sale (MARKET_FEE_PERCENT of the net amount, rounded per order): one rule
for the settlement report (app.market.reports), split settlement (app.payments.settlement) and
pooled parts' pay-outs (app.pooling). Here, with the orders it is charged on, so that every layer
that pays sellers can read it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask import current_app

from app.trade.models import CENT


def fee_percent() -> Decimal:
    """MARKET_FEE_PERCENT as a Decimal (0 when unset)."""
    return Decimal(str(current_app.config.get("MARKET_FEE_PERCENT") or 0))


def fee_for(net: Decimal, percent: Decimal | None = None) -> Decimal:
    """The market's fee on ``net``, rounded half-up to the cent."""
    percent = fee_percent() if percent is None else percent
    return (net * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
