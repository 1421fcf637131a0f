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


# Where one refund stands at the provider (RefundReport.status).
REFUND_SUCCEEDED = "succeeded"  # the money went back (WeChat SUCCESS, Alipay fund_change / REFUND_SUCCESS)
REFUND_PENDING = "pending"  # accepted, not yet made (WeChat PROCESSING, Stripe pending)
REFUND_FAILED = "failed"  # the provider will not make it (WeChat ABNORMAL / CLOSED, Stripe failed / canceled)


@dataclass(frozen=True)
class RefundReport:
    """One refund as the provider names it (Stripe ``re_…``, WeChat ``refund_id``, Alipay
    ``out_request_no``): its amount and its status (only succeeded ones count as refunded)."""

    id: str
    amount: Decimal
    status: str = REFUND_SUCCEEDED

    @property
    def succeeded(self) -> bool:
        return self.status == REFUND_SUCCEEDED


@dataclass(frozen=True)
class PaymentEvent:
    """A verified provider event in the provider-neutral form app.payments.ledger records.

    ``provider_reference`` is the payment object's id; ``currency`` its ISO code (any case; empty
    means the shop's own currency, for providers that only ever pay in it). ``checkout_amount`` is
    the amount the provider's checkout was created for (Alipay ``total_amount``), for providers
    whose checkout fixes it: when it is not the payment's amount, services.apply_event refuses the
    event and flags the payment for an admin."""

    id: str
    type: str
    order_id: int | None
    amount: Decimal | None
    provider_reference: str = ""
    paid_amount: Decimal | None = None
    currency: str = ""
    refunds: tuple[RefundReport, ...] = ()
    checkout_amount: Decimal | None = None


@dataclass(frozen=True)
class PaymentStart:
    """What create_payment hands back: a URL to send the buyer to, a code to show as a QR code, or
    instructions to show."""

    redirect_url: str | None = None
    instructions: str = ""
    checkout_reference: str | None = None
    # A payment code the order page shows as a QR code to scan with the provider's app (WeChat Pay
    # Native's code_url); kept on the payment until it is paid or replaced.
    qr_code: str | None = None


@dataclass(frozen=True)
class SplitReceiver:
    """One receiver of a split settlement (分账): the seller's account at the provider
    (WeChat Pay: MERCHANT_ID or PERSONAL_OPENID; Alipay: userId or loginName), the amount in minor
    units (fen) and the description the provider shows."""

    account_type: str
    account: str
    amount_minor: int
    description: str
    name: str = ""


@dataclass(frozen=True)
class SplitReceiverResult:
    account: str
    amount_minor: int
    # "pending" | "success" | "closed" (WeChat Pay: PENDING/SUCCESS/CLOSED; Alipay mapped likewise)
    state: str
    fail_reason: str = ""


@dataclass(frozen=True)
class SplitResult:
    """What the provider says about one split request: Jishi's request number, the provider's id
    for it, its overall state ("processing" | "finished") and each receiver's state."""

    out_request_no: str
    provider_id: str
    state: str
    receivers: tuple[SplitReceiverResult, ...] = ()


@dataclass(frozen=True)
class StatementLine:
    """One line of the provider's split-settlement bill for a day, for reconciliation."""

    out_request_no: str
    provider_id: str
    account: str
    amount_minor: int
    state: str


class PaymentProvider(ABC):
    """Subclass, set ``name`` and ``label``, implement the abstract methods, and register the class."""

    name: str = ""
    label = ""
    # Manual providers are confirmed by people on the order page; automatic ones by webhooks.
    manual: bool = False
    # The buyer's IP address, set by app.payments.services.start_payment; WeChat Pay H5 requires it.
    client_ip: str = "127.0.0.1"
    # Whether the buyer comes back to a "checking your payment" page that asks the provider
    # (query_payment) instead of straight to the order page.
    return_checks: bool = False

    def __init__(self, config: Mapping):
        self.config = config

    @classmethod
    def enabled(cls, config: Mapping) -> bool:
        """Whether this provider has the settings it needs."""
        return True

    @abstractmethod
    def create_payment(self, order, attempt: int, return_url: str, device: str = "desktop") -> PaymentStart:
        """Start paying ``order``: a redirect URL or instructions for the buyer. ``device`` is
        "desktop" or "phone", for providers whose checkout differs (Alipay page or wap pay)."""

    def query_payment(self, payment) -> PaymentEvent | None:
        """Ask the provider whether ``payment``'s latest checkout was paid, for the page the buyer
        returns to: the event to apply, or None while it is not paid. Raises ProviderError."""
        return None

    def parse_and_verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Verify the signature over ``raw_body`` first, then parse. Raises InvalidSignature."""
        raise InvalidSignature("this provider sends no webhooks")

    @abstractmethod
    def refund(self, payment, amount: Decimal, idempotency_key: str) -> RefundReport:
        """Refund ``amount`` of ``payment`` (idempotent by ``idempotency_key``); returns the refund as
        the provider names it and where it stands (a refund the provider is still making is
        pending, one it will not make failed). Raises ProviderError when nothing was accepted."""

    def query_refund(self, payment, idempotency_key: str) -> RefundReport | None:
        """Where the refund sent under ``idempotency_key`` stands now, for refunds the provider
        answered as pending; None when the provider cannot say (the refund is sent again, under
        the same key). Raises ProviderError."""
        return None

    # Split settlement (分账) to sellers, for providers that hold the buyer's money until it is split.
    supports_split: bool = False

    def request_split(self, payment, out_request_no: str, receivers: tuple[SplitReceiver, ...]) -> SplitResult:
        """Ask the provider to pay ``receivers`` their shares out of ``payment``; idempotent by
        ``out_request_no``. Raises ProviderError."""
        raise ProviderError(f"{self.name} does not split settlements")

    def query_split(self, payment, out_request_no: str) -> SplitResult:
        """The provider's state of an earlier split request. Raises ProviderError."""
        raise ProviderError(f"{self.name} does not split settlements")

    def finish_split(self, payment, out_request_no: str) -> SplitResult:
        """Release what is left of ``payment`` to the platform's own account (WeChat Pay's
        unfreeze / Alipay's settle-complete). Raises ProviderError."""
        raise ProviderError(f"{self.name} does not split settlements")

    def split_statement(self, day) -> list[StatementLine]:
        """The provider's split-settlement bill for ``day`` (a date). Raises ProviderError."""
        raise ProviderError(f"{self.name} does not split settlements")

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
