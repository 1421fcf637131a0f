"""The outbox worker: claim due rows with a lease (urgent ones first), send them, commit each outcome.

A batch is claimed in one short write transaction — ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL so that several workers take disjoint rows, ``BEGIN IMMEDIATE`` on SQLite so that claims
queue on the database lock — and marked ``sending`` with a lease: ``claimed_by`` (this claim's token)
and ``claimed_until``. Each message is then sent outside any transaction and its outcome committed at
once, only if the row is still this claim's (status ``sending``, same token): a worker killed with
SIGKILL can send at most the messages in hand twice. Claimed SMS of one template go to a sender that
sends batches (``send_batch``: Aliyun's SendSms/SendBatchSms, Tencent's SendSms to many numbers)
together, up to NOTIFY_SEND_BATCH_SIZE, and the batch's outcomes are committed in one statement as
soon as the sender answers, each row with its own status and provider id (:func:`_record_many`):
the messages in hand are then that batch, and a worker killed between the provider's answer and
that commit sends it again once its lease runs out; codes are claimed before bulk rows. Before each message the lease is renewed
when less than half of it is left; a row whose lease ran out (its worker died) is taken again by any
worker. On SIGTERM or SIGINT the worker finishes the message in hand, commits it, gives back the
rows it has not sent (due at once for another worker) and stops.
"""

from __future__ import annotations

import json
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
from sqlalchemy import Integer, any_, bindparam, case, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from app.core.clock import utcnow
from app.db import is_postgres, write_transactions
from app.extensions import db
from app.notify.models import OUTSTANDING, Channel, Notification, NotificationStatus
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


def _ids(ids: list[int]):
    """``id IN ids`` — as ``id = ANY(:array)`` on PostgreSQL: one parameter, so the statement is
    the same text whatever the claim's size (an IN list of a thousand parameters cost the worker
    more to send than to run)."""
    if is_postgres(db.session):
        return _TABLE.c.id == any_(literal(ids, ARRAY(Integer)))
    return _TABLE.c.id.in_(ids)


def _due_rows(now: datetime, limit: int, *, urgent: bool) -> list:
    """Up to ``limit`` due rows, urgent or not, oldest due first: (id, channel, address). Locked
    with SKIP LOCKED on PostgreSQL, so concurrent workers take disjoint rows. Urgent rows are looked
    up apart (a partial index holds only them), so a code is found at once behind 100,000 alerts."""
    due = (
        select(_TABLE.c.id, _TABLE.c.channel, _TABLE.c.address)
        .where(
            text(f"{_TABLE.name}.{OUTSTANDING}"),
            _TABLE.c.next_attempt_at <= now,
            or_(_TABLE.c.status != SENDING, _TABLE.c.claimed_until <= now),
            _TABLE.c.urgent if urgent else _TABLE.c.urgent.is_(False),
        )
        .order_by(_TABLE.c.next_attempt_at, _TABLE.c.id)
        .limit(limit)
    )
    if is_postgres(db.session):
        due = due.with_for_update(skip_locked=True)
    return list(db.session.connection().execute(due).all())


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
            db.session.connection().execute(
                update(_TABLE)
                .where(_ids(sorted(skipped)))
                .values(
                    status=NotificationStatus.SKIPPED.value,
                    next_attempt_at=None,
                    last_error=OPTED_OUT,
                    claimed_by=None,
                    claimed_until=None,
                )
            )
            log.info("notify worker: skipped %s SMS to opted-out numbers", len(skipped))
        if not ids:
            db.session.commit()  # the whole batch was opted out: look for more due rows
            continue
        claim = Claim(new_claim_token(), now + timedelta(seconds=lease_seconds))
        if current_app.config["NOTIFY_ASYNC_COMMIT"] and is_postgres(db.session):
            # As the outcomes (see _Writes): no wait for a disk flush. A database crash may lose the
            # claim's last instants, and with them every later outcome: those rows go out again.
            db.session.execute(text("SET LOCAL synchronous_commit TO off"))
        # One statement marks the rows and reads what sending needs (RETURNING: SQLite ≥ 3.35).
        rows = (
            db.session.connection()
            .execute(
                update(_TABLE)
                .where(_ids(ids))
                .values(
                    status=SENDING, attempts=_TABLE.c.attempts + 1, claimed_by=claim.token, claimed_until=claim.until
                )
                .returning(
                    _TABLE.c.id,
                    _TABLE.c.channel,
                    _TABLE.c.address,
                    _TABLE.c.subject,
                    _TABLE.c.body,
                    _TABLE.c.html,
                    _TABLE.c.attempts,
                    _TABLE.c.template,
                    _TABLE.c.template_params,
                    _TABLE.c.urgent,
                    _TABLE.c.next_attempt_at,
                )
            )
            .all()
        )
        db.session.commit()
        # Urgent first, then oldest due first (RETURNING keeps no order).
        rows.sort(key=lambda row: (not row.urgent, row.next_attempt_at, row.id))
        claim.messages = [OutgoingMessage(*row[:-1]) for row in rows]
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

    def returning(self, statement, parameters=None) -> list:
        """Run one statement with RETURNING of one column and commit it; returns the values."""
        # Read before the commit: SQLite needs the cursor done.
        values = db.session.connection().scalars(statement, parameters).all()
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
        .where(_ids(ids), _TABLE.c.status == SENDING, _TABLE.c.claimed_by == claim.token)
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
        .where(_ids(ids), _TABLE.c.status == SENDING, _TABLE.c.claimed_by == claim.token)
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


def _outcome(
    message: OutgoingMessage, now: datetime, provider_id: str | None, error: str | None, permanent: bool, config
) -> tuple[str, dict]:
    """What one sender answer makes of its row: the outcome (sent / failed / dead) and the values to
    write (status, provider id, sent_at, next attempt, last error; the others stay NULL)."""
    if error is None:
        return "sent", dict(status=NotificationStatus.SENT.value, provider_id=provider_id, sent_at=now)
    if permanent or message.attempts >= config["NOTIFY_MAX_ATTEMPTS"]:
        log.warning("notification %s dead after %s attempts: %s", message.id, message.attempts, error)
        return "dead", dict(status=NotificationStatus.DEAD.value, last_error=error)
    retry_at = now + timedelta(seconds=backoff_seconds(message.attempts, config))
    return "failed", dict(status=NotificationStatus.FAILED.value, next_attempt_at=retry_at, last_error=error)


_OUTCOME_COLUMNS = ("status", "provider_id", "sent_at", "next_attempt_at", "last_error")
_LEASE_LOST = "notification %s: its lease ran out before the outcome (%s) was recorded; another worker has taken it"


def _record(claim: Claim, message: OutgoingMessage, outcome: str, values: dict, writes: _Writes) -> None:
    """Commit one message's outcome if the row is still this claim's."""
    parameters = {f"new_{name}": values.get(name) for name in _OUTCOME_COLUMNS}
    if writes.execute(_RECORD_OUTCOME, {"claimed_id": message.id, "token": claim.token, **parameters}) == 0:
        log.warning(_LEASE_LOST, message.id, outcome)


# A group's outcomes in one statement, the rows passed as arrays (PostgreSQL) or one JSON array
# (SQLite): a fixed text, prepared once, whatever the group's size — building a VALUES list of a
# thousand rows with SQLAlchemy cost more than sending the messages (bench/sms_drain.py).
_SET_OUTCOME = f"""
    SET status = o.status, provider_id = o.provider_id, sent_at = o.sent_at,
        next_attempt_at = o.next_attempt_at, last_error = o.last_error, claimed_by = NULL, claimed_until = NULL
    FROM {{rows}}
    WHERE {_TABLE.name}.id = o.id AND {{unindexed}}{_TABLE.name}.status = '{SENDING}' AND {_TABLE.name}.claimed_by = :token
    RETURNING {_TABLE.name}.id"""
_RECORD_OUTCOMES_POSTGRESQL = text(
    f"UPDATE {_TABLE.name}"
    + _SET_OUTCOME.format(
        rows="unnest(CAST(:ids AS integer[]), CAST(:statuses AS text[]), CAST(:provider_ids AS text[]), "
        "CAST(:sent_at AS timestamptz[]), CAST(:next_attempt_at AS timestamptz[]), CAST(:errors AS text[])) "
        "AS o(id, status, provider_id, sent_at, next_attempt_at, last_error)",
        unindexed="",
    )
)
_RECORD_OUTCOMES_SQLITE = text(
    f"WITH o AS (SELECT value ->> 0 AS id, value ->> 1 AS status, value ->> 2 AS provider_id, "
    f"value ->> 3 AS sent_at, value ->> 4 AS next_attempt_at, value ->> 5 AS last_error FROM json_each(:rows)) "
    # "+status": SQLite would otherwise walk the claim's rows by the status index and read the whole
    # JSON for each one (a thousand rows: a million lookups); this way each JSON row finds its id.
    f"UPDATE {_TABLE.name}" + _SET_OUTCOME.format(rows="o", unindexed="+")
)


def _sqlite_datetime(value: datetime | None) -> str | None:
    """``value`` as SQLAlchemy stores a DateTime on SQLite (what the ORM reads back)."""
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _record_many(claim: Claim, results: list[tuple[OutgoingMessage, str, dict]], writes: _Writes) -> None:
    """Commit the outcomes of a group the sender answered together, in one statement, for the rows
    still this claim's (status sending, same token); a row another worker took after its lease ran
    out is left alone and logged, as :func:`_record` does. The statement writes the whole group or
    none of it."""
    columns = {name: [values.get(name) for _message, _outcome, values in results] for name in _OUTCOME_COLUMNS}
    ids = [message.id for message, _outcome, _values in results]
    if is_postgres(db.session):
        statement, parameters = (
            _RECORD_OUTCOMES_POSTGRESQL,
            {
                "ids": ids,
                "statuses": columns["status"],
                "provider_ids": columns["provider_id"],
                "sent_at": columns["sent_at"],
                "next_attempt_at": columns["next_attempt_at"],
                "errors": columns["last_error"],
            },
        )
    else:
        rows = zip(
            ids,
            columns["status"],
            columns["provider_id"],
            map(_sqlite_datetime, columns["sent_at"]),
            map(_sqlite_datetime, columns["next_attempt_at"]),
            columns["last_error"],
            strict=True,
        )
        statement, parameters = _RECORD_OUTCOMES_SQLITE, {"rows": json.dumps(list(rows), ensure_ascii=False)}
    recorded = set(writes.returning(statement, {"token": claim.token, **parameters}))
    for message, outcome, _values in results:
        if message.id not in recorded:
            log.warning(_LEASE_LOST, message.id, outcome)


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
                answered = clock()
                results = [
                    (message, *_outcome(message, answered, provider_id, error, permanent, config))
                    for message, (provider_id, error, permanent) in zip(group, outcomes, strict=True)
                ]
                if len(results) == 1:
                    _record(claim, *results[0], writes)
                else:
                    _record_many(claim, results, writes)
                for _message, outcome, _values in results:
                    counts[outcome] += 1
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
