"""Stock of sell offers and fill of buy requests, changed only by single conditional UPDATEs.

Check and change happen in one statement (``… WHERE quantity_available >= :n``) and the row count
tells whether it happened, so two buyers can never both take the last units: on PostgreSQL the
second UPDATE waits for the first one's row lock and re-checks its WHERE clause; on SQLite every
write request runs under BEGIN IMMEDIATE (app/db.py). The CHECK constraints on the posting columns
are the last guard; a violation is turned into the same 409 as losing the race.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, event, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from app.core.errors import DomainError
from app.core.formatting import localized
from app.core.formatting import quantity as format_quantity
from app.extensions import db
from app.postings.models import Posting, PostingKind, PostingStatus

ACTIVE = PostingStatus.ACTIVE.value
CLOSED = PostingStatus.CLOSED.value


class OutOfStock(DomainError):
    """Fewer units are left (or still wanted) than asked for; ``remaining`` says how many."""

    def __init__(self, message: str, remaining: Decimal):
        super().__init__(message, status=409)
        self.remaining = remaining


def _enough_stock(quantity: Decimal):
    # A separate function so a test can remove the guard and prove the CHECK constraint still holds.
    return Posting.quantity_available >= quantity


def take_stock(posting_id: int, quantity: Decimal) -> None:
    """Take ``quantity`` from an active sell offer; the offer closes itself when nothing is left.

    Raises OutOfStock (409, "only N left") when the posting is not active or has too little left.
    Does not commit.
    """
    statement = (
        update(Posting)
        .where(Posting.id == posting_id, Posting.status == ACTIVE, _enough_stock(quantity))
        .values(
            quantity_available=Posting.quantity_available - quantity,
            status=case((Posting.quantity_available - quantity <= 0, CLOSED), else_=Posting.status),
        )
        .execution_options(synchronize_session=False)
    )
    try:
        # A savepoint, so that a CHECK violation leaves the transaction usable for the message below.
        with db.session.begin_nested():
            changed = db.session.execute(statement).rowcount
    except IntegrityError:
        changed = 0
    if changed != 1:
        raise _out_of_stock(posting_id)
    _forget_cached(posting_id)


def return_stock(posting_id: int, quantity: Decimal) -> None:
    """Give cancelled units back to a sell offer (never above its stated quantity).

    A posting that closed itself because it sold out is active again. Does not commit.
    """
    restored = Posting.quantity_available + quantity
    db.session.execute(
        update(Posting)
        .where(Posting.id == posting_id)
        .values(
            quantity_available=case((restored > Posting.quantity, Posting.quantity), else_=restored),
            status=case(((Posting.status == CLOSED) & (Posting.quantity_available <= 0), ACTIVE), else_=Posting.status),
        )
        .execution_options(synchronize_session=False)
    )
    _forget_cached(posting_id)


def fill_request(posting_id: int, quantity: Decimal) -> None:
    """Record ``quantity`` as delivered against an active buy request; it closes when fully filled.

    Raises OutOfStock (409, "only N still wanted") when the request is not active or needs less.
    Does not commit.
    """
    filled = Posting.quantity_filled + quantity
    changed = db.session.execute(
        update(Posting)
        .where(Posting.id == posting_id, Posting.status == ACTIVE, filled <= Posting.quantity)
        .values(
            quantity_filled=filled,
            status=case((filled >= Posting.quantity, CLOSED), else_=Posting.status),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        posting = db.session.get(Posting, posting_id, populate_existing=True)
        wanted = (
            Decimal(0) if posting is None or posting.status != ACTIVE else posting.quantity - posting.quantity_filled
        )
        raise OutOfStock(
            _("Only %(n)s %(unit)s are still wanted.", n=format_quantity(wanted), unit=_unit(posting)), wanted
        )
    _forget_cached(posting_id)


def unfill_request(posting_id: int, quantity: Decimal) -> None:
    """Take back a cancelled order's quantity from a buy request; a request closed because it was
    fully filled is active again. Does not commit."""
    remaining = Posting.quantity_filled - quantity
    db.session.execute(
        update(Posting)
        .where(Posting.id == posting_id)
        .values(
            quantity_filled=case((remaining < 0, 0), else_=remaining),
            status=case(
                ((Posting.status == CLOSED) & (Posting.quantity_filled >= Posting.quantity), ACTIVE),
                else_=Posting.status,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    _forget_cached(posting_id)


def available(posting: Posting) -> Decimal:
    """What can still be ordered from a posting: stock of a sell offer, open need of a buy request."""
    if posting.status != ACTIVE:
        return Decimal(0)
    if posting.kind == PostingKind.SELL.value:
        return posting.quantity_available
    return max(posting.quantity - posting.quantity_filled, Decimal(0))


def _out_of_stock(posting_id: int) -> OutOfStock:
    row = db.session.execute(
        select(Posting.status, Posting.quantity_available).where(Posting.id == posting_id)
    ).one_or_none()
    posting = db.session.get(Posting, posting_id)
    left = row.quantity_available if row is not None else Decimal(0)
    if row is not None and row.status != ACTIVE and left > 0:
        return OutOfStock(_("This offer is not taking orders at the moment."), Decimal(0))
    if left <= 0:
        return OutOfStock(_("Sorry, this offer has sold out."), Decimal(0))
    return OutOfStock(_("Only %(n)s %(unit)s left.", n=format_quantity(left), unit=_unit(posting)), left)


def _unit(posting: Posting | None) -> str:
    if posting is None or posting.unit is None:
        return ""

    return localized(posting.unit)


def _forget_cached(posting_id: int) -> None:
    """The UPDATE bypassed the identity map; make a loaded posting re-read its stock and status."""
    posting = db.session.identity_map.get(identity_key(Posting, posting_id))
    if posting is not None:
        db.session.expire(posting, ["quantity_available", "quantity_filled", "status", "updated_at"])


@event.listens_for(Posting, "before_update")
def _follow_quantity_edits(_mapper, _connection, posting: Posting) -> None:
    """When a seller edits a sell offer's quantity, move what is available by the same amount (in
    SQL, so a sale committed meanwhile is not overwritten), never below zero."""
    history = inspect(posting).attrs.quantity.history
    if posting.kind != PostingKind.SELL.value or not history.deleted or not history.added:
        return
    delta = Decimal(history.added[0]) - Decimal(history.deleted[0])
    if delta == 0:
        return
    moved = Posting.quantity_available + delta
    posting.quantity_available = case((moved < 0, 0), else_=moved)
