"""The first step of Kuaidi100 tracking, taken inside the seller's "shipped" request: a pending
subscription written with the shipment. tracking.py sends it later (a job) and applies the pushes;
it builds on services, which call this module, so this part stands apart from both.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.core.clock import utcnow
from app.extensions import db
from app.logistics.kuaidi100 import company_code
from app.logistics.models import Shipment, ShipmentMethod, SubscriptionStatus, TrackingSubscription

PENDING = SubscriptionStatus.PENDING.value


def configured() -> bool:
    """True when Kuaidi100 tracking is switched on (a key and the salt secret are set)."""
    config = current_app.config
    return bool(config.get("KUAIDI100_KEY") and config.get("KUAIDI100_SALT"))


def enqueue_subscription(shipment: Shipment, now: datetime | None = None) -> TrackingSubscription | None:
    """A pending subscription for a carrier shipment whose carrier Kuaidi100 knows, due at once.
    Returns it (flushed), or None when Kuaidi100 is not configured, the shipment has no tracking
    number or the carrier is not in data/kuaidi100_companies.csv."""
    now = now or utcnow()
    company = company_code(shipment.carrier)
    if not configured() or shipment.method != ShipmentMethod.CARRIER.value or not shipment.tracking_number:
        return None
    if company is None:  # a carrier Kuaidi100 is not told about: the seller and the driver report
        return None
    subscription = TrackingSubscription(
        shipment=shipment,
        company=company,
        number=shipment.tracking_number,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    db.session.add(subscription)
    db.session.flush()
    return subscription
