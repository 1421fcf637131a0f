"""Compare-and-set: the one way a state change of an order, offer, negotiation, dispute, delivery
acceptance, shipment or ledger entry is written, so that it happens exactly once under concurrent
requests.

A request reads a row, decides the step is allowed and writes it with
``UPDATE … SET … WHERE id = :id AND status = :the_status_it_read`` and checks the row count. On
PostgreSQL a second request's UPDATE waits for the first one's row lock, re-checks its WHERE clause
against the committed row, finds the status moved on and changes nothing; on SQLite write requests
already queue under BEGIN IMMEDIATE (app/db.py), so the condition holds there as well. Callers take
a step's side effects (stock given back or taken, ledger rows, events, notifications, signals) only
after winning; the loser gets a 409 with the reason the step is refused now, exactly as if it had
come second in line.

Steps that record a row without moving a status (a delivery acceptance, a shipment, a payment
reported by a webhook) take the order's row lock instead (:func:`lock`). Locks are taken in one
order — the offer before its negotiation, the order before its payment, shipment or postings — so
two transactions never wait on each other crosswise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.core.errors import MESSAGES, DomainError
from app.extensions import db


class TransitionLost(DomainError):
    """Another request changed the row first; rendered as 409 with the reason the step is refused now."""


def compare_and_set(row, values: dict, *, expected: Iterable[str] = ("status",)) -> bool:
    """Write ``values`` to ``row`` only if the ``expected`` columns still hold what this request
    read. Returns True when this request won (the loaded row then holds ``values``), False when
    another request changed the row first (nothing was written). Does not commit."""
    model = type(row)
    conditions = [model.id == row.id]
    for name in expected:
        seen = getattr(row, name)
        column = getattr(model, name)
        conditions.append(column.is_(None) if seen is None else column == seen)
    changed = db.session.execute(
        update(model).where(*conditions).values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    for name, value in values.items():
        set_committed_value(row, name, value)
    return True


def require(
    row,
    values: dict,
    *,
    refusal: Callable[[], str | None] | None = None,
    expected: Iterable[str] = ("status",),
) -> None:
    """:func:`compare_and_set`, raising TransitionLost (409) when another request won. The message
    is ``refusal()`` asked again on the row as it is now (the reason a member coming second would
    read), or the generic "something changed" when it has none. Does not commit."""
    if compare_and_set(row, values, expected=expected):
        return
    db.session.refresh(row)
    message = refusal() if refusal is not None else None
    raise TransitionLost(message or str(MESSAGES[409]))


def lock(row) -> None:
    """Take ``row``'s lock (SELECT … FOR UPDATE; on SQLite the write transaction already holds the
    database) and reload it, so checks made afterwards see what the request that held the lock
    before committed. Pending changes are flushed first; relationships reload on next access."""
    model = type(row)
    db.session.flush()
    db.session.expire(row)
    db.session.execute(
        select(model).where(model.id == row.id).with_for_update().execution_options(populate_existing=True)
    )
