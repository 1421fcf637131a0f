"""The outbox worker: claim due rows with a lease (urgent ones first), send them, commit each outcome.

A batch is claimed in one short write transaction — ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL so that several workers take disjoint rows, ``BEGIN IMMEDIATE`` on SQLite so that claims
queue on the database lock — and marked ``sending`` with a lease: ``claimed_by`` (this claim's token)
and ``claimed_until``. Each message is then sent outside any transaction and its outcome committed at
once, only if the row is still this claim's (status ``sending``, same token): a worker killed with
SIGKILL can send at most the messages in hand twice. Claimed SMS of one template go to a sender that
sends batches (``send_batch``: Aliyun's SendBatchSms, Tencent's SendSms to many numbers) together, up
to NOTIFY_SEND_BATCH_SIZE, each result recorded on its own row; codes are claimed before bulk rows. Before each message the lease is renewed
when less than half of it is left; a row whose lease ran out (its worker died) is taken again by any
worker. On SIGTERM or SIGINT the worker finishes the message in hand, commits it, gives back the
rows it has not sent (due at once for another worker) and stops.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, case, or_, select, text, update

from app.core.clock import utcnow
from app.db import is_postgres, write_transactions
from app.extensions import db
from app.notify.models import Channel, Notification, NotificationStatus
from app.notify.optout import opted_out_numbers
from app.notify.policy import OPTED_OUT
from app.notify.senders import OutgoingMessage, SendFailed, senders_from_config

log = logging.getLogger("jishi.notify")

SENDING = NotificationStatus.SENDING.value
_TABLE = Notification.__table__

# Built once: one of these runs per message, and building a statement costs more than running it.
_RECORD_OUTCOME = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("claimed_id"), _TABLE.c.status == SENDING, _TABLE.c.claimed_by == bindparam("token")
    )
    .values(
        status=bindparam("new_status"),
        provider_id=bindparam("new_provider_id"),
        sent_at=bindparam("new_sent_at"),
        next_attempt_at=bindparam("new_next_attempt_at"),
        last_error=bindparam("new_last_error"),
        claimed_by=None,
        claimed_until=None,
    )
)


def backoff_seconds(attempts: int, config) -> int:
    """Delay before the next attempt after ``attempts`` failed ones: BASE × 2^(attempts-1), capped."""
    delay = config["NOTIFY_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return min(delay, config["NOTIFY_RETRY_MAX_SECONDS"])


def new_claim_token() -> str:
    """A token for one claim, naming the worker that holds it: ``host:pid:random``."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class Claim:
    """Rows held by one claim: their messages (oldest due first), the token stored in claimed_by,
    and the lease's end as written in claimed_until."""

    token: str
    until: datetime
    messages: list[OutgoingMessage] = field(default_factory=list)


class StopRequest:
    """Set by SIGTERM or SIGINT (see :func:`stop_on_signals`); the worker checks it between messages."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self) -> bool:
        return self.requested


@contextmanager
def stop_on_signals(signals=(signal.SIGTERM, signal.SIGINT)) -> Iterator[StopRequest]:
    """Within this block the first SIGTERM/SIGINT asks the worker to stop after the message in hand
    (a second one then acts as usual: Ctrl+C twice interrupts at once). Yields the StopRequest to
    pass on; the previous handlers are back afterwards. Only the main thread may use it."""
    stop = StopRequest()
    previous = {number: signal.getsignal(number) for number in signals}

    def handle(number, _frame) -> None:
        stop.requested = True
        for each, handler in previous.items():
            signal.signal(each, handler)
        log.info("notify worker: %s received, stopping after the message in hand", signal.Signals(number).name)

    for number in signals:
        signal.signal(number, handle)
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _never() -> bool:
    return False


def _due_rows(now: datetime, limit: int, *, urgent: bool) -> list:
    """Up to ``limit`` due rows, urgent or not, oldest due first: (id, channel, address). Locked
    with SKIP LOCKED on PostgreSQL, so concurrent workers take disjoint rows. Urgent rows are looked
    up apart (a partial index holds only them), so a code is found at once behind 100,000 alerts."""
    due = (
        select(Notification.id, Notification.channel, Notification.address)
        .where(
            Notification.status.in_((NotificationStatus.PENDING.value, NotificationStatus.FAILED.value, SENDING)),
            Notification.next_attempt_at <= now,
            or_(Notification.status != SENDING, Notification.claimed_until <= now),
            Notification.urgent if urgent else Notification.urgent.is_(False),
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if is_postgres(db.session):
        due = due.with_for_update(skip_locked=True)
    return list(db.session.execute(due).all())


def claim_batch(now: datetime, limit: int, lease_seconds: int | None = None) -> Claim | None:
    """Mark up to ``limit`` due rows as sending under a new lease (committed) and return the
    claim, or None when nothing is due. Due rows are pending or failed rows whose next_attempt_at
    has come, and rows whose lease ended before ``now``; urgent rows (codes, password resets) are
    taken first, whatever their age, then the rest oldest first.

    Due SMS to a number that said STOP after its row was written are marked skipped instead, in
    the same transaction, so the blocklist is checked just before every send."""
    lease_seconds = lease_seconds or current_app.config["NOTIFY_LEASE_SECONDS"]
    while True:
        candidates = _due_rows(now, limit, urgent=True)
        if len(candidates) < limit:
            candidates += _due_rows(now, limit - len(candidates), urgent=False)
        if not candidates:
            db.session.commit()
            return None
        stopped = opted_out_numbers(address for _id, channel, address in candidates if channel == Channel.SMS.value)
        skipped = {id_ for id_, channel, address in candidates if channel == Channel.SMS.value and address in stopped}
        ids = [id_ for id_, _channel, _address in candidates if id_ not in skipped]
        if skipped:
            db.session.execute(
                update(Notification)
                .where(Notification.id.in_(sorted(skipped)))
                .values(
                    status=NotificationStatus.SKIPPED.value,
                    next_attempt_at=None,
                    last_error=OPTED_OUT,
                    claimed_by=None,
                    claimed_until=None,
                )
                .execution_options(synchronize_session=False)
            )
            log.info("notify worker: skipped %s SMS to opted-out numbers", len(skipped))
        if not ids:
            db.session.commit()  # the whole batch was opted out: look for more due rows
            continue
        claim = Claim(new_claim_token(), now + timedelta(seconds=lease_seconds))
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids))
            .values(
                status=SENDING, attempts=Notification.attempts + 1, claimed_by=claim.token, claimed_until=claim.until
            )
            .execution_options(synchronize_session=False)
        )
        rows = db.session.execute(
            select(
                Notification.id,
                Notification.channel,
                Notification.address,
                Notification.subject,
                Notification.body,
                Notification.html,
                Notification.attempts,
                Notification.template,
                Notification.template_params,
                Notification.urgent,
            )
            .where(Notification.id.in_(ids))
            .order_by(Notification.urgent.desc(), Notification.next_attempt_at, Notification.id)
        ).all()
        db.session.commit()
        claim.messages = [OutgoingMessage(*row) for row in rows]
        return claim


class _Writes:
    """How :func:`send_claim` writes while it works through a claim: every statement is committed
    before the next message goes out. On PostgreSQL the session's connection is switched to
    autocommit (one round trip a statement instead of BEGIN, statement, COMMIT) and, with
    NOTIFY_ASYNC_COMMIT, to ``synchronous_commit = off`` (no wait for a disk flush a message; both
    undone before the connection goes back to the pool). On SQLite each statement is its own
    transaction (BEGIN IMMEDIATE under :func:`write_transactions`): a commit costs no round trip."""

    def __init__(self, async_commit: bool) -> None:
        self.autocommit = is_postgres(db.session)
        self.async_commit = async_commit and self.autocommit

    def __enter__(self) -> _Writes:
        db.session.commit()  # the session's connection may only change mode outside a transaction
        if self.autocommit:
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            if self.async_commit:
                db.session.execute(text("SET synchronous_commit TO off"))
        return self

    def execute(self, statement, parameters=None) -> int:
        """Run one statement and commit it; returns how many rows it matched."""
        # The session's Connection, not Session.execute: the ORM's handling of a plain Core
        # statement cost more than the statement on SQLite (bench/notify_worker.py).
        rowcount = db.session.connection().execute(statement, parameters).rowcount
        if not self.autocommit:
            db.session.commit()
        return rowcount

    def returning(self, statement) -> list:
        """Run one statement with RETURNING of one column and commit it; returns the values."""
        values = (
            db.session.connection().scalars(statement).all()
        )  # read before the commit: SQLite needs the cursor done
        if not self.autocommit:
            db.session.commit()
        return values

    def __exit__(self, *_exc) -> None:
        if not self.autocommit:
            db.session.rollback()  # a sender's write without an outcome (the outcome failed): undo it
            return
        try:
            if self.async_commit:
                db.session.execute(text("RESET synchronous_commit"))
        finally:
            db.session.commit()  # gives the connection back; the pool restores its isolation level


def renew_lease(claim: Claim, ids: list[int], now: datetime, lease_seconds: int, writes: _Writes) -> set[int]:
    """Extend the lease on ``ids`` to ``now`` + ``lease_seconds`` (committed) and return the ids
    still held by ``claim``; a row missing from the answer was taken by another worker after the
    lease ran out, and must not be sent."""
    until = now + timedelta(seconds=lease_seconds)
    held = writes.returning(
        update(_TABLE)
        .where(_TABLE.c.id.in_(ids), _TABLE.c.status == SENDING, _TABLE.c.claimed_by == claim.token)
        .values(claimed_until=until)
        .returning(_TABLE.c.id)
    )
    claim.until = until
    return set(held)


def release(claim: Claim, ids: list[int], writes: _Writes) -> int:
    """Give back claimed rows that were not sent (committed): the attempt the claim counted is
    undone, and they are due at once for any worker (next_attempt_at is when they became due).
    Returns how many rows were given back."""
    if not ids:
        return 0
    return writes.execute(
        update(_TABLE)
        .where(_TABLE.c.id.in_(ids), _TABLE.c.status == SENDING, _TABLE.c.claimed_by == claim.token)
        .values(
            # Both read the values before this UPDATE: one attempt left means none was made.
            status=case(
                (_TABLE.c.attempts <= 1, NotificationStatus.PENDING.value), else_=NotificationStatus.FAILED.value
            ),
            attempts=_TABLE.c.attempts - 1,
            claimed_by=None,
            claimed_until=None,
        )
    )


def _send(message: OutgoingMessage, senders: dict) -> tuple[str | None, str | None, bool]:
    """Hand one message to its sender: (provider id, None, False) when accepted, else
    (None, error, permanent)."""
    try:
        return senders[message.channel].send(message), None, False
    except SendFailed as error:
        return None, str(error)[:2000], error.permanent
    except Exception as error:  # a broken sender must not stop the batch: recorded as a retryable failure
        log.exception("notification %s: sender crashed", message.id)
        return None, f"{type(error).__name__}: {error}"[:2000], False


def _take_group(waiting: list[OutgoingMessage], senders: dict, size: int) -> list[OutgoingMessage]:
    """Take the next message from ``waiting`` and, when its sender sends batches, up to ``size`` - 1
    more claimed SMS of the same template (the order among the rest is kept)."""
    first = waiting.pop(0)
    if size <= 1 or not first.batchable or not hasattr(senders.get(first.channel), "send_batch"):
        return [first]
    group, rest = [first], []
    for message in waiting:
        if len(group) < size and message.batchable and message.template == first.template:
            group.append(message)
        else:
            rest.append(message)
    waiting[:] = rest
    return group


def _send_batch(group: list[OutgoingMessage], sender) -> list[tuple[str | None, str | None, bool]]:
    """Hand a group of one template to the sender in one call: one (provider id, error, permanent)
    per message, in order. A sender that fails as a whole fails every message (retryable)."""
    try:
        results = sender.send_batch(group)
    except SendFailed as error:
        return [(None, str(error)[:2000], error.permanent)] * len(group)
    except Exception as error:
        log.exception("notification batch %s…: sender crashed", group[0].id)
        return [(None, f"{type(error).__name__}: {error}"[:2000], False)] * len(group)
    return [
        (None, str(result)[:2000], result.permanent) if isinstance(result, SendFailed) else (result, None, False)
        for result in results
    ]


def _record(
    claim: Claim,
    message: OutgoingMessage,
    now: datetime,
    provider_id: str | None,
    error: str | None,
    permanent: bool,
    config,
    writes: _Writes,
) -> str:
    """Commit one message's outcome if the row is still this claim's; returns the outcome
    (sent / failed / dead)."""
    if error is None:
        outcome, values = (
            "sent",
            dict(
                new_status=NotificationStatus.SENT.value,
                new_provider_id=provider_id,
                new_sent_at=now,
                new_next_attempt_at=None,
                new_last_error=None,
            ),
        )
    elif permanent or message.attempts >= config["NOTIFY_MAX_ATTEMPTS"]:
        outcome, values = (
            "dead",
            dict(
                new_status=NotificationStatus.DEAD.value,
                new_provider_id=None,
                new_sent_at=None,
                new_next_attempt_at=None,
                new_last_error=error,
            ),
        )
        log.warning("notification %s dead after %s attempts: %s", message.id, message.attempts, error)
    else:
        retry_at = now + timedelta(seconds=backoff_seconds(message.attempts, config))
        outcome, values = (
            "failed",
            dict(
                new_status=NotificationStatus.FAILED.value,
                new_provider_id=None,
                new_sent_at=None,
                new_next_attempt_at=retry_at,
                new_last_error=error,
            ),
        )
    if writes.execute(_RECORD_OUTCOME, {"claimed_id": message.id, "token": claim.token, **values}) == 0:
        log.warning(
            "notification %s: its lease ran out before the outcome (%s) was recorded; another worker has taken it",
            message.id,
            outcome,
        )
    return outcome


def send_claim(
    claim: Claim, senders: dict, now: datetime | None = None, should_stop: Callable[[], bool] = _never
) -> dict[str, int]:
    """Send the claim's messages one by one, committing each outcome as soon as the sender answers.
    Stops early when ``should_stop()`` turns true, giving back the rows not yet sent. ``now``
    freezes the clock (tests of backoff and leases; default: the current time at each step).
    Commits what the session holds first. Returns counts by outcome (sent / failed / dead)."""
    config = current_app.config
    lease_seconds = config["NOTIFY_LEASE_SECONDS"]

    def clock() -> datetime:
        return now or utcnow()

    counts = {"sent": 0, "failed": 0, "dead": 0}
    waiting = list(claim.messages)
    with _Writes(config["NOTIFY_ASYNC_COMMIT"]) as writes:
        try:
            while waiting and not should_stop():
                if clock() >= claim.until - timedelta(seconds=lease_seconds / 2):
                    held = renew_lease(claim, [message.id for message in waiting], clock(), lease_seconds, writes)
                    waiting = [message for message in waiting if message.id in held]
                    if not waiting:
                        break
                group = _take_group(waiting, senders, config["NOTIFY_SEND_BATCH_SIZE"])
                if len(group) == 1:
                    outcomes = [_send(group[0], senders)]
                else:
                    outcomes = _send_batch(group, senders[group[0].channel])
                for message, (provider_id, error, permanent) in zip(group, outcomes, strict=True):
                    counts[_record(claim, message, clock(), provider_id, error, permanent, config, writes)] += 1
        finally:
            # Also on an error or a second Ctrl+C: the rows not yet handed to a sender go back at
            # once, not after the lease. The message in hand then keeps its lease (it may be out).
            if waiting:
                try:
                    if not writes.autocommit:
                        db.session.rollback()
                    given_back = release(claim, [message.id for message in waiting], writes)
                    log.info("notify worker: gave back %s unsent claimed rows", given_back)
                except Exception:  # the database is gone: the lease runs out instead
                    log.exception("notify worker: could not give back %s claimed rows", len(waiting))
    return counts


def run_once(
    senders: dict | None = None,
    now: datetime | None = None,
    batch_size: int | None = None,
    should_stop: Callable[[], bool] = _never,
) -> dict[str, int]:
    """Process every row due at ``now`` (default: the current time) batch by batch and return the
    counts by outcome. Rows that fail are rescheduled into the future, so this always ends; it ends
    sooner when ``should_stop()`` turns true."""
    config = current_app.config
    senders = senders or senders_from_config(config)
    batch_size = batch_size or config["NOTIFY_BATCH_SIZE"]
    totals = {"sent": 0, "failed": 0, "dead": 0}
    with write_transactions():
        while not should_stop():
            claim = claim_batch(now or utcnow(), batch_size)
            if claim is None:
                break
            for outcome, count in send_claim(claim, senders, now, should_stop).items():
                totals[outcome] += count
    return totals


def run_forever(
    senders: dict,
    sleep_seconds: int | None = None,
    batch_size: int | None = None,
    should_stop: Callable[[], bool] = _never,
) -> None:
    """Process due rows, sleep while nothing is due, repeat until ``should_stop()`` turns true."""
    config = current_app.config
    sleep_seconds = config["NOTIFY_WORKER_SLEEP_SECONDS"] if sleep_seconds is None else sleep_seconds
    while not should_stop():
        try:
            totals = run_once(senders, batch_size=batch_size, should_stop=should_stop)
        except Exception:  # the database went away for a moment: log, wait, try again
            log.exception("notify worker: batch failed")
            db.session.rollback()
            totals = {}
        if any(totals.values()):
            log.info("notify worker: %s", totals)
            continue
        # Short naps, so that a stop request does not wait for the whole sleep.
        wake_at = time.monotonic() + sleep_seconds
        while not should_stop() and time.monotonic() < wake_at:
            time.sleep(min(0.2, max(wake_at - time.monotonic(), 0)))
    log.info("notify worker stopped")
