"""Template globals for the trade partials that other domains' pages include: the posting page
(templates/trade/_posting_actions.html) and the storefront page
(templates/trade/_storefront_reviews.html). Other code calls app.trade.queries directly."""

from __future__ import annotations

from app.postings import stock
from app.trade import baskets, bp, negotiations, orders, queries
from app.trade.lines import lines_of


@bp.app_template_global("trade_rating_summary")
def trade_rating_summary(member_id: int):
    return queries.rating_summary(member_id)


@bp.app_template_global("trade_latest_reviews")
def trade_latest_reviews(member_id: int, n: int = 5):
    return queries.latest_reviews(member_id, n)


@bp.app_template_global("trade_available")
def trade_available(posting):
    return stock.available(posting)


@bp.app_template_global("trade_open_negotiation")
def trade_open_negotiation(posting_id: int, member_id: int):
    return negotiations.open_negotiation_for(posting_id, member_id)


@bp.app_template_global("trade_posting_negotiations")
def trade_posting_negotiations(posting_id: int):
    return queries.posting_negotiations(posting_id)


@bp.app_template_global("trade_offer_refusal")
def trade_offer_refusal(posting, member):
    return negotiations.offer_refusal(posting, member)


@bp.app_template_global("trade_buy_now_refusal")
def trade_buy_now_refusal(posting, member):
    return orders.buy_now_refusal(posting, member)


@bp.app_template_global("trade_order_lines")
def trade_order_lines(order):
    return lines_of(order)


@bp.app_template_global("trade_basket_refusal")
def trade_basket_refusal(posting, member):
    return baskets.basket_refusal(posting, member.id)


@bp.app_template_global("trade_basket_count")
def trade_basket_count(member_id: int) -> int:
    return baskets.basket_count(member_id)
