"""Tracking through Kuaidi100: a shipment with a carrier and a tracking number is subscribed by a job
(never in the seller's request, so nothing is lost while Kuaidi100 is down), and Kuaidi100's signed
pushes put the track on the shipment's timeline.

- ``enqueue_subscription`` (app/logistics/subscriptions.py, called by services.create_shipment)
  writes a pending TrackingSubscription with the shipment;
  ``flask logistics subscribe-tracking`` (``send_due_subscriptions``) sends the due ones, retrying
  with backoff, and gives up on a refusal that cannot change (700–703) or after the retries.
- ``apply_push`` stores each checkpoint once (UNIQUE per shipment on its fingerprint, in the same
  transaction as the status change), moves the shipment forward through
  services.record_tracking_status (delivered → the order is delivered and the acceptance window
  opens, like the carrier webhook), and keeps the newest snapshot's state: a push older than the
  one applied changes nothing but adds any point it alone carries.
- ``abort`` (no record for days, or a wrong company code) subscribes again after
  KUAIDI100_RESUBSCRIBE_SECONDS with the reason kept; ``shutdown`` ends the subscription.

Nothing here commits except send_due_subscriptions, which commits each claim and each outcome.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.core.clock import utcnow
from app.extensions import db
from app.logistics import services
from app.logistics.kuaidi100 import (
    BadPush,
    Kuaidi100Client,
    Kuaidi100Unavailable,
    Push,
    derive_salt,
    parse_push,
    shipment_status_for,
)
from app.logistics.models import (
    Shipment,
    SubscriptionStatus,
    TrackingCheckpoint,
    TrackingSubscription,
)
from app.logistics.subscriptions import PENDING
from app.trade.models import as_aware

ACTIVE = SubscriptionStatus.ACTIVE.value
FINISHED = SubscriptionStatus.FINISHED.value
FAILED = SubscriptionStatus.FAILED.value
CALLBACK_PATH = "/hooks/kuaidi100/{shipment_id}"


def client_from_config() -> Kuaidi100Client:
    config = current_app.config
    return Kuaidi100Client(
        key=config["KUAIDI100_KEY"],
        customer=config.get("KUAIDI100_CUSTOMER") or "",
        base_url=config["KUAIDI100_BASE_URL"],
        timeout=config["KUAIDI100_TIMEOUT_SECONDS"],
    )


def salt_for(shipment_id: int) -> str:
    """The salt of ``shipment_id``'s subscription (see kuaidi100.derive_salt)."""
    return derive_salt(current_app.config["KUAIDI100_SALT"], shipment_id)


def callback_url(shipment_id: int) -> str:
    """Where Kuaidi100 pushes ``shipment_id``'s track: PUBLIC_BASE_URL + /hooks/kuaidi100/<id>."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + CALLBACK_PATH.format(shipment_id=shipment_id)


def send_due_subscriptions(
    client: Kuaidi100Client | None = None, now: datetime | None = None, limit: int = 200
) -> dict[str, int]:
    """Send every pending subscription that is due to Kuaidi100. Returns how many became active,
    were put off for a retry and failed for good.

    Each one is first claimed in a short transaction (its attempt counted and its next attempt moved
    past the call's lease), then sent with no transaction open, so a slow Kuaidi100 holds no lock;
    the outcome is committed only if the row is still this claim's. Two runs at once claim each row
    once; a run that dies mid-call leaves the row due again after the lease, and the duplicate that
    may then reach Kuaidi100 is answered 501, which counts as accepted.
    """
    now = now or utcnow()
    client = client or client_from_config()
    config = current_app.config
    lease = timedelta(seconds=2 * config["KUAIDI100_TIMEOUT_SECONDS"] + 60)
    counts = {"active": 0, "retry": 0, "failed": 0}
    due = db.session.scalars(
        select(TrackingSubscription.id)
        .where(TrackingSubscription.status == PENDING, TrackingSubscription.next_attempt_at <= now)
        .order_by(TrackingSubscription.next_attempt_at, TrackingSubscription.id)
        .limit(limit)
    ).all()
    db.session.commit()
    for subscription_id in due:
        claimed = _claim(subscription_id, now, lease)
        if claimed is None:
            continue
        company, number, shipment_id, attempts = claimed
        try:
            answer = client.subscribe(company, number, callback_url(shipment_id), salt_for(shipment_id))
        except Kuaidi100Unavailable as error:
            outcome, reason = "retry", str(error)
        else:
            reason = f"{answer.code} {answer.message}".strip()
            outcome = "active" if answer.accepted else "failed" if answer.permanent else "retry"
        if outcome == "retry" and attempts >= config["KUAIDI100_MAX_ATTEMPTS"]:
            outcome = "failed"
        values = {"updated_at": now, "last_error": reason[:500]}
        if outcome == "active":
            values.update(status=ACTIVE, next_attempt_at=None, last_error="")
        elif outcome == "failed":
            values.update(status=FAILED, next_attempt_at=None)
        else:
            delay = min(
                config["KUAIDI100_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1), config["KUAIDI100_RETRY_MAX_SECONDS"]
            )
            values.update(next_attempt_at=now + timedelta(seconds=delay))
        recorded = db.session.execute(
            update(TrackingSubscription)
            .where(
                TrackingSubscription.id == subscription_id,
                TrackingSubscription.status == PENDING,
                TrackingSubscription.attempts == attempts,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if recorded:
            counts[outcome] += 1
    db.session.expire_all()
    return counts


def _claim(subscription_id: int, now: datetime, lease: timedelta) -> tuple[str, str, int, int] | None:
    """Count an attempt on a due pending subscription and put its next attempt after the lease, in
    one committed statement. Returns (company, number, shipment id, attempts), or None when another
    run took it or it is no longer due."""
    claimed = db.session.execute(
        update(TrackingSubscription)
        .where(
            TrackingSubscription.id == subscription_id,
            TrackingSubscription.status == PENDING,
            TrackingSubscription.next_attempt_at <= now,
        )
        .values(attempts=TrackingSubscription.attempts + 1, next_attempt_at=now + lease, updated_at=now)
        .returning(
            TrackingSubscription.company,
            TrackingSubscription.number,
            TrackingSubscription.shipment_id,
            TrackingSubscription.attempts,
        )
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    return tuple(claimed) if claimed is not None else None


def subscription_for(shipment_id: int) -> TrackingSubscription | None:
    return db.session.scalar(select(TrackingSubscription).where(TrackingSubscription.shipment_id == shipment_id))


def apply_push(subscription: TrackingSubscription, push: Push, now: datetime | None = None) -> dict[str, int]:
    """Apply one verified push to the subscription's shipment. Returns how many checkpoints were new
    and how many status moves were made (both 0 for a replay).

    Raises BadPush when the push is about another tracking number. A concurrent delivery of the same
    push fails at flush with IntegrityError on the checkpoint's UNIQUE (shipment_id, fingerprint).
    """
    now = now or utcnow()
    if push.number != subscription.number:
        raise BadPush("nu is not this subscription's number")
    shipment = db.session.scalar(select(Shipment).where(Shipment.id == subscription.shipment_id).with_for_update())
    known = set(
        db.session.scalars(select(TrackingCheckpoint.fingerprint).where(TrackingCheckpoint.shipment_id == shipment.id))
    )
    added = moved = 0
    for checkpoint in sorted(push.checkpoints, key=lambda c: c.occurred_at):
        fingerprint = checkpoint.fingerprint
        if fingerprint in known:
            continue
        known.add(fingerprint)
        db.session.add(
            TrackingCheckpoint(
                shipment_id=shipment.id,
                fingerprint=fingerprint,
                occurred_at=checkpoint.occurred_at,
                context=checkpoint.context,
                state=checkpoint.state,
                area=checkpoint.area,
                received_at=now,
            )
        )
        added += 1
        status = shipment_status_for(checkpoint.state)
        if status and services.record_tracking_status(
            shipment, status, checkpoint.occurred_at, checkpoint.context, now
        ):
            moved += 1
    db.session.flush()
    newest = push.newest
    stored_at = as_aware(subscription.state_at)
    if newest is not None and (stored_at is None or newest.occurred_at >= stored_at):
        subscription.provider_state, subscription.state_at = push.state, newest.occurred_at
        # Without resultv2 the checkpoints carry no state: the snapshot's own state moves the shipment.
        status = shipment_status_for(push.state)
        if status and services.record_tracking_status(shipment, status, newest.occurred_at, newest.context, now):
            moved += 1
    _follow_subscription_status(subscription, shipment, push, now)
    subscription.updated_at = now
    db.session.flush()
    return {"checkpoints": added, "moves": moved}


def refresh_from_query(shipment_id: int, client: Kuaidi100Client | None = None) -> dict[str, int]:
    """Fetch ``shipment_id``'s track with Kuaidi100's real-time query and apply it as a ``polling``
    push (apply_push). Returns what apply_push returns.

    Raises BadPush when the shipment has no subscription or the answer is not a track;
    Kuaidi100Unavailable when Kuaidi100 cannot be reached or refuses.
    """
    subscription = subscription_for(shipment_id)
    if subscription is None:
        raise BadPush("this shipment is not tracked through Kuaidi100")
    answer = (client or client_from_config()).query(subscription.company, subscription.number)
    push = parse_push(json.dumps({"status": "polling", "message": "", "lastResult": answer}, ensure_ascii=False))
    return apply_push(subscription, push)


def _follow_subscription_status(
    subscription: TrackingSubscription, shipment: Shipment, push: Push, now: datetime
) -> None:
    if push.status == "shutdown" or shipment.status == services.DELIVERED:
        subscription.status, subscription.next_attempt_at = FINISHED, None
    elif push.status == "abort":
        # Kuaidi100 gave up (no record for days, or the company code was wrong and it tells the
        # right one): subscribe again later, as its documentation asks, keeping the reason.
        if push.corrected_company:
            subscription.company = push.corrected_company[:40]
        subscription.status, subscription.attempts = PENDING, 0
        subscription.next_attempt_at = now + timedelta(seconds=current_app.config["KUAIDI100_RESUBSCRIBE_SECONDS"])
        subscription.last_error = f"abort: {push.message}".strip()[:500]
    elif subscription.status != FINISHED:
        subscription.status, subscription.next_attempt_at = ACTIVE, None


def checkpoints(shipment: Shipment) -> list[TrackingCheckpoint]:
    """The shipment's carrier track, newest first."""
    return list(
        db.session.scalars(
            select(TrackingCheckpoint)
            .where(TrackingCheckpoint.shipment_id == shipment.id)
            .order_by(TrackingCheckpoint.occurred_at.desc(), TrackingCheckpoint.id.desc())
        )
    )
