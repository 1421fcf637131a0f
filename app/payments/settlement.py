"""Split settlement (分账) to sellers, for any provider whose ``supports_split`` is true.

A platform that keeps buyers' money in its own account and pays sellers later is clearing funds
without a licence (二清). So the provider holds the buyer's payment, and once the sale is final
Jishi asks it to pay the seller's share straight to the seller's receiver account:

1. :func:`schedule` — when an order is completed (the buyer accepts the delivery, or the seller
   completes it after the dispute window) or its dispute is resolved, the order gets one
   SplitSettlement (state pending) if it was paid through a splitting provider. These are the same
   events after which app.market.reports counts a sale, so computed and paid-out figures line up.
   A completed order is split once its dispute window has closed (a buyer may still dispute a
   completed order until then); a disputed order waits for the resolution, which is final.
2. :func:`run_due` (``flask payments settle``, from cron) — for each settlement due: freezes the
   seller's share = amount paid − refunds (pending ones included) − the market fee
   (app.trade.fees.fee_for, rounded per order), requests it under ``out_request_no`` (the same
   number on every retry, so the provider never pays twice), follows it with query_split, and once
   the seller's share arrived releases the rest to the platform with finish_split. A provider error
   leaves the settlement as it was with the next attempt after a doubling delay
   (SPLIT_RETRY_MINUTES up to SPLIT_RETRY_MAX_MINUTES). A seller without a receiver account waits.
3. :func:`reconcile_day` — the provider's split statement for a day against the settlements Jishi
   recorded as paid out that day: missing on either side, amount or state differing.

Nothing here commits; the CLI commits per settlement.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, or_, select

from app.core.clock import utcnow
from app.extensions import db
from app.market.reports import local_bounds
from app.payments.models import Payment, ReceiverAccount, SplitSettlement, SplitShare, SplitState
from app.payments.providers import enabled_names, get_provider
from app.payments.providers.base import (
    ProviderError,
    SplitReceiver,
    SplitResult,
    StatementLine,
    to_minor_units,
)
from app.pooling.services import farmer_payouts
from app.trade.fees import fee_for
from app.trade.models import Order, OrderStatus
from app.trade.orders import dispute_deadline

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")
OPEN_STATES = (SplitState.PENDING.value, SplitState.PROCESSING.value, SplitState.SPLIT.value)


def schedule(order: Order, now: datetime | None = None) -> SplitSettlement | None:
    """Create the order's pending split settlement when it was paid through a provider that splits.
    Returns it (the existing one when called again), or None when there is nothing to split."""
    existing = db.session.scalar(select(SplitSettlement).where(SplitSettlement.order_id == order.id))
    if existing is not None:
        return existing
    payment = order.payment
    if payment is None or payment.amount_paid <= ZERO or not payment.provider_reference:
        return None
    provider = get_provider(payment.provider, current_app.config)
    if provider is None or not provider.supports_split:
        return None
    now = now or utcnow()
    # A completed order can still be disputed until the window closes; split only after it, so a
    # refund decided later never has to be clawed back from the seller. A resolution is final.
    first_attempt = now
    if order.status != OrderStatus.RESOLVED.value and order.delivered_at is not None:
        first_attempt = max(now, dispute_deadline(order))
    settlement = SplitSettlement(
        order_id=order.id,
        payment_id=payment.id,
        seller_id=order.seller_id,
        provider=payment.provider,
        out_request_no=f"{order.number}S1",
        state=SplitState.PENDING.value,
        amount_minor=0,
        paid_out_minor=0,
        receiver_account_type="",
        receiver_account="",
        provider_id="",
        attempts=0,
        last_error="",
        next_attempt_at=first_attempt,
        created_at=now,
        updated_at=now,
    )
    db.session.add(settlement)
    db.session.flush()
    return settlement


def splitting_names() -> list[str]:
    """The enabled providers that split settlements now."""
    return [
        name
        for name in enabled_names(current_app.config)
        if getattr(get_provider(name, current_app.config), "supports_split", False)
    ]


def seller_share(payment: Payment) -> tuple[Decimal, Decimal, Decimal]:
    """(net, fee, share) of a payment: net = paid − refunds (made, promised, or failed and still
    owed to the buyer), the market fee on it (the same rule as the settlement statements), and the
    seller's share = net − fee."""
    net = payment.refundable - payment.failed_refunds_owed
    fee = fee_for(net)
    return net, fee, max(net - fee, ZERO)


def due(now: datetime) -> list[SplitSettlement]:
    """Open settlements whose next attempt has come, oldest first."""
    return list(
        db.session.scalars(
            select(SplitSettlement)
            .where(
                SplitSettlement.state.in_(OPEN_STATES),
                or_(SplitSettlement.next_attempt_at.is_(None), SplitSettlement.next_attempt_at <= now),
            )
            .order_by(SplitSettlement.id)
        )
    )


def advance(settlement: SplitSettlement, now: datetime | None = None) -> SplitSettlement:
    """Take one settlement one or more steps forward with its provider (request, follow, release).
    Returns it. A provider error is recorded on it with the next attempt's time; never raises
    ProviderError."""
    now = now or utcnow()
    provider = get_provider(settlement.provider, current_app.config)
    if provider is None or not provider.supports_split:
        return _wait(settlement, now, f"{settlement.provider} is not enabled or does not split")
    payment = settlement.payment
    if settlement.state == SplitState.PENDING.value and settlement.order.status == OrderStatus.DISPUTED.value:
        return _wait(settlement, now, "the order is disputed: split once the dispute is resolved")
    waiting = ""
    try:
        if _pays_several(settlement):
            waiting = _advance_shares(settlement, provider, payment, now)
        elif settlement.state == SplitState.PENDING.value:
            if not _freeze(settlement, payment):
                return _wait(settlement, now, "the seller has no receiver account at the provider")
            if settlement.amount_minor == 0:
                # Nothing for the seller (refunded, or all fee): release the rest, if any is left.
                settlement.state = SplitState.SPLIT.value if settlement.net > ZERO else SplitState.FINISHED.value
                settlement.paid_out_at = now
                settlement.finished_at = None if settlement.net > ZERO else now
            else:
                receiver = SplitReceiver(
                    settlement.receiver_account_type,
                    settlement.receiver_account,
                    settlement.amount_minor,
                    f"Jishi {settlement.order.number}",
                    _receiver_name(settlement),
                )
                _apply(settlement, provider.request_split(payment, settlement.out_request_no, (receiver,)), now)
        if settlement.state == SplitState.PROCESSING.value and not settlement.shares:
            _apply(settlement, provider.query_split(payment, settlement.out_request_no), now)
        if settlement.state == SplitState.SPLIT.value:
            # With no fee nothing is left to release: the seller's share was all of it.
            if settlement.amount_minor < to_minor_units(settlement.net or ZERO):
                provider.finish_split(payment, settlement.out_request_no)
            settlement.state = SplitState.FINISHED.value
            settlement.finished_at = now
    except ProviderError as error:
        log.warning("split settlement %s: %s", settlement.out_request_no, error)
        settlement.attempts += 1
        return _wait(settlement, now, str(error), backoff=True)
    if settlement.state != SplitState.FAILED.value:
        settlement.last_error = waiting
    if settlement.state == SplitState.PROCESSING.value:
        settlement.next_attempt_at = now + _delay(0)  # the provider splits asynchronously: ask again later
    else:
        settlement.next_attempt_at = now if settlement.state in OPEN_STATES else None
    settlement.updated_at = now
    db.session.flush()
    return settlement


def _freeze(settlement: SplitSettlement, payment: Payment) -> bool:
    """Fix the receiver and the amounts on the first request; False when the seller has no
    receiver account yet."""
    if settlement.net is not None and (settlement.receiver_account or settlement.amount_minor == 0):
        return True
    if payment.refundable - payment.failed_refunds_owed <= ZERO:  # all refunded: nothing for anyone
        settlement.net, settlement.fee, settlement.amount_minor = ZERO, ZERO, 0
        return True
    account = db.session.scalar(
        select(ReceiverAccount).where(
            ReceiverAccount.member_id == settlement.seller_id, ReceiverAccount.provider == settlement.provider
        )
    )
    if account is None:
        return False
    net, fee, share = seller_share(payment)
    settlement.net, settlement.fee, settlement.amount_minor = net, fee, to_minor_units(share)
    settlement.receiver_account_type, settlement.receiver_account = account.account_type, account.account
    return True


def _receiver_name(settlement: SplitSettlement) -> str:
    account = db.session.scalar(
        select(ReceiverAccount).where(
            ReceiverAccount.member_id == settlement.seller_id, ReceiverAccount.provider == settlement.provider
        )
    )
    return account.name if account is not None and account.account == settlement.receiver_account else ""


def _apply(settlement: SplitSettlement, result: SplitResult, now: datetime) -> None:
    """Record what the provider says about the request: still processing, the seller's share
    arrived (split), or closed (failed)."""
    settlement.provider_id = result.provider_id or settlement.provider_id
    mine = [r for r in result.receivers if r.account == settlement.receiver_account]
    if any(r.state == "closed" for r in mine):
        settlement.state = SplitState.FAILED.value
        settlement.last_error = "; ".join(r.fail_reason or "closed" for r in mine if r.state == "closed")
        return
    if result.state == "finished" and mine and all(r.state == "success" for r in mine):
        settlement.state = SplitState.SPLIT.value
        settlement.paid_out_minor = sum(r.amount_minor for r in mine)
        settlement.paid_out_at = now
        return
    settlement.state = SplitState.PROCESSING.value


# -- several receivers: the farmers of a pooled part -------------------------------------------------


def _pays_several(settlement: SplitSettlement) -> bool:
    """True when the order pays several receivers: a part an information station pooled for its
    farmers (app.pooling), each farmer paid their own share instead of the seller (the station)."""
    if settlement.shares:
        return True
    return settlement.state == SplitState.PENDING.value and bool(farmer_payouts(settlement.order_id))


def share_amounts(recorded: list[Decimal], available: Decimal) -> list[int]:
    """Each farmer's share in fen: the pay-out recorded with the part, or — when refunds left less
    than their sum — each scaled down in proportion, the fen left by rounding given one by one from
    the first share, never more than ``available`` in all."""
    wanted = [to_minor_units(amount) for amount in recorded]
    budget = to_minor_units(available)
    total = sum(wanted)
    if total <= budget:
        return wanted
    scaled = [amount * budget // total for amount in wanted]
    for index in range(budget - sum(scaled)):
        scaled[index % len(scaled)] += 1
    return scaled


def _freeze_shares(settlement: SplitSettlement, payment: Payment) -> None:
    """Fix each farmer's amount and request number once, on the first attempt."""
    if settlement.shares:
        return
    payouts = farmer_payouts(settlement.order_id)
    net, fee, available = seller_share(payment)
    amounts = share_amounts([payout for _farmer, payout in payouts], available)
    settlement.net, settlement.fee, settlement.amount_minor = net, fee, sum(amounts)
    for index, ((farmer_id, _payout), amount) in enumerate(zip(payouts, amounts, strict=True), start=1):
        settlement.shares.append(
            SplitShare(
                member_id=farmer_id,
                # Its own request number, the same on every retry: the provider pays it once.
                out_request_no=f"{settlement.order.number}P{index}R1",
                state=SplitState.PENDING.value,
                amount_minor=amount,
                paid_out_minor=0,
                receiver_account_type="",
                receiver_account="",
                provider_id="",
                last_error="",
            )
        )
    db.session.flush()


def _advance_shares(settlement: SplitSettlement, provider, payment: Payment, now: datetime) -> str:
    """Request, follow and record every farmer's share; the settlement is split once all arrived,
    failed when the provider closed one. Returns why it still waits ("" when it does not). Raises
    ProviderError (shares already answered keep what the provider said)."""
    _freeze_shares(settlement, payment)
    if settlement.state == SplitState.PENDING.value:
        settlement.state = SplitState.PROCESSING.value
    if settlement.state != SplitState.PROCESSING.value:
        return ""
    missing = []
    for share in settlement.shares:
        if share.state == SplitState.PENDING.value:
            if share.amount_minor == 0:
                share.state, share.paid_out_at = SplitState.SPLIT.value, now
                continue
            account = receiver_account(share.member_id, settlement.provider)
            if account is None:
                missing.append(share.member_id)
                share.last_error = "the farmer has no receiver account at the provider"
                continue
            share.receiver_account_type, share.receiver_account = account.account_type, account.account
            receiver = SplitReceiver(
                account.account_type,
                account.account,
                share.amount_minor,
                f"Jishi {settlement.order.number}",
                account.name,
            )
            _apply_share(share, provider.request_split(payment, share.out_request_no, (receiver,)), now)
        if share.state == SplitState.PROCESSING.value:
            _apply_share(share, provider.query_split(payment, share.out_request_no), now)
    failed = [share for share in settlement.shares if share.state == SplitState.FAILED.value]
    if failed:
        settlement.state = SplitState.FAILED.value
        settlement.last_error = "; ".join(f"{s.out_request_no}: {s.last_error}" for s in failed)
        return settlement.last_error
    if all(share.state == SplitState.SPLIT.value for share in settlement.shares):
        settlement.state = SplitState.SPLIT.value
        settlement.paid_out_minor = sum(share.paid_out_minor for share in settlement.shares)
        settlement.paid_out_at = now
        return ""
    if missing:
        return f"farmers without a receiver account at the provider: {', '.join(map(str, missing))}"
    return ""


def _apply_share(share: SplitShare, result: SplitResult, now: datetime) -> None:
    share.provider_id = result.provider_id or share.provider_id
    share.updated_at = now
    mine = [r for r in result.receivers if r.account == share.receiver_account]
    if any(r.state == "closed" for r in mine):
        share.state = SplitState.FAILED.value
        share.last_error = "; ".join(r.fail_reason or "closed" for r in mine if r.state == "closed")
    elif result.state == "finished" and mine and all(r.state == "success" for r in mine):
        share.state = SplitState.SPLIT.value
        share.paid_out_minor = sum(r.amount_minor for r in mine)
        share.paid_out_at = now
        share.last_error = ""
    else:
        share.state = SplitState.PROCESSING.value


def _delay(attempts: int) -> timedelta:
    first = int(current_app.config.get("SPLIT_RETRY_MINUTES") or 5)
    cap = int(current_app.config.get("SPLIT_RETRY_MAX_MINUTES") or 360)
    return timedelta(minutes=min(first * 2 ** max(attempts - 1, 0), cap))


def _wait(settlement: SplitSettlement, now: datetime, reason: str, backoff: bool = False) -> SplitSettlement:
    settlement.last_error = reason[:2000]
    settlement.next_attempt_at = now + _delay(settlement.attempts if backoff else 0)
    settlement.updated_at = now
    db.session.flush()
    return settlement


def run_due(now: datetime | None = None) -> list[SplitSettlement]:
    """Advance every settlement due now, committing after each (one provider call's outcome is
    never lost to a later one's failure). Returns the settlements handled."""
    now = now or utcnow()
    handled = []
    for settlement_id in [s.id for s in due(now)]:
        settlement = db.session.get(SplitSettlement, settlement_id)
        advance(settlement, now)
        db.session.commit()
        handled.append(settlement)
    return handled


# -- reconciliation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitDifference:
    """One disagreement between the provider's split statement and Jishi's settlements:
    ``kind`` is missing_at_provider, missing_in_jishi, amount or state."""

    kind: str
    out_request_no: str
    account: str
    local_minor: int | None
    remote_minor: int | None
    local_state: str = ""
    remote_state: str = ""


def reconcile_day(provider_name: str, day: date) -> list[SplitDifference]:
    """Compare ``provider_name``'s split statement for ``day`` with the settlements Jishi recorded
    as paid out that (local) day. Returns the differences. Raises ProviderError when the provider
    cannot be asked or the statement cannot be read."""
    provider = get_provider(provider_name, current_app.config)
    if provider is None or not provider.supports_split:
        raise ProviderError(f"{provider_name} is not enabled or does not split")
    remote = {}
    for line in provider.split_statement(day):
        key = line.out_request_no
        if key in remote:
            remote[key] = StatementLine(
                key, line.provider_id, line.account, remote[key].amount_minor + line.amount_minor, line.state
            )
        else:
            remote[key] = line
    start, end = local_bounds(day, day)
    paid_that_day = db.session.scalars(
        select(SplitSettlement).where(
            SplitSettlement.provider == provider_name,
            SplitSettlement.paid_out_at >= start,
            SplitSettlement.paid_out_at < end,
            SplitSettlement.paid_out_minor > 0,
        )
    ).all()
    # A settlement paying several farmers is asked for under each share's number, not its own.
    local = {s.out_request_no: s for s in paid_that_day if not s.shares}
    shares_paid = db.session.scalars(
        select(SplitShare)
        .join(SplitSettlement, SplitShare.settlement_id == SplitSettlement.id)
        .where(
            SplitSettlement.provider == provider_name,
            SplitShare.paid_out_at >= start,
            SplitShare.paid_out_at < end,
            SplitShare.paid_out_minor > 0,
        )
    ).all()
    local.update({share.out_request_no: share for share in shares_paid})
    named = set(remote) - set(local)
    if named:
        local.update(
            {
                s.out_request_no: s
                for s in db.session.scalars(select(SplitSettlement).where(SplitSettlement.out_request_no.in_(named)))
            }
        )
        local.update(
            {
                s.out_request_no: s
                for s in db.session.scalars(select(SplitShare).where(SplitShare.out_request_no.in_(named)))
            }
        )
    differences = []
    for key in sorted(set(local) | set(remote)):
        mine, theirs = local.get(key), remote.get(key)
        if theirs is None:
            differences.append(
                SplitDifference(
                    "missing_at_provider", key, mine.receiver_account, mine.paid_out_minor, None, mine.state
                )
            )
        elif mine is None:
            differences.append(
                SplitDifference("missing_in_jishi", key, theirs.account, None, theirs.amount_minor, "", theirs.state)
            )
        elif mine.paid_out_minor != theirs.amount_minor:
            differences.append(
                SplitDifference(
                    "amount", key, theirs.account, mine.paid_out_minor, theirs.amount_minor, mine.state, theirs.state
                )
            )
        elif mine.state not in (SplitState.SPLIT.value, SplitState.FINISHED.value) or theirs.state != "success":
            differences.append(
                SplitDifference(
                    "state", key, theirs.account, mine.paid_out_minor, theirs.amount_minor, mine.state, theirs.state
                )
            )
    return differences


def paid_out_by_seller(first_day: date, last_day: date) -> dict[int, Decimal] | None:
    """What split settlements actually paid each seller with the money arriving between the two
    local days (inclusive): seller id → amount. None when no enabled provider splits settlements
    and none ever did. For the admin settlement statements (app.market.reports)."""
    if not splitting_names() and db.session.scalar(select(SplitSettlement.id).limit(1)) is None:
        return None
    start, end = local_bounds(first_day, last_day)
    several = select(SplitShare.settlement_id)
    rows = db.session.execute(
        select(SplitSettlement.seller_id, func.sum(SplitSettlement.paid_out_minor))
        .where(
            SplitSettlement.paid_out_at >= start,
            SplitSettlement.paid_out_at < end,
            SplitSettlement.id.not_in(several),
        )
        .group_by(SplitSettlement.seller_id)
    ).all()
    # A pooled part's farmers are paid their own shares: each counts for the farmer.
    share_rows = db.session.execute(
        select(SplitShare.member_id, func.sum(SplitShare.paid_out_minor))
        .where(SplitShare.paid_out_at >= start, SplitShare.paid_out_at < end)
        .group_by(SplitShare.member_id)
    ).all()
    paid: dict[int, int] = {}
    for member_id, total in [*rows, *share_rows]:
        paid[member_id] = paid.get(member_id, 0) + int(total or 0)
    return {member_id: (Decimal(total) / 100).quantize(Decimal("0.01")) for member_id, total in paid.items()}


def receiver_account(member_id: int, provider_name: str) -> ReceiverAccount | None:
    return db.session.scalar(
        select(ReceiverAccount).where(ReceiverAccount.member_id == member_id, ReceiverAccount.provider == provider_name)
    )


def save_receiver_account(
    member_id: int, provider_name: str, account_type: str, account: str, name: str, now: datetime | None = None
) -> ReceiverAccount:
    """Record (or change) the seller's receiver account at ``provider_name``. Returns it. Open
    settlements that have not been requested yet use the new account."""
    now = now or utcnow()
    row = receiver_account(member_id, provider_name)
    if row is None:
        row = ReceiverAccount(member_id=member_id, provider=provider_name, created_at=now)
        db.session.add(row)
    row.account_type, row.account, row.name, row.updated_at = account_type, account.strip(), name.strip(), now
    waiting = db.session.scalars(
        select(SplitSettlement).where(
            SplitSettlement.seller_id == member_id,
            SplitSettlement.provider == provider_name,
            SplitSettlement.state == SplitState.PENDING.value,
            SplitSettlement.attempts == 0,
        )
    )
    for settlement in waiting:
        settlement.receiver_account, settlement.receiver_account_type = "", ""
        settlement.net = settlement.fee = None
        settlement.next_attempt_at = now
    db.session.flush()
    return row


def retry_failed(settlement: SplitSettlement, now: datetime | None = None) -> SplitSettlement:
    """An admin asks again for a settlement the provider closed (after the seller fixed their
    receiver account): a new request number (…S2, …S3), amounts and receiver taken afresh. Returns
    it. Raises ValueError when it is not failed."""
    if settlement.state != SplitState.FAILED.value:
        raise ValueError("only a failed split settlement is asked again")
    now = now or utcnow()
    if settlement.shares:
        # Farmers already paid stay paid; each closed share is asked again under a new number.
        for share in settlement.shares:
            if share.state == SplitState.FAILED.value:
                stem, _, round_number = share.out_request_no.rpartition("R")
                share.out_request_no = f"{stem}R{int(round_number or 1) + 1}"
                share.state, share.last_error, share.updated_at = SplitState.PENDING.value, "", now
                share.receiver_account = share.receiver_account_type = share.provider_id = ""
        settlement.state, settlement.last_error = SplitState.PROCESSING.value, ""
        settlement.attempts, settlement.next_attempt_at, settlement.updated_at = 0, now, now
        db.session.flush()
        return settlement
    stem, _, round_number = settlement.out_request_no.rpartition("S")
    settlement.out_request_no = f"{stem}S{int(round_number or 1) + 1}"
    settlement.state = SplitState.PENDING.value
    settlement.net = settlement.fee = None
    settlement.amount_minor = settlement.paid_out_minor = 0
    settlement.receiver_account = settlement.receiver_account_type = settlement.provider_id = ""
    settlement.attempts, settlement.next_attempt_at, settlement.updated_at = 0, now, now
    db.session.flush()
    return settlement
