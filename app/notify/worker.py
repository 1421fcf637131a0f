"""The outbox worker: claim due rows, send them, record the outcome.

A batch is claimed in one short write transaction — ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL so that several workers take disjoint rows, ``BEGIN IMMEDIATE`` on SQLite so that claims
queue on the database lock — and marked ``sending`` with the claim's deadline in next_attempt_at.
Sending happens outside any transaction; the outcomes are recorded in a second one, each only if
the row is still this worker's claim (same status and attempt number). A worker that dies between
the two leaves its rows in ``sending`` until the deadline passes, when any worker takes them again.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from app.db import is_postgres, write_transactions
from app.extensions import db
from app.models_common import utcnow
from app.notify.models import CLAIMABLE, Channel, Notification, NotificationStatus
from app.notify.optout import opted_out_numbers
from app.notify.policy import OPTED_OUT
from app.notify.senders import OutgoingMessage, SendFailed, senders_from_config

log = logging.getLogger("jishi.notify")


def backoff_seconds(attempts: int, config) -> int:
    """Delay before the next attempt after ``attempts`` failed ones: BASE × 2^(attempts-1), capped."""
    delay = config["NOTIFY_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return min(delay, config["NOTIFY_RETRY_MAX_SECONDS"])


def claim_batch(now: datetime, limit: int) -> list[OutgoingMessage]:
    """Mark up to ``limit`` due rows as sending (committed) and return them, oldest due first.

    Due SMS to a number that said STOP after its row was written are marked skipped instead, in
    the same transaction, so the blocklist is checked just before every send."""
    config = current_app.config
    while True:
        due = (
            select(Notification.id, Notification.channel, Notification.address)
            .where(Notification.status.in_(CLAIMABLE), Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        )
        if is_postgres(db.session):
            due = due.with_for_update(skip_locked=True)
        candidates = db.session.execute(due).all()
        if not candidates:
            db.session.commit()
            return []
        stopped = opted_out_numbers(address for _id, channel, address in candidates if channel == Channel.SMS.value)
        skipped = {id_ for id_, channel, address in candidates if channel == Channel.SMS.value and address in stopped}
        ids = [id_ for id_, _channel, _address in candidates if id_ not in skipped]
        if skipped:
            db.session.execute(
                update(Notification)
                .where(Notification.id.in_(sorted(skipped)))
                .values(status=NotificationStatus.SKIPPED.value, next_attempt_at=None, last_error=OPTED_OUT)
                .execution_options(synchronize_session=False)
            )
            log.info("notify worker: skipped %s SMS to opted-out numbers", len(skipped))
        if not ids:
            db.session.commit()  # the whole batch was opted out: look for more due rows
            continue
        deadline = now + timedelta(seconds=config["NOTIFY_SENDING_TIMEOUT_SECONDS"])
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids))
            .values(status=NotificationStatus.SENDING.value, attempts=Notification.attempts + 1, next_attempt_at=deadline)
            .execution_options(synchronize_session=False)
        )
        rows = db.session.execute(
            select(
                Notification.id, Notification.channel, Notification.address, Notification.subject,
                Notification.body, Notification.html, Notification.attempts,
            ).where(Notification.id.in_(ids)).order_by(Notification.id)
        ).all()
        db.session.commit()
        return [OutgoingMessage(*row) for row in rows]


def _record_all(records: list[tuple[OutgoingMessage, dict]]) -> None:
    """Write each outcome only if the row is still this worker's claim (same status and attempt
    number). One executemany per kind of outcome: an UPDATE per message was most of the worker's
    time (bench/notify_worker.py)."""
    table = Notification.__table__
    grouped: dict[tuple[str, ...], list[dict]] = {}
    for message, values in records:
        grouped.setdefault(tuple(sorted(values)), []).append({
            "claimed_id": message.id, "claimed_attempts": message.attempts,
            **{f"new_{name}": value for name, value in values.items()},
        })
    for names, params in grouped.items():
        db.session.execute(
            update(table)
            .where(
                table.c.id == bindparam("claimed_id"),
                table.c.status == NotificationStatus.SENDING.value,
                table.c.attempts == bindparam("claimed_attempts"),
            )
            .values({name: bindparam(f"new_{name}") for name in names}),
            params,
        )


def send_batch(messages: list[OutgoingMessage], senders: dict, now: datetime | None = None) -> dict[str, int]:
    """Send each claimed message and record the outcomes in one transaction. Returns counts by
    outcome (sent / failed / dead)."""
    config = current_app.config
    counts = {"sent": 0, "failed": 0, "dead": 0}
    outcomes = []
    for message in messages:
        try:
            provider_id = senders[message.channel].send(message)
        except SendFailed as error:
            outcomes.append((message, None, str(error)[:2000], error.permanent))
        except Exception as error:  # a broken sender must not lose the batch's other outcomes
            log.exception("notification %s: sender crashed", message.id)
            outcomes.append((message, None, f"{type(error).__name__}: {error}"[:2000], False))
        else:
            outcomes.append((message, provider_id, None, False))
    finished = now or utcnow()
    records = []
    for message, provider_id, error, permanent in outcomes:
        if error is None:
            records.append((message, dict(status=NotificationStatus.SENT.value, provider_id=provider_id,
                                          sent_at=finished, next_attempt_at=None, last_error=None)))
            counts["sent"] += 1
        elif permanent or message.attempts >= config["NOTIFY_MAX_ATTEMPTS"]:
            records.append((message, dict(status=NotificationStatus.DEAD.value, next_attempt_at=None, last_error=error)))
            counts["dead"] += 1
            log.warning("notification %s dead after %s attempts: %s", message.id, message.attempts, error)
        else:
            retry_at = finished + timedelta(seconds=backoff_seconds(message.attempts, config))
            records.append((message, dict(status=NotificationStatus.FAILED.value, next_attempt_at=retry_at,
                                          last_error=error)))
            counts["failed"] += 1
    _record_all(records)
    db.session.commit()
    return counts


def run_once(senders: dict | None = None, now: datetime | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Process every row due at ``now`` (default: the current time) batch by batch and return the
    counts by outcome. Rows that fail are rescheduled into the future, so this always ends."""
    config = current_app.config
    senders = senders or senders_from_config(config)
    batch_size = batch_size or config["NOTIFY_BATCH_SIZE"]
    totals = {"sent": 0, "failed": 0, "dead": 0}
    with write_transactions():
        while True:
            messages = claim_batch(now or utcnow(), batch_size)
            if not messages:
                return totals
            for outcome, count in send_batch(messages, senders, now).items():
                totals[outcome] += count


def run_forever(senders: dict, sleep_seconds: int | None = None, batch_size: int | None = None) -> None:
    """Process due rows, sleep while nothing is due, repeat (until interrupted)."""
    config = current_app.config
    sleep_seconds = config["NOTIFY_WORKER_SLEEP_SECONDS"] if sleep_seconds is None else sleep_seconds
    while True:
        try:
            totals = run_once(senders, batch_size=batch_size)
        except Exception:  # the database went away for a moment: log, wait, try again
            log.exception("notify worker: batch failed")
            db.session.rollback()
            totals = {}
        if any(totals.values()):
            log.info("notify worker: %s", totals)
        else:
            time.sleep(sleep_seconds)
