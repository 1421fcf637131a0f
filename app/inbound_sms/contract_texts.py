"""Accepting an order's purchase contract by SMS: CONTRACT J3 / 合同 J3 / 同意合同 J3 from a party's
verified phone accepts the current version, in the language of the sender's SMS (Chinese, which
prevails, or English), through the same contract service as the website's button."""

from __future__ import annotations

from app.contracts import services as contracts
from app.core.urls import public_url
from app.extensions import db
from app.inbound_sms import replies
from app.inbound_sms.order_texts import NotTaken, order_number
from app.members.models import Member
from app.trade.models import Order
from sms.command_types import AcceptContract


def accept_by_sms(command: AcceptContract, member: Member, locale: str) -> str:
    """Accept the current contract of order ``command.number`` as ``member``. Returns the reply.

    Raises NotTaken for an order that is not the member's (answered like a missing one), a phone
    the member has not verified, or a version the member accepted already; DomainError (409) for a
    cancelled order; MemberSuspended for a suspended member."""
    order = db.session.get(Order, command.number, populate_existing=True)
    if order is None or not order.is_party(member):
        raise NotTaken(replies.no_such_order_reply(order_number(command.number)))
    if not member.phone_is_verified:
        raise NotTaken(replies.contract_phone_unverified_reply(order.number))
    link = public_url("contracts.show_contract", order_id=order.id)
    current = contracts.current_contract(order)
    if current.accepted_by(member) is not None:
        raise NotTaken(replies.contract_already_accepted_reply(order.number, current.number, link))
    language = "zh" if locale.lower().startswith("zh") else "en"
    acceptance, contract = contracts.accept_current(order, member, language, contracts.SMS)
    return replies.contract_accepted_reply(order.number, contract.number, acceptance.text_sha256, link)
