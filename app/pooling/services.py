"""Pooled supply (拼单): the rules for opening a buy request to parts, offering parts (one seller's,
or an info-station's pooling several farmers' lots), and the buyer's answers.

Accepting a part places one ordinary order through app.trade.orders.place_order (the seller of a
pooled part is the station), whose app.postings.stock.fill_request is the compare-and-set on the
request's remaining quantity (``UPDATE … SET quantity_filled = quantity_filled + :n WHERE
quantity_filled + :n <= quantity``, row count checked, the CHECK constraint behind it), so the
request is never over-filled and closes itself when full. The part's own status moves with
app.core.transitions.require (offered → accepted/declined/withdrawn/lapsed exactly once).

Lock order: the buy request's row first (transitions.lock), then parts. Accepting the last part
lapses the other open parts of the request; without the request's lock first, two buyers' clicks
racing for the last tonnes could each hold one part and wait for the other's (a deadlock on
PostgreSQL). Offering a part takes the same lock, so no part is left open on a filled request.

Nothing here commits; signals are sent after the flush, inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import exists, select

from app.core import transitions
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.core.formatting import localized
from app.core.formatting import quantity as format_quantity
from app.extensions import db
from app.members.models import Member
from app.members.services import ensure_can_write
from app.pooling import signals
from app.pooling.models import PartStatus, PoolPart, PoolRequest, PoolShare
from app.postings import stock
from app.postings.models import DeliveryOption, Posting, PostingKind, PostingStatus
from app.postings.services import find_or_create_farmer
from app.trade.fees import fee_for
from app.trade.models import Order
from app.trade.orders import clean_note, place_order

OFFERED, ACCEPTED = PartStatus.OFFERED.value, PartStatus.ACCEPTED.value
DECLINED, WITHDRAWN, LAPSED = PartStatus.DECLINED.value, PartStatus.WITHDRAWN.value, PartStatus.LAPSED.value
ACTIVE = PostingStatus.ACTIVE.value
ANSWERS = ("accept", "decline", "withdraw")
MAX_FARMERS = 20  # lines of one pooled part; a station pooling more offers two parts
CENT = Decimal("0.01")


class PoolInvalid(ValueError):
    """Submitted data breaks a pooled-supply rule; ``field`` names the form field (shown with 422)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class FarmerLot:
    """One line of a station's pooled part: the farmer's E.164 number, name (for a new record) and
    the quantity of their lot."""

    phone: str
    quantity: Decimal
    name: str = ""


def pool_of(posting_id: int) -> PoolRequest | None:
    return db.session.scalar(select(PoolRequest).where(PoolRequest.posting_id == posting_id))


def wanted(posting: Posting) -> Decimal:
    """What the request still wants (0 when it is not active)."""
    return stock.available(posting)


def _unit(posting: Posting) -> str:
    return localized(posting.unit) if posting.unit is not None else ""


def open_pool(posting: Posting, buyer: Member, min_part_quantity: Decimal, now: datetime | None = None) -> PoolRequest:
    """Let several sellers fill ``posting`` (the buyer's own buy request), each with at least
    ``min_part_quantity``; called again it changes the minimum. Returns the PoolRequest.

    Raises DomainError (403 not the owner; 409 not a buy request, or closed); PoolInvalid when the
    minimum is more than the quantity wanted; MemberSuspended (403).
    """
    ensure_can_write(buyer)
    if posting.owner_id != buyer.id:
        raise DomainError(_("Only the buyer can open a request to parts."), status=403)
    if posting.kind != PostingKind.BUY.value:
        raise DomainError(_("Only a buy request can be filled by several sellers."))
    if posting.status not in (ACTIVE, PostingStatus.PAUSED.value, PostingStatus.DRAFT.value):
        raise DomainError(_("This buy request is closed."))
    if min_part_quantity > posting.quantity:
        raise PoolInvalid(
            "min_part_quantity",
            _(
                "The smallest part cannot be more than the %(n)s %(unit)s you want.",
                n=format_quantity(posting.quantity),
                unit=_unit(posting),
            ),
        )
    now = now or utcnow()
    pool = pool_of(posting.id)
    if pool is None:
        pool = PoolRequest(posting_id=posting.id, created_at=now)
        db.session.add(pool)
    pool.min_part_quantity = min_part_quantity
    pool.updated_at = now
    db.session.flush()
    return pool


def part_refusal(posting: Posting, member: Member) -> str | None:
    """Why ``member`` may not offer a part of ``posting`` now, or None when they may."""
    if posting.kind != PostingKind.BUY.value or pool_of(posting.id) is None:
        return _("This buy request does not take parts.")
    if posting.owner_id == member.id:
        return _("You cannot offer a part of your own buy request.")
    if wanted(posting) <= 0:
        return _("This buy request is filled or closed: it takes no more parts.")
    if open_part_of(posting.id, member.id) is not None:
        return _("You already have a part waiting for the buyer's answer on this request.")
    return None


def open_part_of(posting_id: int, seller_id: int) -> PoolPart | None:
    return db.session.scalar(
        select(PoolPart).where(
            PoolPart.posting_id == posting_id, PoolPart.seller_id == seller_id, PoolPart.status == OFFERED
        )
    )


def delivery_options(posting: Posting) -> list[str]:
    """The delivery options a part may name: the request's own, or either when it allows both."""
    if posting.delivery == DeliveryOption.EITHER.value:
        return [DeliveryOption.COLLECT.value, DeliveryOption.DELIVER.value]
    return [posting.delivery]


def _check_part(posting: Posting, pool: PoolRequest, quantity: Decimal, delivery: str, field: str) -> None:
    if delivery not in delivery_options(posting):
        raise PoolInvalid("delivery", _("Choose a delivery option this request allows."))
    left = wanted(posting)
    if quantity > left:
        raise PoolInvalid(
            field, _("Only %(n)s %(unit)s are still wanted.", n=format_quantity(left), unit=_unit(posting))
        )
    if quantity < pool.min_part_quantity and quantity != left:
        raise PoolInvalid(
            field,
            _(
                "A part is at least %(n)s %(unit)s (or exactly the %(left)s %(unit)s still wanted).",
                n=format_quantity(pool.min_part_quantity),
                left=format_quantity(left),
                unit=_unit(posting),
            ),
        )


def _refuse_unless_open(posting: Posting, member: Member) -> PoolRequest:
    # The request's lock first (see the module's docstring), then the checks on what it holds now.
    transitions.lock(posting)
    reason = part_refusal(posting, member)
    if reason is not None:
        raise DomainError(reason)
    return pool_of(posting.id)


def offer_part(
    posting: Posting,
    seller: Member,
    quantity: Decimal,
    unit_price: Decimal,
    delivery: str,
    note: str = "",
    now: datetime | None = None,
) -> PoolPart:
    """A seller offers ``quantity`` of the pooled buy request ``posting`` at ``unit_price``.
    Returns the part, flushed; sends part_offered.

    Raises DomainError (409) when part_refusal refuses; PoolInvalid for a quantity under the
    minimum part or over what is still wanted, a delivery the request does not allow or a too long
    note; MemberSuspended (403).
    """
    ensure_can_write(seller)
    note = clean_note(note, "note")
    pool = _refuse_unless_open(posting, seller)
    _check_part(posting, pool, quantity, delivery, "quantity")
    return _add_part(posting, seller, quantity, unit_price, delivery, note, [], now)


def is_station_farmer(station: Member, farmer: Member) -> bool:
    """True when ``farmer`` is one of ``station``'s farmers: the station registered them, or posted
    for them."""
    if farmer.created_by_station_id == station.id:
        return True
    return bool(
        db.session.scalar(select(exists().where(Posting.owner_id == farmer.id, Posting.via_station_id == station.id)))
    )


def offer_pooled_part(
    posting: Posting,
    station: Member,
    lots: list[FarmerLot],
    unit_price: Decimal,
    delivery: str,
    note: str = "",
    now: datetime | None = None,
) -> PoolPart:
    """An approved info-station offers one part pooling its farmers' ``lots`` (the part's quantity
    is their sum) at ``unit_price``; each farmer's share, its amount, the market fee on it and the
    farmer's pay-out are recorded. A number not yet on Jishi becomes a minimal farmer record of the
    station (as when a station posts for a farmer). Returns the part, flushed; sends part_offered.

    Raises DomainError (403 not an approved station; 409 when part_refusal refuses); PoolInvalid
    ("farmers") for no lots, too many, a farmer twice, the buyer or station among them, a member who
    is not the station's farmer, or a total under the minimum or over what is still wanted.
    """
    ensure_can_write(station)
    if not station.is_approved_station:
        raise DomainError(_("Only an approved information station can pool its farmers' lots."), status=403)
    note = clean_note(note, "note")
    if not lots:
        raise PoolInvalid("farmers", _("List at least one farmer and their quantity."))
    if len(lots) > MAX_FARMERS:
        raise PoolInvalid("farmers", _("At most %(n)s farmers in one part.", n=MAX_FARMERS))
    phones = [lot.phone for lot in lots]
    for phone in phones:
        if phones.count(phone) > 1:
            raise PoolInvalid("farmers", _("Each farmer once: %(phone)s is listed twice.", phone=phone))
    pool = _refuse_unless_open(posting, station)
    total = sum((lot.quantity for lot in lots), Decimal(0))
    _check_part(posting, pool, total, delivery, "farmers")
    shares = []
    for lot in lots:
        farmer = find_or_create_farmer(lot.phone, station, lot.name)
        if farmer.id in (station.id, posting.owner_id):
            raise PoolInvalid("farmers", _("%(phone)s cannot be one of the farmers of this part.", phone=lot.phone))
        if not is_station_farmer(station, farmer):
            raise PoolInvalid(
                "farmers",
                _("%(phone)s is not one of your farmers (registered or posted for by your station).", phone=lot.phone),
            )
        shares.append((farmer, lot.quantity))
    return _add_part(posting, station, total, unit_price, delivery, note, shares, now)


def share_money(quantity: Decimal, unit_price: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(amount, fee, pay-out) of a farmer's share: quantity × price to the cent, the market's fee on
    it (app.trade.fees.fee_for, the rule split settlement uses) and amount − fee."""
    amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
    fee = fee_for(amount)
    return amount, fee, max(amount - fee, Decimal("0.00"))


def _add_part(posting, seller, quantity, unit_price, delivery, note, shares, now) -> PoolPart:
    now = now or utcnow()
    part = PoolPart(
        posting_id=posting.id,
        seller_id=seller.id,
        pooled=bool(shares),
        quantity=quantity,
        unit_price=unit_price,
        delivery=delivery,
        note=note,
        status=OFFERED,
        created_at=now,
        updated_at=now,
    )
    for farmer, share_quantity in shares:
        amount, fee, payout = share_money(share_quantity, unit_price)
        part.shares.append(
            PoolShare(farmer_id=farmer.id, quantity=share_quantity, amount=amount, fee=fee, payout=payout)
        )
    db.session.add(part)
    db.session.flush()
    signals.send(
        signals.part_offered, part_id=part.id, posting_id=posting.id, seller_id=seller.id, buyer_id=posting.owner_id
    )
    return part


def answer_refusal(part: PoolPart, action: str, member: Member) -> str | None:
    """Why ``member`` may not ``action`` (accept, decline, withdraw) ``part`` now, or None."""
    if action not in ANSWERS:
        return _("That is not a way to answer a part.")
    posting = part.posting
    if action == "withdraw":
        if part.seller_id != member.id:
            return _("Only the seller who offered the part can withdraw it.")
    elif posting.owner_id != member.id:
        return _("Only the buyer can accept or decline a part.")
    if part.status != OFFERED:
        return {
            ACCEPTED: _("This part has already been accepted."),
            DECLINED: _("This part has been declined."),
            WITHDRAWN: _("This part was withdrawn by its seller."),
            LAPSED: _("This part was not accepted: the request was filled by other parts."),
        }.get(part.status, _("This part cannot be answered any more."))
    if action == "accept" and wanted(posting) < part.quantity:
        return _(
            "Only %(n)s %(unit)s are still wanted, less than this part.",
            n=format_quantity(wanted(posting)),
            unit=_unit(posting),
        )
    return None


def answer_part(part: PoolPart, action: str, member: Member, now: datetime | None = None) -> Order | None:
    """Accept (the buyer: an order is placed and returned), decline (the buyer) or withdraw (the
    seller) ``part``. Sends part_accepted or part_declined.

    Raises DomainError (409, or 403 for someone who is not the party) when answer_refusal refuses;
    TransitionLost (409) when another request answered the part first; OutOfStock (409, "only N
    still wanted") when other parts filled the request first; MemberSuspended (403) on accepting.
    """
    now = now or utcnow()
    if action == "accept":
        return _accept(part, member, now)
    reason = answer_refusal(part, action, member)
    if reason is not None:
        raise DomainError(reason, status=_status_for(part, action, member))
    to_status = DECLINED if action == "decline" else WITHDRAWN
    _move(part, to_status, now, lambda: answer_refusal(part, action, member))
    _tell_declined(part, action if action == "withdraw" else "declined")
    return None


def _status_for(part: PoolPart, action: str, member: Member) -> int:
    party = part.seller_id if action == "withdraw" else part.posting.owner_id
    return 403 if party != member.id else 409


def _accept(part: PoolPart, buyer: Member, now: datetime) -> Order:
    ensure_can_write(buyer)
    posting = part.posting
    if posting.owner_id != buyer.id:
        raise DomainError(_("Only the buyer can accept or decline a part."), status=403)
    transitions.lock(posting)
    reason = answer_refusal(part, "accept", buyer)
    if reason is not None:
        raise DomainError(reason)
    _move(part, ACCEPTED, now, lambda: answer_refusal(part, "accept", buyer))
    seller = db.session.get(Member, part.seller_id)
    # fill_request inside place_order is the compare-and-set on what the request still wants.
    order = place_order(
        buyer=buyer,
        seller=seller,
        posting=posting,
        quantity=part.quantity,
        unit_price=part.unit_price,
        delivery=part.delivery,
        actor=buyer,
        # No negotiation thread: the order is placed at the part's stated terms, as buy now is at
        # a listed price (an order is bought now or from one accepted offer: CHECK of migration 0015).
        bought_now=True,
        now=now,
    )
    part.order_id = order.id
    for share in part.shares:  # the fee rule as it is when the sale is made
        share.amount, share.fee, share.payout = share_money(share.quantity, part.unit_price)
    db.session.flush()
    signals.send(
        signals.part_accepted,
        part_id=part.id,
        posting_id=posting.id,
        seller_id=part.seller_id,
        buyer_id=buyer.id,
        order_id=order.id,
    )
    db.session.refresh(posting, ["quantity_filled", "status"])
    if wanted(posting) <= 0:
        _lapse_open_parts(posting, now)
    return order


def _lapse_open_parts(posting: Posting, now: datetime) -> None:
    """The request is filled: the parts still waiting will not be accepted; their sellers are told."""
    waiting = db.session.scalars(
        select(PoolPart).where(PoolPart.posting_id == posting.id, PoolPart.status == OFFERED).order_by(PoolPart.id)
    ).all()
    for part in waiting:
        if transitions.compare_and_set(part, {"status": LAPSED, "decided_at": now, "updated_at": now}):
            _tell_declined(part, "filled")


def _move(part: PoolPart, to_status: str, now: datetime, refusal) -> None:
    transitions.require(part, {"status": to_status, "decided_at": now, "updated_at": now}, refusal=refusal)


def _tell_declined(part: PoolPart, reason: str) -> None:
    db.session.flush()
    signals.send(
        signals.part_declined,
        part_id=part.id,
        posting_id=part.posting_id,
        seller_id=part.seller_id,
        buyer_id=part.posting.owner_id,
        reason=reason,
    )


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Filled vs wanted of a buy request, for the progress bar."""

    quantity: Decimal
    filled: Decimal
    on_offer: Decimal  # offered parts waiting for an answer

    @property
    def remaining(self) -> Decimal:
        return max(self.quantity - self.filled, Decimal(0))

    @property
    def percent(self) -> int:
        if self.quantity <= 0:
            return 0
        return min(int(self.filled * 100 / self.quantity), 100)


def progress(posting: Posting) -> Progress:
    offered = db.session.scalars(
        select(PoolPart.quantity).where(PoolPart.posting_id == posting.id, PoolPart.status == OFFERED)
    ).all()
    return Progress(posting.quantity, posting.quantity_filled, sum(offered, Decimal(0)))


def visible_parts(posting: Posting, viewer) -> list[PoolPart]:
    """The parts ``viewer`` may see: all of them for the buyer and admins, their own for a seller
    or station, none for anyone else."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return []
    query = select(PoolPart).where(PoolPart.posting_id == posting.id).order_by(PoolPart.id)
    if posting.owner_id != viewer.id and not viewer.is_admin:
        query = query.where(PoolPart.seller_id == viewer.id)
    return list(db.session.scalars(query))


def part_being_accepted(posting_id: int | None, seller_id: int) -> bool:
    """True while this transaction is accepting a part of ``posting_id`` by ``seller_id``: the part
    is accepted and its order is being placed (order_placed is sent before the part names it)."""
    if posting_id is None:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    PoolPart.posting_id == posting_id,
                    PoolPart.seller_id == seller_id,
                    PoolPart.status == ACCEPTED,
                    PoolPart.order_id.is_(None),
                )
            )
        )
    )


def part_of_order(order_id: int) -> PoolPart | None:
    return db.session.scalar(select(PoolPart).where(PoolPart.order_id == order_id))


def farmer_payouts(order_id: int) -> list[tuple[int, Decimal]]:
    """(farmer id, pay-out) of each share of the pooled part the order was placed for, in share
    order; empty for any other order. Split settlement pays these (app.payments.settlement)."""
    part = part_of_order(order_id)
    if part is None or not part.pooled:
        return []
    return [(share.farmer_id, share.payout) for share in part.shares]
