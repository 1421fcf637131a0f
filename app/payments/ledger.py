"""The ledger rules every payment provider shares (Stripe now; WeChat Pay and Alipay notifications
reuse them, issue 18). A provider only turns its notification into a PaymentEvent; :func:`record`
writes what it means. The rules (docs/payments.md, "The ledger rules"):

- One payment object, one charge. A charge is keyed by the provider's payment object id
  (UNIQUE(payment_id, kind, provider_object)); every event naming that object updates the same
  entry, whose amount only grows. A charge written before the provider named it (the seller
  recording the payment by hand, or a row from before migration 0018) is the same money and is
  claimed by the first report in its currency instead of a second charge being added.
- One refund, one entry, keyed by the provider's refund id. A refund the provider accepted but has
  not made (WeChat Pay answers PROCESSING) stays pending under its id; the provider's later word
  settles it (succeeded) or fails it (WeChat ABNORMAL / CLOSED: the admins are told, and the amount
  is refundable again). A refund's status only moves forward: a succeeded refund stays succeeded
  whatever arrives after it; a failed one can still succeed (the provider made it after all). Only
  succeeded refunds count in the refunded total. A cumulative total ("refunded so far")
  beyond the refunds known by id settles our own pending refunds first and records the rest as one
  entry not yet named; a refund named later takes its amount out of those. The refunded total is
  the larger of what it was and the entries' sum: it never goes down, whatever the arrival order.
- Paid only when covered: money counts towards the order only in the order's currency, and the
  order moves to paid only once that covers the amount due. A short payment or money in another
  currency is recorded, the payment's status is "review" and ``attention`` says why, for admins.
- Serialised: the order's row lock first (app/core/transitions.py lock order), then the payment
  row, created here under its UNIQUE order_id when the first event comes before any checkout.

Nothing here commits or calls a provider.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import transitions
from app.extensions import db
from app.payments import alerts
from app.payments.models import Attention, EntryKind, EntryStatus, LedgerEntry, Payment, PaymentStatus
from app.payments.providers.base import (
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_SUCCEEDED,
    REFUND_UPDATED,
    PaymentEvent,
    RefundReport,
)
from app.trade import orders
from app.trade.models import Order

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")


def record(provider_name: str, order: Order, event: PaymentEvent, now: datetime) -> Payment | None:
    """Record what ``provider_name`` reports about ``order``'s money: "payment object X received
    amount A in currency C" (PAYMENT_SUCCEEDED) or "refund R of amount a" / "refunded T so far on
    X" (REFUND_UPDATED). Takes the order's row lock and the payment row (creating it when the event
    comes first), applies the rules above and moves the order to paid when the money now covers it.

    Returns the payment, or None for an event type that moves no money. Never commits; database
    errors propagate (the webhook answers 500 and the provider retries; replays change nothing).
    """
    if event.type not in (PAYMENT_SUCCEEDED, REFUND_UPDATED):
        return None
    payment = locked_payment(order, provider_name)
    currency = (event.currency or payment.currency).upper()
    reference = event.provider_reference
    if event.type == PAYMENT_SUCCEEDED:
        _record_charge(payment, reference, event.amount or ZERO, currency, now)
    else:
        if event.paid_amount:
            _record_charge(payment, reference, event.paid_amount, currency, now)
        for refund in event.refunds:
            _record_refund(payment, refund, currency, now)
        if event.amount is not None:
            _record_refunded_total(payment, event.amount, reference, currency, now)
    update_totals(payment)
    if payment.is_paid:
        orders.record_provider_payment(order, _("Payment received by %(provider)s.", provider=payment.provider), now)
    db.session.flush()
    return payment


def locked_payment(order: Order, provider_name: str) -> Payment:
    """The order's payment under the order's row lock, as committed. Created for ``provider_name``
    when there is none (an insert that a concurrent one beat under UNIQUE(order_id) is dropped and
    the winner's row used), switched to it while no money has arrived. Returns the payment."""
    transitions.lock(order)
    payment = order.payment
    if payment is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    Payment(
                        order_id=order.id,
                        provider=provider_name,
                        currency=current_app.config["CURRENCY"],
                        amount=order.total,
                        amount_paid=ZERO,
                        amount_refunded=ZERO,
                        attempts=0,
                        buyer_reference="",
                        method="",
                        status=PaymentStatus.PENDING.value,
                        attention="",
                    )
                )
        except IntegrityError:
            log.info("payment of order %s was created by a concurrent request", order.id)
        db.session.expire(order, ["payment"])
        payment = db.session.scalar(
            select(Payment)
            .where(Payment.order_id == order.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    else:
        db.session.refresh(payment)
    if payment.provider != provider_name and not payment.has_received:
        payment.provider = provider_name
    return payment


def record_manual_charge(
    payment: Payment, amount: Decimal, reference: str, actor_id: int | None, now: datetime
) -> LedgerEntry:
    """The seller (or an admin) recorded money received by hand: a charge no provider has named
    (a provider report in the same currency later claims it). Returns the entry."""
    entry = _new_entry(payment, EntryKind.CHARGE, amount, payment.currency, None, reference, now, actor_id=actor_id)
    update_totals(payment)
    return entry


def record_manual_refund(
    payment: Payment, amount: Decimal, reference: str, actor_id: int | None, note: str, now: datetime
) -> LedgerEntry:
    """An admin paid money back outside the provider (after a refund the provider would not
    make): a succeeded refund no provider has named. Returns the entry."""
    entry = _new_entry(
        payment, EntryKind.REFUND, amount, payment.currency, None, reference, now, note=note, actor_id=actor_id
    )
    update_totals(payment)
    return entry


def settle_refund(payment: Payment, entry: LedgerEntry, now: datetime) -> None:
    """A refund of ours went through: mark it succeeded and update the totals."""
    entry.status = EntryStatus.SUCCEEDED.value
    entry.updated_at = now
    update_totals(payment)


def record_refund_result(payment: Payment, entry: LedgerEntry, report: RefundReport, now: datetime) -> None:
    """What the provider answered or reports about our refund ``entry``: keyed under the
    provider's refund id, then succeeded, failed (the admins are told) or left pending, moving only
    forward (see the rules above)."""
    if report.id and entry.provider_object is None and _keyed(payment, EntryKind.REFUND, report.id) is None:
        entry.provider_object = report.id
    if report.id and not entry.provider_reference:
        entry.provider_reference = report.id
    if report.status == REFUND_SUCCEEDED:
        if entry.status != EntryStatus.SUCCEEDED.value:
            settle_refund(payment, entry, now)
    elif report.status == REFUND_FAILED and entry.status == EntryStatus.PENDING.value:
        fail_refund(payment, entry, now)


def fail_refund(payment: Payment, entry: LedgerEntry, now: datetime) -> None:
    """The provider will not make the pending refund ``entry``: mark it failed (its amount is
    refundable again) and tell the admins, who send it again or refund by hand."""
    entry.status = EntryStatus.FAILED.value
    entry.updated_at = now
    update_totals(payment)
    alerts.refund_failed(payment, entry)


def update_totals(payment: Payment) -> None:
    """Paid, refunded, status and attention from the entries. Paid counts charges in the payment's
    currency; both totals only ever grow."""
    charges = [
        e for e in payment.entries if e.kind == EntryKind.CHARGE.value and e.status == EntryStatus.SUCCEEDED.value
    ]
    refunds = [
        e for e in payment.entries if e.kind == EntryKind.REFUND.value and e.status == EntryStatus.SUCCEEDED.value
    ]
    paid = sum((e.amount for e in charges if e.currency == payment.currency), ZERO)
    payment.amount_paid = max(payment.amount_paid or ZERO, paid)
    payment.amount_refunded = max(payment.amount_refunded or ZERO, sum((e.amount for e in refunds), ZERO))
    covered = payment.is_paid
    refunded_all = payment.amount_paid > ZERO and payment.amount_refunded >= payment.amount_paid
    if payment.attention == Attention.AMOUNT.value:
        pass  # a refused notification: only an admin clears it
    elif any(e.currency != payment.currency for e in charges):
        payment.attention = Attention.CURRENCY.value
    elif charges and not covered and not refunded_all:
        payment.attention = Attention.SHORT.value
    else:
        payment.attention = ""
    if refunded_all:
        payment.status = PaymentStatus.REFUNDED.value
    elif charges and not covered:
        payment.status = PaymentStatus.REVIEW.value
    elif payment.amount_refunded > ZERO:
        payment.status = PaymentStatus.PARTIALLY_REFUNDED.value
    elif payment.amount_paid > ZERO:
        payment.status = PaymentStatus.PAID.value
    elif payment.buyer_reference:
        payment.status = PaymentStatus.CLAIMED.value
    else:
        payment.status = PaymentStatus.PENDING.value


def _record_charge(payment: Payment, payment_object: str, amount: Decimal, currency: str, now: datetime) -> None:
    amount = Decimal(amount)
    if amount <= ZERO:
        return
    entry = _keyed(payment, EntryKind.CHARGE, payment_object) if payment_object else None
    if entry is None:
        entry = next(
            (
                e
                for e in payment.entries
                if e.kind == EntryKind.CHARGE.value
                and e.provider_object is None
                and e.status == EntryStatus.SUCCEEDED.value
                and e.currency == currency
            ),
            None,
        )
        if entry is not None and payment_object:
            entry.provider_object = payment_object
            entry.provider_reference = entry.provider_reference or payment_object
    if entry is None:
        _new_entry(payment, EntryKind.CHARGE, amount, currency, payment_object or None, payment_object, now)
    elif entry.currency == currency and amount > entry.amount:
        entry.amount = amount
        entry.updated_at = now


def _record_refund(payment: Payment, refund: RefundReport, currency: str, now: datetime) -> None:
    if refund.amount <= ZERO:
        return
    entry = _keyed(payment, EntryKind.REFUND, refund.id)
    if entry is not None:
        record_refund_result(payment, entry, refund, now)
        return
    refunds = [e for e in payment.entries if e.kind == EntryKind.REFUND.value and e.provider_object is None]
    # Our own refund whose provider call timed out but went through.
    own = next(
        (
            e
            for e in refunds
            if e.status == EntryStatus.PENDING.value and e.idempotency_key and e.amount == refund.amount
        ),
        None,
    )
    if own is not None:
        record_refund_result(payment, own, refund, now)
        return
    if not refund.succeeded:
        return  # a refund not made, that Jishi did not ask for: no money moved
    # Refunds recorded before the provider named them: ours settled by a cumulative total, or the
    # rest of such a total. The same amount is the same refund; otherwise the rest of a total
    # (never one of ours, whose amount was sent as it is) gives up what this refund accounts for.
    unnamed = [e for e in refunds if e.status == EntryStatus.SUCCEEDED.value]
    same = next((e for e in unnamed if e.amount == refund.amount), None)
    if same is not None:
        same.provider_object = refund.id
        if not same.idempotency_key or not same.provider_reference:
            same.provider_reference = refund.id
        return
    placeholders = sorted((e for e in unnamed if not e.idempotency_key), key=lambda e: e.amount, reverse=True)
    left = refund.amount
    for placeholder in placeholders:
        taken = min(placeholder.amount, left)
        left -= taken
        if taken == placeholder.amount:
            payment.entries.remove(placeholder)
        else:
            placeholder.amount -= taken
        if left <= ZERO:
            break
    _new_entry(
        payment,
        EntryKind.REFUND,
        refund.amount,
        currency,
        refund.id,
        refund.id,
        now,
        note=_("Refunded at the payment service."),
    )


def _record_refunded_total(payment: Payment, total: Decimal, payment_object: str, currency: str, now: datetime) -> None:
    known = sum(
        (
            e.amount
            for e in payment.entries
            if e.kind == EntryKind.REFUND.value and e.status == EntryStatus.SUCCEEDED.value
        ),
        ZERO,
    )
    gap = Decimal(total) - known
    if gap <= ZERO:
        return
    for entry in list(payment.entries):
        if entry.kind == EntryKind.REFUND.value and entry.status == EntryStatus.PENDING.value and entry.amount <= gap:
            gap -= entry.amount
            settle_refund(payment, entry, now)
    if gap > ZERO:
        _new_entry(
            payment,
            EntryKind.REFUND,
            gap,
            currency,
            None,
            payment_object,
            now,
            note=_("Refunded at the payment service."),
        )


def _keyed(payment: Payment, kind: EntryKind, provider_object: str) -> LedgerEntry | None:
    return next((e for e in payment.entries if e.kind == kind.value and e.provider_object == provider_object), None)


def _new_entry(
    payment: Payment,
    kind: EntryKind,
    amount: Decimal,
    currency: str,
    provider_object: str | None,
    reference: str,
    now: datetime,
    note: str = "",
    actor_id: int | None = None,
) -> LedgerEntry:
    entry = LedgerEntry(
        kind=kind.value,
        status=EntryStatus.SUCCEEDED.value,
        amount=amount,
        currency=currency,
        provider_object=provider_object,
        provider_reference=reference or "",
        note=note,
        actor_id=actor_id,
        created_at=now,
        updated_at=now,
    )
    payment.entries.append(entry)
    return entry
