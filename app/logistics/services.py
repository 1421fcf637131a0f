"""Shipments: created by the seller for a confirmed (or paid) order, moved forward by the seller,
by the driver's secret link or by a carrier's signed webhook. The order follows through the trade
order service: picked up / in transit → shipped, delivered → delivered.

A shipment's status moves by compare-and-set on the status read (app/core/transitions.py), and
arranging one takes the order's row lock first, so concurrent updates from the seller, the driver
and the carrier each apply once or are refused (409), never twice.

Nothing here commits; illegal steps raise DomainError (409), bad field values TradeInvalid.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import transitions
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.logistics.models import (
    UPDATE_STATUSES,
    CarrierEvent,
    EventSource,
    Shipment,
    ShipmentEvent,
    ShipmentMethod,
    ShipmentStatus,
    status_rank,
)
from app.logistics.subscriptions import enqueue_subscription
from app.media.images import ImageRejected, save_image
from app.members.models import Member
from app.members.phones import normalise_phone
from app.trade import orders
from app.trade.errors import TradeInvalid
from app.trade.models import Order, OrderStatus, as_aware

# A seller who already pressed "Mark as shipped" may still add the tracking details afterwards.
SHIPPABLE_ORDER_STATUSES = frozenset({OrderStatus.CONFIRMED.value, OrderStatus.PAID.value, OrderStatus.SHIPPED.value})
DELIVERED = ShipmentStatus.DELIVERED.value
MAX_NOTE_LENGTH = orders.MAX_NOTE_LENGTH
MAX_WEIGHT_KG = 10**9
# Mainland plates: a province's character, the city's letter, then five letters or digits (I and O
# are never used; the last may be 挂 for a trailer or 学/警), or six for new-energy vehicles (D or F
# first for a car, last for a truck or bus).
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_CHAR = "[A-HJ-NP-Z0-9]"
PLATE_PATTERN = re.compile(
    f"[{PLATE_PROVINCES}][A-HJ-NP-Z]"
    f"(?:{_PLATE_CHAR}{{4}}(?:{_PLATE_CHAR}|[挂学警])|[DF]{_PLATE_CHAR}[0-9]{{4}}|[0-9]{{5}}[DF])"
)


@dataclass(frozen=True)
class ShipmentDetails:
    """What the seller fills in; the fields a method does not use are ignored."""

    method: str
    carrier: str = ""
    tracking_number: str = ""
    driver_name: str = ""
    driver_phone: str = ""
    vehicle_plate: str = ""
    pickup_station: str = ""
    destination: str = ""
    expected_date: date | None = None
    weight_kg: object = None  # Decimal or None
    # A truck announced by SMS ("发货 J3 豫A12345") has its plate only; the driver's name and phone
    # may come later (the seller's driver link works without them).
    plate_only: bool = False


def carrier_secrets(setting: str | None) -> dict[str, str]:
    """Parse LOGISTICS_CARRIER_SECRETS ("sf-express=secret1,zto=secret2") into {carrier: secret}."""
    secrets_by_carrier = {}
    for item in (setting or "").split(","):
        carrier, _sep, secret = item.partition("=")
        carrier, secret = carrier.strip().lower(), secret.strip()
        if carrier and secret:
            secrets_by_carrier[carrier] = secret
    return secrets_by_carrier


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def shipment_refusal(order: Order, member: Member) -> str | None:
    """Why ``member`` may not arrange a shipment for ``order`` now, or None when they may."""
    if order.role_of(member) != "seller":
        return _("Only the seller can arrange the shipment.")
    if order.shipment is not None:
        return _("This order already has a shipment.")
    if order.status not in SHIPPABLE_ORDER_STATUSES:
        return _("A shipment can be arranged once the order is confirmed.")
    return None


def create_shipment(order: Order, seller: Member, details: ShipmentDetails, now: datetime | None = None) -> Shipment:
    """The seller arranges how the goods travel. Returns the shipment, flushed.

    Raises DomainError (409) when not allowed (see shipment_refusal); TradeInvalid naming the field
    for a missing carrier, tracking number, driver detail or station, or a bad date or weight.
    """
    now = now or utcnow()
    transitions.lock(order)
    refused = shipment_refusal(order, seller)
    if refused is not None:
        raise DomainError(refused)
    method = details.method
    if method not in {m.value for m in ShipmentMethod}:
        raise TradeInvalid("method", _("Choose how the goods travel."))
    fields = {"destination": _clean(details.destination, "destination", 300)}
    if method == ShipmentMethod.CARRIER.value:
        fields["carrier"] = _required(details.carrier, "carrier", 40, _("Enter the carrier.")).lower()
        fields["tracking_number"] = _required(
            details.tracking_number, "tracking_number", 60, _("Enter the tracking number.")
        )
        taken = db.session.scalar(
            select(Shipment.id).where(
                Shipment.carrier == fields["carrier"], Shipment.tracking_number == fields["tracking_number"]
            )
        )
        if taken is not None:
            raise TradeInvalid("tracking_number", _("This tracking number is already used by another shipment."))
    elif method == ShipmentMethod.OWN_VEHICLE.value:
        if details.plate_only:
            fields["driver_name"] = _clean(details.driver_name, "driver_name", 80) or None
            fields["driver_phone"] = (
                _driver_phone(details.driver_phone) if (details.driver_phone or "").strip() else None
            )
        else:
            fields["driver_name"] = _required(details.driver_name, "driver_name", 80, _("Enter the driver's name."))
            fields["driver_phone"] = _driver_phone(details.driver_phone)
        fields["vehicle_plate"] = _plate(details.vehicle_plate)
    elif method == ShipmentMethod.STATION_PICKUP.value:
        fields["pickup_station"] = _required(details.pickup_station, "pickup_station", 200, _("Name the info-station."))
    if details.expected_date is not None and not (
        now.date() - timedelta(days=1) <= details.expected_date <= now.date() + timedelta(days=366)
    ):
        raise TradeInvalid("expected_date", _("Choose a date from today to a year ahead."))
    weight = details.weight_kg
    if weight is not None and not (0 < weight <= MAX_WEIGHT_KG):
        raise TradeInvalid("weight_kg", _("Enter a weight greater than zero."))
    shipment = Shipment(
        order=order,
        method=method,
        expected_date=details.expected_date,
        weight_kg=weight,
        status=ShipmentStatus.CREATED.value,
        created_by_id=seller.id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    shipment.events.append(
        ShipmentEvent(
            status=ShipmentStatus.CREATED.value,
            source=EventSource.SELLER.value,
            actor_id=seller.id,
            occurred_at=now,
            created_at=now,
        )
    )
    db.session.add(shipment)
    db.session.flush()
    enqueue_subscription(shipment, now)
    return shipment


def truck_details_refusal(shipment: Shipment, member: Member) -> str | None:
    """Why ``member`` may not change the driver and truck of ``shipment`` now, or None when they may."""
    if shipment.order.role_of(member) != "seller":
        return _("Only the seller can do this.")
    if shipment.method != ShipmentMethod.OWN_VEHICLE.value:
        return _("Only a shipment in your own vehicle has a driver and a number plate.")
    if shipment.status == DELIVERED or shipment.order.status == OrderStatus.CANCELLED.value:
        return _("This shipment is finished.")
    return None


def update_truck_details(
    shipment: Shipment,
    seller: Member,
    driver_name: str,
    driver_phone: str,
    vehicle_plate: str,
    now: datetime | None = None,
) -> Shipment:
    """The seller enters or corrects the driver's name and mobile number and the number plate (a
    truck announced by SMS has only its plate). Returns the shipment, flushed; the driver's link
    keeps working.

    Raises DomainError (409) when not allowed (see truck_details_refusal); TradeInvalid naming the
    field for a missing name, a phone that is not a mobile number or text that is not a plate.
    """
    refused = truck_details_refusal(shipment, seller)
    if refused is not None:
        raise DomainError(refused)
    name = _required(driver_name, "driver_name", 80, _("Enter the driver's name."))
    phone, plate = _driver_phone(driver_phone), _plate(vehicle_plate)
    shipment.driver_name, shipment.driver_phone, shipment.vehicle_plate = name, phone, plate
    shipment.updated_at = now or utcnow()
    db.session.flush()
    return shipment


def issue_driver_link(shipment: Shipment, seller: Member, now: datetime | None = None) -> str:
    """A new secret token for the driver's link (any earlier link stops working). Returns the token,
    which is not stored: only its sha256 is.

    Raises DomainError (409) for anyone but the seller, or once the goods were delivered.
    """
    now = now or utcnow()
    if shipment.order.role_of(seller) != "seller":
        raise DomainError(_("Only the seller can do this."))
    if shipment.status == DELIVERED or shipment.order.status == OrderStatus.CANCELLED.value:
        raise DomainError(_("This shipment is finished."))
    token = secrets.token_urlsafe(32)  # 256 bits
    shipment.driver_token_hash = hash_token(token)
    shipment.driver_token_expires_at = now + timedelta(days=current_app.config["LOGISTICS_DRIVER_LINK_DAYS"])
    db.session.flush()
    return token


def shipment_for_token(token: str, lock: bool = False) -> Shipment | None:
    """The shipment whose driver link carries ``token``, or None (a wrong or guessed token)."""
    if not token or len(token) > 100:
        return None
    query = select(Shipment).where(Shipment.driver_token_hash == hash_token(token))
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def driver_link_refusal(shipment: Shipment, now: datetime | None = None) -> str | None:
    """Why the driver's link no longer works, or None while it does."""
    now = now or utcnow()
    if shipment.status == DELIVERED:
        return _("The goods were delivered; this link is closed.")
    if shipment.order.status == OrderStatus.CANCELLED.value:
        return _("This order was cancelled.")
    expires = as_aware(shipment.driver_token_expires_at)
    if expires is None or expires <= now:
        return _("This link has expired. Ask the seller for a new one.")
    return None


def next_statuses(shipment: Shipment) -> list[str]:
    """The statuses ``shipment`` can still move to, in order."""
    return [status for status in UPDATE_STATUSES if status_rank(status) > status_rank(shipment.status)]


def update_shipment(
    shipment: Shipment,
    status: str,
    source: str,
    *,
    actor: Member | None = None,
    note: str = "",
    photo=None,
    now: datetime | None = None,
) -> ShipmentEvent:
    """The seller (``actor``) or the driver moves the shipment forward to ``status``, with an
    optional note and photo (a werkzeug FileStorage, stored without EXIF). The order follows.
    Returns the new event.

    Raises DomainError (409) for a status that is not ahead of the current one or a cancelled
    order; TradeInvalid for a too long note or a photo that is not an image.
    """
    now = now or utcnow()
    note = _clean(note, "note", MAX_NOTE_LENGTH)
    if shipment.order.status == OrderStatus.CANCELLED.value:
        raise DomainError(_("This order was cancelled."))
    if status not in UPDATE_STATUSES:
        raise TradeInvalid("status", _("Choose a status."))
    if status not in next_statuses(shipment):
        raise DomainError(_("The shipment is already further along; it only moves forward."))
    stored = None
    if photo is not None and getattr(photo, "filename", ""):
        try:
            stored = save_image(photo)
        except ImageRejected as error:
            raise TradeInvalid("photo", str(error.message)) from error
    event = _advance(shipment, status, source, actor=actor, note=note, occurred_at=now, now=now)
    if stored is not None:
        event.photo_filename, event.photo_thumb_filename = stored.filename, stored.thumb_filename
    db.session.flush()
    return event


def record_carrier_event(
    carrier: str,
    event_id: str,
    tracking_number: str,
    status: str,
    occurred_at: datetime,
    note: str = "",
    now: datetime | None = None,
) -> str:
    """Apply one verified carrier event. Returns "applied", "ignored" (already further along, or a
    cancelled order), "duplicate" (this event id was seen before) or "unknown" (no such shipment,
    nothing written). The event row and the status change share the caller's transaction; a
    concurrent replay fails on the UNIQUE (carrier, event_id) at flush with IntegrityError.
    """
    now = now or utcnow()
    seen = db.session.scalar(
        select(CarrierEvent.id).where(CarrierEvent.carrier == carrier, CarrierEvent.event_id == event_id)
    )
    if seen is not None:
        return "duplicate"
    shipment = db.session.scalar(
        select(Shipment)
        .where(Shipment.carrier == carrier, Shipment.tracking_number == tracking_number)
        .with_for_update()
    )
    if shipment is None:
        return "unknown"
    applies = (
        status_rank(status) > status_rank(shipment.status) and shipment.order.status != OrderStatus.CANCELLED.value
    )
    db.session.add(
        CarrierEvent(
            carrier=carrier,
            event_id=event_id,
            shipment_id=shipment.id,
            status=status,
            occurred_at=occurred_at,
            applied=applies,
            received_at=now,
        )
    )
    db.session.flush()
    if applies:
        _advance(
            shipment, status, EventSource.CARRIER.value, note=note[:MAX_NOTE_LENGTH], occurred_at=occurred_at, now=now
        )
        db.session.flush()
    return "applied" if applies else "ignored"


def record_tracking_status(shipment: Shipment, status: str, occurred_at: datetime, note: str, now: datetime) -> bool:
    """Move ``shipment`` to ``status`` as the carrier reported it through a tracking aggregator,
    when that is ahead and the order is not cancelled. Returns whether it moved. The shipment row
    must be locked by the caller (app/logistics/tracking.py)."""
    if shipment.order.status == OrderStatus.CANCELLED.value or status not in next_statuses(shipment):
        return False
    _advance(shipment, status, EventSource.CARRIER.value, note=note[:MAX_NOTE_LENGTH], occurred_at=occurred_at, now=now)
    return True


def normalise_plate(text: str | None) -> str:
    """A Chinese number plate in its usual form (豫A12345, new-energy 京AD12345), upper case without
    spaces, dots or dashes. Raises ValueError when it is not one."""
    plate = unicodedata.normalize("NFKC", text or "").upper()
    plate = "".join(ch for ch in plate if ch not in " ·.-_")
    if not PLATE_PATTERN.fullmatch(plate):
        raise ValueError("not a number plate")
    return plate


def _plate(text: str | None) -> str:
    if not (text or "").strip():
        raise TradeInvalid("vehicle_plate", _("Enter the number plate."))
    try:
        return normalise_plate(text)
    except ValueError:
        raise TradeInvalid(
            "vehicle_plate", _("Enter a Chinese number plate such as 豫A12345 (new-energy: 豫AD12345).")
        ) from None


def _driver_phone(text: str | None) -> str:
    if not (text or "").strip():
        raise TradeInvalid("driver_phone", _("Enter the driver's phone number."))
    try:
        return normalise_phone(text, current_app.config["DEFAULT_PHONE_REGION"])
    except ValueError:
        raise TradeInvalid("driver_phone", _("Enter the driver's mobile number, e.g. 13912345678.")) from None


def _advance(
    shipment: Shipment,
    status: str,
    source: str,
    *,
    actor: Member | None = None,
    note: str,
    occurred_at: datetime,
    now: datetime,
) -> ShipmentEvent:
    transitions.require(
        shipment,
        {"status": status, "updated_at": now},
        refusal=lambda: (
            None
            if status in next_statuses(shipment)
            else _("The shipment is already further along; it only moves forward.")
        ),
    )
    event = ShipmentEvent(
        status=status,
        source=source,
        actor_id=actor.id if actor else None,
        note=note,
        occurred_at=occurred_at,
        created_at=now,
    )
    shipment.events.append(event)
    _move_order(shipment.order, status, actor, now)
    return event


def _move_order(order: Order, status: str, actor: Member | None, now: datetime) -> None:
    """Picked up / in transit ships the order, delivered delivers it (shipping first if a step was
    skipped) — through the trade order service, as the seller when the seller reported it."""
    wanted = ["ship"] + (["deliver"] if status == DELIVERED else [])
    for action in wanted:
        if actor is not None:
            if orders.refusal(order, action, actor, now) is None:
                orders.change_order_status(order, action, actor, now=now)
        elif orders.system_step_refusal(order, action) is None:
            orders.change_order_status_as_system(order, action, now=now)


def _clean(text: str | None, field_name: str, limit: int) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise TradeInvalid(field_name, _("At most %(n)s characters.", n=limit))
    return text


def _required(text: str | None, field_name: str, limit: int, message: str) -> str:
    text = _clean(text, field_name, limit)
    if not text:
        raise TradeInvalid(field_name, message)
    return text
