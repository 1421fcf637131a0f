"""Bank transfer or cash on delivery: the buyer records the transfer reference on the order page,
the seller confirms receipt, refunds are recorded by hand with their bank reference."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.formatting import money
from app.payments.providers.base import REFUND_PENDING, PaymentProvider, PaymentStart, RefundReport, register


@register
class ManualProvider(PaymentProvider):
    name = "manual"
    label = _l("Bank transfer or cash on delivery")
    manual = True

    def create_payment(self, order, attempt: int, return_url: str, device: str = "desktop") -> PaymentStart:
        return PaymentStart(instructions=self.instructions(order))

    @staticmethod
    def instructions(order) -> str:
        return _(
            "Pay %(amount)s to the seller by bank transfer quoting order %(number)s, or in cash on delivery, "
            "then record how you paid.",
            amount=money(order.total),
            number=order.number,
        )

    def refund(self, payment, amount, idempotency_key: str) -> RefundReport:
        # Money goes back by hand; the seller or an admin records the bank reference afterwards.
        return RefundReport("", amount, REFUND_PENDING)
