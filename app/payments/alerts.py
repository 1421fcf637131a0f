"""Telling the admins about money that did not move as Jishi asked: a refund the payment provider
will not make (WeChat Pay ABNORMAL / CLOSED, a Stripe refund failed, a refund Alipay refuses for
good). Through notify's outbox, like the SMS budget warning: rows written in the caller's
transaction, e-mail to every admin, urgent and in the "account" category (cannot be switched off).
The failed refund also shows on the order page's ledger and on /admin/payments."""

from __future__ import annotations

from sqlalchemy import select

from app.core.formatting import money
from app.core.urls import public_url
from app.extensions import db
from app.members.models import Member
from app.notify.preferences import register_event
from app.notify.services import enqueue

REFUND_FAILED_EVENT = "payment_refund_failed"
register_event(REFUND_FAILED_EVENT, "account")


def refund_failed(payment, entry) -> None:
    """payment_refund_failed to every admin (e-mail only: the registry has no SMS for it)."""
    order = payment.order
    context = {
        "number": order.number,
        "amount": money(entry.amount),
        "provider": payment.provider,
        "refund_id": entry.provider_object or entry.idempotency_key or "",
        "link": public_url("trade.show_order", order_id=order.id) + "#payment",
    }
    for admin in db.session.scalars(select(Member).where(Member.is_admin.is_(True)).order_by(Member.id)):
        enqueue(admin, REFUND_FAILED_EVENT, context, urgent=True, channels=("email",))
