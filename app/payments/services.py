"""Payment services: starting a payment with the provider chosen for an order, the buyer's transfer
reference, the ledger row behind every "paid" step, verified provider events, refunds and
reconciliation.

What a provider reports is recorded by app.payments.ledger (keyed by the provider's payment and
refund ids, totals that never go down, paid only when covered); this module stores the event id and
acts on the result. Every write to a payment takes the order's row lock first
(app/core/transitions.py) — the seller's "paid" step holds it through its compare-and-set — so a
webhook and a manual payment of one order queue one behind the other and the ledger gets one
charge, never two.
Nothing here commits; every function says what it returns and raises.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import transitions
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.logistics.acceptance import amount_due
from app.members.models import Member
from app.payments import ledger
from app.payments.errors import PaymentInvalid
from app.payments.models import Attention, EntryKind, EntryStatus, LedgerEntry, Payment, WebhookEvent
from app.payments.providers import enabled_names, get_provider
from app.payments.providers.base import PaymentEvent, PaymentStart, ProviderError
from app.trade.models import Order, OrderStatus

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")
PAYABLE_STATUSES = frozenset({OrderStatus.CONFIRMED.value, OrderStatus.SHIPPED.value, OrderStatus.DELIVERED.value})
MANUAL_METHODS = ("bank_transfer", "cash")
MAX_REFERENCE_LENGTH = 80


def start_refusal(order: Order, member: Member) -> str | None:
    """Why ``member`` may not start paying ``order`` now, or None when they may."""
    if order.role_of(member) != "buyer":
        return _("Only the buyer pays for an order.")
    if order.paid_at is not None or (order.payment is not None and order.payment.is_paid):
        return _("The payment has already been recorded.")
    if order.status not in PAYABLE_STATUSES:
        return _("An order can be paid once the seller has confirmed it.")
    return None


def start_payment(
    order: Order,
    buyer: Member,
    provider_name: str,
    return_url: str,
    device: str = "desktop",
    client_ip: str | None = None,
) -> PaymentStart:
    """The buyer chooses how to pay. Creates or switches the order's payment and asks the provider
    for a checkout; returns its redirect URL, the code to show as a QR code (kept on the payment
    as ``pay_url``) or instructions. ``device`` ("desktop" or "phone", app/payments/device.py) tells
    providers with a phone and a desktop way (Alipay wap / page pay, WeChat Pay H5 / Native) which
    one the buyer is on; ``client_ip`` is the buyer's address, which WeChat Pay H5 requires.

    Raises PaymentInvalid for a provider that is not enabled; DomainError (409) when the order
    cannot be paid now (see start_refusal) or the provider is unreachable (502).
    """
    provider = get_provider(provider_name, current_app.config)
    if provider is None:
        raise PaymentInvalid("provider", _("Choose one of the payment methods offered."))
    _lock(order)
    refused = start_refusal(order, buyer)
    if refused is not None:
        raise DomainError(refused)
    payment = _payment_for(order, provider_name)
    payment.attempts += 1
    if client_ip:
        provider.client_ip = client_ip
    try:
        start = provider.create_payment(order, payment.attempts, return_url, device=device)
    except ProviderError as error:
        log.warning("payment start failed for order %s: %s", order.id, error)
        raise DomainError(_("The payment service could not be reached. Please try again in a minute."), status=502)
    if start.checkout_reference:
        payment.checkout_reference = start.checkout_reference
    payment.pay_url = start.qr_code or ""
    db.session.flush()
    return start


def check_payment(order: Order, member: Member, now: datetime | None = None) -> bool:
    """The buyer (or seller) asks whether the provider has the money yet, for when its notification
    is late. Asks the provider about the latest attempt and records a payment it reports like a
    notification (the ledger keys it by the provider's payment id, so it counts once). Returns True
    when the order's payment is now covered.

    Raises DomainError (409) when the order has no payment the provider can be asked about, 502
    when the provider cannot be reached.
    """
    payment = order.payment
    provider = get_provider(payment.provider, current_app.config) if payment is not None else None
    query = getattr(provider, "query_payment", None)
    if query is None or not order.is_party(member):
        raise DomainError(_("There is no payment to check with the payment service."))
    try:
        event = query(payment)
    except ProviderError as error:
        log.warning("payment check failed for order %s: %s", order.id, error)
        raise DomainError(_("The payment service could not be reached. Please try again in a minute."), status=502)
    if event is not None:
        try:
            with db.session.begin_nested():
                apply_event(payment.provider, event, now)
        except Replay:
            pass
    db.session.refresh(payment)
    return payment.is_paid


def record_transfer_reference(order: Order, buyer: Member, method: str, reference: str) -> Payment:
    """The buyer says how they paid by hand (bank transfer with its reference, or cash on delivery).
    Returns the payment, now waiting for the seller to confirm receipt.

    Raises PaymentInvalid for an unknown method or a missing/too long reference; DomainError (409)
    when the order cannot be paid now or manual payment is not enabled.
    """
    if "manual" not in enabled_names(current_app.config):
        raise DomainError(_("Payment by bank transfer is not offered."))
    _lock(order)
    refused = start_refusal(order, buyer)
    if refused is not None:
        raise DomainError(refused)
    if method not in MANUAL_METHODS:
        raise PaymentInvalid("method", _("Choose bank transfer or cash on delivery."))
    reference = _clean_reference(reference, required=method == "bank_transfer")
    payment = _payment_for(order, "manual")
    payment.method = method
    payment.buyer_reference = reference or _("cash on delivery")
    ledger.update_totals(payment)
    db.session.flush()
    return payment


def ensure_charge_for_paid_order(order: Order, actor_id: int | None, now: datetime | None = None) -> LedgerEntry | None:
    """Called for every "paid" step: makes sure the ledger holds the charge. A seller recording
    payment by hand makes it a manual charge of what is still due (the order total, or less after a
    partial acceptance the seller agreed to, minus what a provider already reported), quoting the
    buyer's reference. Returns the new charge entry, or None when the payment already covered it."""
    payment = order.payment
    if payment is not None and payment.is_paid:
        return None
    payment = _payment_for(order, "manual")
    missing = amount_due(order) - payment.amount_paid
    if missing <= ZERO:
        ledger.update_totals(payment)
        return None
    return ledger.record_manual_charge(payment, missing, payment.buyer_reference, actor_id, now or utcnow())


class Replay(Exception):
    """The provider's event was applied before."""


class AmountMismatch(Exception):
    """The provider reports a checkout of another amount than the payment's: the event is refused
    (nothing recorded) and the payment flagged for an admin (the flag is written: commit it)."""


def apply_event(provider_name: str, event: PaymentEvent, now: datetime | None = None) -> Order | None:
    """Apply one verified provider event: store its id (UNIQUE) and hand what it reports to
    :func:`app.payments.ledger.record` under the order's row lock, in one transaction. A paid
    order that was cancelled meanwhile is refunded. Returns the order (None when the event names
    no known order or is of a type we ignore).

    Raises Replay when the event id was already stored (nothing changes); AmountMismatch when the
    event's ``checkout_amount`` is not the payment's amount (only the payment's flag changes).
    """
    now = now or utcnow()
    exists = select(WebhookEvent.id).where(WebhookEvent.provider == provider_name, WebhookEvent.event_id == event.id)
    if db.session.scalar(exists) is not None:
        raise Replay(event.id)
    order = _event_order(event)
    if order is not None:
        transitions.lock(order)
        if event.checkout_amount is not None:
            _check_amount(provider_name, order, event)
    try:
        with db.session.begin_nested():
            db.session.add(
                WebhookEvent(
                    provider=provider_name,
                    event_id=event.id,
                    event_type=event.type,
                    order_id=order.id if order else None,
                    received_at=now,
                )
            )
    except IntegrityError as error:
        raise Replay(event.id) from error
    if order is None:
        return None
    payment = ledger.record(provider_name, order, event, now)
    if payment is None:
        return None
    if event.provider_reference and not payment.provider_reference:
        payment.provider_reference = event.provider_reference
    # Money of a refund that failed is the admins' to send again or refund by hand (they were
    # told); refunding it here would send it again on every notification.
    unclaimed = payment.refundable - payment.failed_refunds_owed
    if order.status == OrderStatus.CANCELLED.value and unclaimed > ZERO:
        request_refund(payment, unclaimed, None, _("Paid after the order was cancelled."), now)
    db.session.flush()
    return order


def request_refund(
    payment: Payment, amount: Decimal, actor_id: int | None, note: str, now: datetime | None = None
) -> LedgerEntry | None:
    """Refund up to ``amount`` of what is still refundable. Through the provider when it can
    (stripe, with an idempotency key); for manual payments, or when the provider call fails, the
    refund is recorded as pending (a person records the reference / `flask payments retry-refunds`
    retries). Returns the ledger entry, or None when nothing is refundable."""
    now = now or utcnow()
    amount = min(Decimal(amount), payment.refundable)
    if amount <= ZERO:
        return None
    number = sum(1 for e in payment.entries if e.kind == EntryKind.REFUND.value) + 1
    entry = LedgerEntry(
        kind=EntryKind.REFUND.value,
        status=EntryStatus.PENDING.value,
        amount=amount,
        currency=payment.currency,
        actor_id=actor_id,
        idempotency_key=f"order-{payment.order_id}-refund-{number}",
        note=note,
        created_at=now,
        updated_at=now,
    )
    payment.entries.append(entry)
    db.session.flush()
    _send_refund(payment, entry, now)
    return entry


def check_payment_on_return(order: Order, now: datetime | None = None) -> bool:
    """The buyer is back from the provider's checkout: ask the provider about the payment (never
    trusting the return address's parameters) and apply what it reports, as a notification would
    be. Returns whether the payment is now recorded as paid.

    Raises ProviderError when the provider cannot be asked; AmountMismatch as apply_event.
    """
    payment = order.payment
    if payment is None:
        return False
    if payment.is_paid:
        return True
    provider = get_provider(payment.provider, current_app.config)
    if provider is None or not provider.return_checks:
        return False
    event = provider.query_payment(payment)
    if event is not None:
        try:
            apply_event(payment.provider, event, now)
        except Replay:
            pass
    db.session.refresh(payment)
    return payment.is_paid


def retry_pending_refunds(now: datetime | None = None) -> list[LedgerEntry]:
    """Follow provider refunds still pending: one the provider never accepted is sent again (same
    idempotency key, so never twice); one it accepted and is still making (it has the provider's
    refund id) is asked about. Each is moved on as the provider answers (succeeded, failed — the
    admins are told — or still pending). Returns the entries followed, in their new status."""
    now = now or utcnow()
    pending = db.session.scalars(
        select(LedgerEntry)
        .join(Payment)
        .where(
            LedgerEntry.kind == EntryKind.REFUND.value,
            LedgerEntry.status == EntryStatus.PENDING.value,
            Payment.provider != "manual",
        )
        .order_by(LedgerEntry.id)
    ).all()
    for entry in pending:
        _lock(entry.payment.order)
        db.session.refresh(entry)
        if entry.status != EntryStatus.PENDING.value:
            continue  # a notification settled it meanwhile
        if entry.provider_object:
            _follow_refund(entry.payment, entry, now)
        else:
            _send_refund(entry.payment, entry, now)
    return pending


def failed_refund_refusal(entry: LedgerEntry, member: Member) -> str | None:
    """Why ``member`` may not deal with the refund ``entry`` as a failed one, or None."""
    if not member.is_admin:
        return _("Only an admin deals with a failed refund.")
    if entry.kind != EntryKind.REFUND.value or entry.status != EntryStatus.FAILED.value:
        return _("This refund has not failed.")
    if not entry.is_open_failure:
        return _("This failed refund was already sent again or refunded by hand.")
    return None


def replace_failed_refund(
    entry: LedgerEntry, admin: Member, reference: str | None = None, now: datetime | None = None
) -> LedgerEntry | None:
    """An admin deals with a failed refund: without ``reference`` it is sent to the provider again
    as a new refund (a new idempotency key); with one, the admin paid it back by hand and the
    refund is recorded as made under that reference. Returns the new entry (None when nothing is
    refundable any more).

    Raises DomainError (409) when the entry is not an open failed refund or the member is no
    admin; PaymentInvalid for a too long reference."""
    now = now or utcnow()
    _lock(entry.payment.order)
    db.session.refresh(entry)
    refused = failed_refund_refusal(entry, admin)
    if refused is not None:
        raise DomainError(refused)
    payment = entry.payment
    if reference is None:
        return request_refund(payment, entry.amount, admin.id, _("Sent again after a failed refund."), now)
    amount = min(entry.amount, payment.refundable)
    if amount <= ZERO:
        return None
    return ledger.record_manual_refund(
        payment, amount, _clean_reference(reference, required=True), admin.id, _("Refunded by hand."), now
    )


def refund_reference_refusal(entry: LedgerEntry, member: Member) -> str | None:
    order = entry.payment.order
    if not (member.is_admin or order.role_of(member) == "seller"):
        return _("Only the seller or an admin records a refund.")
    if entry.kind != EntryKind.REFUND.value or entry.status != EntryStatus.PENDING.value:
        return _("This refund is not waiting for a reference.")
    if entry.payment.provider != "manual":
        return _("This refund is made by the payment service.")
    return None


def record_refund_reference(
    entry: LedgerEntry, member: Member, reference: str, now: datetime | None = None
) -> LedgerEntry:
    """The seller or an admin made a pending manual refund by hand and records its reference.
    Returns the entry, now succeeded. Raises PaymentInvalid for a missing/too long reference,
    DomainError (409) when the entry is not a pending manual refund or the member may not."""
    _lock(entry.payment.order)
    db.session.refresh(entry)
    refused = refund_reference_refusal(entry, member)
    if refused is not None:
        raise DomainError(refused)
    entry.provider_reference = _clean_reference(reference, required=True)
    ledger.settle_refund(entry.payment, entry, now or utcnow())
    entry.actor_id = member.id
    db.session.flush()
    return entry


def refund_for_order(order_id: int, amount: Decimal | None, actor_id: int | None, note: str) -> LedgerEntry | None:
    """Refund ``amount`` (None: everything refundable) of an order's payment. Returns the entry or
    None when nothing was paid."""
    order = db.session.get(Order, order_id)
    payment = order.payment if order is not None else None
    if payment is None or payment.amount_paid <= ZERO:
        return None
    return request_refund(payment, payment.refundable if amount is None else amount, actor_id, note)


@dataclass(frozen=True)
class Mismatch:
    order: Order
    local_paid: Decimal
    local_refunded: Decimal
    remote_paid: Decimal | None
    remote_refunded: Decimal | None
    error: str = ""


def reconcile() -> list[Mismatch]:
    """Orders whose payment the provider sees differently (paid or refunded amounts), and those the
    provider could not be asked about. Manual payments have no remote side and are skipped."""
    mismatches = []
    payments = db.session.scalars(select(Payment).where(Payment.provider != "manual").order_by(Payment.order_id))
    for payment in payments:
        provider = get_provider(payment.provider, current_app.config)
        if provider is None:
            continue
        try:
            remote = provider.remote_state(payment)
        except ProviderError as error:
            mismatches.append(
                Mismatch(payment.order, payment.amount_paid, payment.amount_refunded, None, None, str(error))
            )
            continue
        if remote is not None and remote != (payment.amount_paid, payment.amount_refunded):
            mismatches.append(Mismatch(payment.order, payment.amount_paid, payment.amount_refunded, *remote))
    return mismatches


def _lock(order: Order) -> None:
    """The order's row lock, then its payment as committed: a payment read before the lock may be
    stale by what the request that held it wrote."""
    transitions.lock(order)
    if order.payment is not None:
        db.session.refresh(order.payment)


def _payment_for(order: Order, provider_name: str) -> Payment:
    """The order's payment (the caller holds the order's row lock), created or switched to
    ``provider_name`` while no money has arrived."""
    return ledger.locked_payment(order, provider_name)


def _check_amount(provider_name: str, order: Order, event: PaymentEvent) -> None:
    payment = ledger.locked_payment(order, provider_name)
    if event.checkout_amount == payment.amount:
        return
    log.warning(
        "refused %s event %s for order %s: checkout amount %s, payment amount %s",
        provider_name,
        event.id,
        order.id,
        event.checkout_amount,
        payment.amount,
    )
    payment.attention = Attention.AMOUNT.value
    db.session.flush()
    raise AmountMismatch(event.id)


def _event_order(event: PaymentEvent) -> Order | None:
    if event.order_id is not None:
        order = db.session.get(Order, event.order_id)
        if order is not None:
            return order
    if event.provider_reference:
        return db.session.scalar(
            select(Order).join(Payment).where(Payment.provider_reference == event.provider_reference)
        )
    return None


def _send_refund(payment: Payment, entry: LedgerEntry, now: datetime) -> bool:
    """Send the pending refund ``entry`` to the provider (under its idempotency key, so never made
    twice) and record its answer: succeeded, still pending (WeChat's PROCESSING: the notification
    or the retry job's query settles it) or failed. Returns True when the provider accepted it."""
    provider = get_provider(payment.provider, current_app.config)
    if provider is None or provider.manual:
        return False
    try:
        report = provider.refund(payment, entry.amount, entry.idempotency_key)
    except ProviderError as error:
        log.warning("refund %s for order %s left pending: %s", entry.idempotency_key, payment.order_id, error)
        return False
    ledger.record_refund_result(payment, entry, report, now)
    return True


def _follow_refund(payment: Payment, entry: LedgerEntry, now: datetime) -> None:
    """A refund the provider accepted and is still making: ask where it stands (when the provider
    can say), else send it again under the same key, which answers the same."""
    provider = get_provider(payment.provider, current_app.config)
    if provider is None or provider.manual:
        return
    try:
        report = provider.query_refund(payment, entry.idempotency_key)
    except ProviderError as error:
        log.warning("refund %s for order %s not checked: %s", entry.idempotency_key, payment.order_id, error)
        return
    if report is None:
        _send_refund(payment, entry, now)
    else:
        ledger.record_refund_result(payment, entry, report, now)


def _clean_reference(text: str | None, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise PaymentInvalid("reference", _("Enter the reference of the transfer."))
    if len(text) > MAX_REFERENCE_LENGTH:
        raise PaymentInvalid("reference", _("At most %(n)s characters.", n=MAX_REFERENCE_LENGTH))
    return text
