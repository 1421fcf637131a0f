"""The order by SMS (issue 22, point 4): the seller confirms, declines, ships and records payment,
the buyer confirms receipt, either lists open orders — each step through the trade order service
the order page uses (app.trade.orders.change_order_status: same rules, same compare-and-set, same
OrderEvent and signals, so the payment ledger and notifications follow as they do on the web).

An order is named by its number (J0000003, also J3); one the sender is not a party to answers
exactly like one that does not exist. A step that was already taken — a re-sent text, or one that
lost a race to a simultaneous one — gets what was done, never a second transition."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.core.transitions import TransitionLost
from app.core.urls import public_url
from app.extensions import db
from app.inbound_sms import replies
from app.inbound_sms.replies import Reply
from app.logistics import services as logistics
from app.members.models import Member
from app.trade import orders
from app.trade.models import Order, OrderEvent, OrderStatus
from sms.command_types import OrderStep
from sms.reply_templates import ORDER_SLOTS
from sms.segments import fits

# The SMS step → the order service's action and the party who may take it. DECLINE is the seller
# refusing the order, i.e. the service's seller "cancel" (a buyer's cancel stays on the web).
SERVICE_ACTIONS = {"confirm": "confirm", "decline": "cancel", "ship": "ship", "paid": "pay", "received": "deliver"}
PARTY = {
    "confirm": orders.SELLER,
    "decline": orders.SELLER,
    "ship": orders.SELLER,
    "paid": orders.SELLER,
    "received": orders.BUYER,
}
CLOSED = frozenset({OrderStatus.COMPLETED.value, OrderStatus.CANCELLED.value, OrderStatus.RESOLVED.value})


class NotTaken(Exception):
    """The step was not taken; ``reply`` says why (the caller raises Refused with it)."""

    def __init__(self, reply: Reply):
        super().__init__(reply.template)
        self.reply = reply


def order_number(number: int) -> str:
    return f"J{number:07d}"


def _party_order(number: int, member: Member) -> Order:
    """The order for one of its parties, read from the database (a text that lost a race sees the
    winner's step). Raises NotTaken with "no such order" for anyone else: numbers are easy to guess."""
    order = db.session.get(Order, number, populate_existing=True)
    if order is None or not order.is_party(member):
        raise NotTaken(replies.no_such_order_reply(order_number(number)))
    return order


def _already_done(order: Order, action: str) -> Reply | None:
    """The reply to a step this order has already taken (by this text's twin or on the web)."""
    taken = {
        "confirm": db.session.scalar(
            select(OrderEvent.id)
            .where(OrderEvent.order_id == order.id, OrderEvent.to_status == OrderStatus.CONFIRMED.value)
            .limit(1)
        )
        is not None,
        "decline": order.status == OrderStatus.CANCELLED.value,
        "ship": order.shipped_at is not None,
        "paid": order.paid_at is not None,
        "received": order.delivered_at is not None,
    }[action]
    if not taken:
        return None
    return replies.order_already_reply(order.number, orders.status_label(order.status))


def take_step(command: OrderStep, member: Member) -> Reply:
    """Take ``command``'s step on its order as ``member``. Returns the reply.

    Raises NotTaken for an order that is not the member's, the wrong party, or a step already taken;
    DomainError (409) with the order service's reason for a step the order's state refuses;
    MemberSuspended when a suspended seller confirms (as on the web); TradeInvalid for a waybill the
    shipment service refuses (a tracking number another shipment uses)."""
    order = _party_order(command.number, member)
    if order.role_of(member) != PARTY[command.action]:
        only = (
            _("Only the seller can do this.")
            if PARTY[command.action] == orders.SELLER
            else _("Only the buyer can do this.")
        )
        raise NotTaken(replies.refused_reply(only))
    done = _already_done(order, command.action)
    if done is not None:
        raise NotTaken(done)
    try:
        orders.change_order_status(order, SERVICE_ACTIONS[command.action], member, command.note)
    except TransitionLost:
        # A simultaneous text (or a click on the web) moved the order first: answer as a re-send.
        order = _party_order(command.number, member)
        done = _already_done(order, command.action)
        if done is not None:
            raise NotTaken(done) from None
        raise
    if command.action == "ship" and order.shipment is None:
        details = _shipment_details(command)
        if details is not None:
            logistics.create_shipment(order, member, details)
    return replies.order_step_reply(
        command.action,
        order.number,
        command.tracking or command.note,
        public_url("notify.short_order", order_id=order.id),
    )


def _shipment_details(command: OrderStep) -> logistics.ShipmentDetails | None:
    """The shipment a SHIP text describes: a carrier and waybill, or a truck by its number plate
    ("发货 J3 豫A12345"; the driver's name and phone can follow on the web). None otherwise."""
    if command.carrier:
        return logistics.ShipmentDetails(method="carrier", carrier=command.carrier, tracking_number=command.tracking)
    try:
        plate = logistics.normalise_plate(command.note)
    except ValueError:
        return None
    return logistics.ShipmentDetails(method="vehicle", vehicle_plate=plate, plate_only=True)


# The SMS steps in the order a party takes them, for the ORDERS list's "next step".
_LISTED_STEPS = ("confirm", "decline", "ship", "paid", "received")


def _next_steps(order: Order, member: Member) -> list[str]:
    """The SMS steps ``member`` may take on ``order`` now (the service's own refusal decides)."""
    role = order.role_of(member)
    return [
        step
        for step in _LISTED_STEPS
        if PARTY[step] == role and orders.refusal(order, SERVICE_ACTIONS[step], member) is None
    ]


def _waits_for_website(order: Order, member: Member) -> bool:
    """True when the order's next step is neither party's by SMS but ``member`` can take one on
    the website (completing it, say); False when it waits for the other party."""
    other = order.seller if order.role_of(member) == orders.BUYER else order.buyer
    return not _next_steps(order, other) and bool(orders.available_actions(order, member))


def list_open_orders(member: Member) -> Reply:
    """The reply to ORDERS: the member's open orders, newest first, each with the command it waits
    for from them (or that it waits for the other party), as many as fit in one SMS segment (and
    the reply's slots), and how many more are open."""
    open_orders = (or_(Order.buyer_id == member.id, Order.seller_id == member.id), Order.status.not_in(CLOSED))
    total = db.session.scalar(select(func.count()).select_from(Order).where(*open_orders)) or 0
    if not total:
        return replies.no_orders_reply()
    found = db.session.scalars(select(Order).where(*open_orders).order_by(Order.id.desc()).limit(ORDER_SLOTS)).all()
    entries = [
        replies.order_entry(order.number, _next_steps(order, member), _waits_for_website(order, member))
        for order in found
    ]
    answer = replies.orders_reply(entries, total - len(entries))
    while len(entries) > 1 and not fits(replies.text(answer), 1):
        entries.pop()
        answer = replies.orders_reply(entries, total - len(entries))
    return answer
