"""Stripe Checkout: a Checkout Session per attempt (idempotency key order-<id>-attempt-<n>), the
payment recorded from signed webhooks only, refunds through stripe.Refund.

Events understood, each turned into a PaymentEvent about one PaymentIntent (the payment object the
ledger keys charges by, docs/payments.md): checkout.session.completed and
checkout.session.async_payment_succeeded (when paid) and payment_intent.succeeded — Stripe sends a
session event and the intent event for every Checkout payment, both naming the same PaymentIntent —;
charge.refunded (the charge's cumulative ``amount_refunded``, and its refunds when the API version
still embeds them); refund.created, refund.updated and charge.refund.updated (one refund by its
``re_…`` id). Session, intent and charge carry the order id in metadata; refunds are matched to the
order through their PaymentIntent.
"""

from __future__ import annotations

from decimal import Decimal

import stripe
from flask_babel import lazy_gettext as _l

from app.payments.providers.base import (
    IGNORED,
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    REFUND_UPDATED,
    InvalidSignature,
    PaymentEvent,
    PaymentProvider,
    PaymentStart,
    ProviderError,
    RefundReport,
    from_minor_units,
    register,
    to_minor_units,
)


@register
class StripeProvider(PaymentProvider):
    name = "stripe"
    label = _l("Card or wallet (Stripe)")

    @classmethod
    def enabled(cls, config) -> bool:
        return bool(config.get("STRIPE_SECRET_KEY"))

    @property
    def _key(self) -> str:
        return self.config["STRIPE_SECRET_KEY"]

    def create_payment(self, order, attempt: int, return_url: str, device: str = "desktop") -> PaymentStart:
        metadata = {"order_id": str(order.id)}
        try:
            session = stripe.checkout.Session.create(
                api_key=self._key,
                idempotency_key=f"order-{order.id}-attempt-{attempt}",
                mode="payment",
                client_reference_id=str(order.id),
                metadata=metadata,
                payment_intent_data={"metadata": metadata},
                line_items=[
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": self.config["CURRENCY"].lower(),
                            "unit_amount": to_minor_units(order.total),
                            "product_data": {"name": f"{order.number} {order.title}"},
                        },
                    }
                ],
                success_url=return_url,
                cancel_url=return_url,
            )
        except stripe.StripeError as error:
            raise ProviderError(str(error)) from error
        return PaymentStart(redirect_url=session.url, checkout_reference=session.id)

    def parse_and_verify_webhook(self, raw_body: bytes, headers) -> PaymentEvent:
        try:
            event = stripe.Webhook.construct_event(
                raw_body,
                headers.get("Stripe-Signature"),
                self.config.get("STRIPE_WEBHOOK_SECRET"),
                tolerance=self.config["STRIPE_WEBHOOK_TOLERANCE"],
            )
            return _to_payment_event(event.to_dict())
        except (stripe.SignatureVerificationError, ValueError, TypeError, KeyError, AttributeError) as error:
            # ValueError covers undecodable bytes and bad JSON after a valid signature.
            raise InvalidSignature(str(error)) from error

    def refund(self, payment, amount: Decimal, idempotency_key: str) -> RefundReport:
        if not payment.provider_reference:
            raise ProviderError("no PaymentIntent to refund yet")
        try:
            refund = stripe.Refund.create(
                api_key=self._key,
                idempotency_key=idempotency_key,
                payment_intent=payment.provider_reference,
                amount=to_minor_units(amount),
            )
        except stripe.StripeError as error:
            raise ProviderError(str(error)) from error
        return _refund_report(refund.to_dict())

    def remote_state(self, payment) -> tuple[Decimal, Decimal] | None:
        try:
            intent_id = payment.provider_reference
            if not intent_id and payment.checkout_reference:
                session = stripe.checkout.Session.retrieve(payment.checkout_reference, api_key=self._key)
                if session.payment_status != "paid" or not session.payment_intent:
                    return Decimal("0.00"), Decimal("0.00")
                intent_id = session.payment_intent
            if not intent_id:
                return None
            intent = stripe.PaymentIntent.retrieve(intent_id, api_key=self._key, expand=["latest_charge"])
        except stripe.StripeError as error:
            raise ProviderError(str(error)) from error
        data = intent.to_dict()
        charge = data.get("latest_charge")
        refunded = charge.get("amount_refunded", 0) if isinstance(charge, dict) else 0
        return from_minor_units(data.get("amount_received")), from_minor_units(refunded)


def _order_id(obj: dict) -> int | None:
    raw = (obj.get("metadata") or {}).get("order_id") or obj.get("client_reference_id")
    return int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 10 else None


SESSION_PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
REFUND_EVENTS = ("refund.created", "refund.updated", "charge.refund.updated")


def _refund_report(refund: dict) -> RefundReport:
    """A Stripe Refund: succeeded, failed or canceled (will not be made), anything else pending."""
    status = refund.get("status")
    if status == "succeeded":
        state = REFUND_SUCCEEDED
    elif status in ("failed", "canceled"):
        state = REFUND_FAILED
    else:
        state = REFUND_PENDING
    return RefundReport(str(refund["id"]), from_minor_units(refund.get("amount")), state)


def _to_payment_event(event: dict) -> PaymentEvent:
    kind = event["type"]
    obj = event["data"]["object"]
    event_id = str(event["id"])
    currency = str(obj.get("currency") or "")
    if kind in SESSION_PAID and obj.get("payment_status") == "paid":
        return PaymentEvent(
            event_id,
            PAYMENT_SUCCEEDED,
            _order_id(obj),
            from_minor_units(obj.get("amount_total")),
            str(obj.get("payment_intent") or ""),
            currency=currency,
        )
    if kind == "payment_intent.succeeded":
        return PaymentEvent(
            event_id,
            PAYMENT_SUCCEEDED,
            _order_id(obj),
            from_minor_units(obj.get("amount_received")),
            str(obj["id"]),
            currency=currency,
        )
    if kind == "charge.refunded":
        embedded = (obj.get("refunds") or {}).get("data") or []
        return PaymentEvent(
            event_id,
            REFUND_UPDATED,
            _order_id(obj),
            from_minor_units(obj.get("amount_refunded")),
            str(obj.get("payment_intent") or ""),
            paid_amount=from_minor_units(obj.get("amount_captured")),
            currency=currency,
            refunds=tuple(_refund_report(refund) for refund in embedded),
        )
    if kind in REFUND_EVENTS and obj.get("payment_intent"):
        return PaymentEvent(
            event_id,
            REFUND_UPDATED,
            None,
            None,
            str(obj["payment_intent"]),
            currency=currency,
            refunds=(_refund_report(obj),),
        )
    return PaymentEvent(event_id, IGNORED, None, Decimal("0.00"))
