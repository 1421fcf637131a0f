"""Order lines: every order holds one line per lot (a single-lot order one, a basket order one per
posting). Other domains read an order's goods with ``lines_of(order)`` (docs/basket-orders.md).
"""

from __future__ import annotations

from decimal import Decimal

from app.members.models import Member
from app.postings.models import Posting
from app.trade.models import Order, OrderLine, line_total


def new_line(
    posting: Posting, sell_posting: Posting | None, seller: Member, quantity: Decimal, unit_price: Decimal
) -> OrderLine:
    """An order line for ``quantity`` of ``posting`` at ``unit_price``, with the snapshot of the goods
    taken from the sell offer (or, for a quote naming no lot, from the buy request and the seller's
    storefront). Takes no stock."""
    source = sell_posting or posting
    storefront = seller.storefront
    return OrderLine(
        posting_id=posting.id,
        sell_posting_id=sell_posting.id if sell_posting else None,
        title=source.title,
        commodity_id=source.commodity_id,
        unit_code=source.unit_code,
        origin_province_code=sell_posting.province_code
        if sell_posting
        else (storefront.province_code if storefront else None),
        harvest_date=sell_posting.harvest_date if sell_posting else None,
        seller_lot_reference=sell_posting.lot_code if sell_posting else None,
        quantity=quantity,
        unit_price=unit_price,
        total=line_total(quantity, unit_price),
    )


def order_columns_from(lines: list[OrderLine]) -> dict:
    """The order's own goods columns for ``lines``: the first line's snapshot, quantity and unit
    price (what single-lot readers such as trace pages and provider descriptions show) and the
    total of every line (what payments, settlement and reports use)."""
    first = lines[0]
    return {
        "title": first.title,
        "commodity_id": first.commodity_id,
        "unit_code": first.unit_code,
        "origin_province_code": first.origin_province_code,
        "harvest_date": first.harvest_date,
        "seller_lot_reference": first.seller_lot_reference,
        "quantity": first.quantity,
        "unit_price": first.unit_price,
        "total": sum((line.total for line in lines), Decimal(0)),
    }


def lines_of(order: Order) -> list[OrderLine]:
    """The order's lines in order (one for a single-lot order, one per lot for a basket order).
    An order written without lines (only possible by hand) reads as one line built from its own
    columns, not added to the session."""
    if order.lines:
        return list(order.lines)
    return [
        OrderLine(
            posting_id=order.posting_id,
            sell_posting_id=order.sell_posting_id,
            title=order.title,
            commodity_id=order.commodity_id,
            unit_code=order.unit_code,
            origin_province_code=order.origin_province_code,
            harvest_date=order.harvest_date,
            seller_lot_reference=order.seller_lot_reference,
            quantity=order.quantity,
            unit_price=order.unit_price,
            total=order.total,
        )
    ]
