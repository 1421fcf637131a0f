"""The interface every payment provider implements, and the registry of provider modules.

A provider turns an order into a way to pay (a redirect URL or instructions), turns a webhook
request into a verified PaymentEvent, and refunds. It never touches the database: app.payments.services
records what the provider reports.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# Event types a provider reports (see docs/payments.md, "The ledger rules"). A provider's event is
# about one payment object (Stripe: a PaymentIntent; WeChat Pay: a transaction_id; Alipay: a
# trade_no) and reports totals, so replays and out-of-order delivery only move the record forward.
PAYMENT_SUCCEEDED = "payment_succeeded"  # amount = received on the payment object so far, in currency
REFUND_UPDATED = "refund_updated"  # amount = refunded on the payment object so far (None: unknown);
# refunds = the single refunds the event names; paid_amount = received on the payment object
IGNORED = "ignored"


class InvalidSignature(Exception):
    """The webhook request is not provably from the provider (bad, missing or stale signature) or
    cannot be read at all."""


class ProviderError(Exception):
    """The provider refused or could not be reached; nothing was changed there."""


@dataclass(frozen=True)
class RefundReport:
    """One refund as the provider names it (Stripe ``re_…``, WeChat ``refund_id``, Alipay
    ``out_request_no``): its amount, and whether the money went back (only those count)."""

    id: str
    amount: Decimal
    succeeded: bool = True


@dataclass(frozen=True)
class PaymentEvent:
    """A verified provider event in the provider-neutral form app.payments.ledger records.

    ``provider_reference`` is the payment object's id; ``currency`` its ISO code (any case; empty
    means the shop's own currency, for providers that only ever pay in it)."""

    id: str
    type: str
    order_id: int | None
    amount: Decimal | None
    provider_reference: str = ""
    paid_amount: Decimal | None = None
    currency: str = ""
    refunds: tuple[RefundReport, ...] = ()


@dataclass(frozen=True)
class PaymentStart:
    """What create_payment hands back: a URL to send the buyer to, or instructions to show."""

    redirect_url: str | None = None
    instructions: str = ""
    checkout_reference: str | None = None


class PaymentProvider(ABC):
    """Subclass, set ``name`` and ``label``, implement the abstract methods, and register the class."""

    name: str = ""
    label = ""
    # Manual providers are confirmed by people on the order page; automatic ones by webhooks.
    manual: bool = False

    def __init__(self, config: Mapping):
        self.config = config

    @classmethod
    def enabled(cls, config: Mapping) -> bool:
        """Whether this provider has the settings it needs."""
        return True

    @abstractmethod
    def create_payment(self, order, attempt: int, return_url: str) -> PaymentStart:
        """Start paying ``order``: a redirect URL or instructions for the buyer."""

    def parse_and_verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Verify the signature over ``raw_body`` first, then parse. Raises InvalidSignature."""
        raise InvalidSignature("this provider sends no webhooks")

    @abstractmethod
    def refund(self, payment, amount: Decimal, idempotency_key: str) -> str:
        """Refund ``amount`` of ``payment``; returns the provider's reference. Raises ProviderError."""

    def remote_state(self, payment) -> tuple[Decimal, Decimal] | None:
        """(paid, refunded) as the provider sees it, for reconciliation; None when unknowable."""
        return None


def to_minor_units(amount: Decimal) -> int:
    """Yuan to fen (or any two-decimal currency's minor unit), exact."""
    return int((Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP) * 100).to_integral_exact())


def from_minor_units(value) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(CENT)


_REGISTRY: dict[str, type[PaymentProvider]] = {}


def register(provider_class: type[PaymentProvider]) -> type[PaymentProvider]:
    _REGISTRY[provider_class.name] = provider_class
    return provider_class


def registered() -> dict[str, type[PaymentProvider]]:
    return dict(_REGISTRY)
