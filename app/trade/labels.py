"""Words shown for trade statuses and delivery options, as template filters for every page
(the posting page includes trade partials too)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.trade import bp

ORDER_STATUS = {
    "placed": _l("placed"),
    "confirmed": _l("confirmed"),
    "paid": _l("paid"),
    "shipped": _l("shipped"),
    "delivered": _l("delivered"),
    "completed": _l("completed"),
    "cancelled": _l("cancelled"),
    "disputed": _l("disputed"),
    "resolved": _l("dispute resolved"),
}
NEGOTIATION_STATUS = {
    "open": _l("open"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "withdrawn": _l("withdrawn"),
    "expired": _l("expired"),
    "countered": _l("countered"),
}
DELIVERY = {
    "collect": _l("Buyer collects"),
    "deliver": _l("Seller delivers"),
    "either": _l("Either"),
}
REFUND_OUTCOME = {
    "full": _l("Full refund"),
    "partial": _l("Partial refund"),
    "none": _l("No refund"),
}


@bp.app_template_filter("order_status")
def order_status(value: str) -> str:
    return str(ORDER_STATUS.get(value, value))


@bp.app_template_filter("negotiation_status")
def negotiation_status(value: str) -> str:
    return str(NEGOTIATION_STATUS.get(value, value))


@bp.app_template_filter("delivery_option")
def delivery_option(value: str) -> str:
    return str(DELIVERY.get(value, value))


@bp.app_template_filter("refund_outcome")
def refund_outcome(value: str | None) -> str:
    return str(REFUND_OUTCOME.get(value or "", value or ""))
