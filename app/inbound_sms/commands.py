"""The SMS command executor: one function per parsed command (sms.commands), each answering with
an Outcome (the command's name for the log and the reply: a replies.Reply, a registry template and
its parameters in the locale the caller forced).

A refusal (suspended member, a draft that is not theirs, a trade rule) raises Refused so the caller
rolls back whatever the command had started; the reply still goes out and the message is logged."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.catalogue.models import Commodity, Region
from app.catalogue.models import Unit as CatalogueUnit
from app.core.errors import DomainError
from app.core.transitions import TransitionLost
from app.core.urls import public_url
from app.extensions import db
from app.inbound_sms import contract_texts, knowledge_commands, offer_codes, order_texts, replies
from app.inbound_sms.catalogue import sms_catalogue
from app.inbound_sms.replies import Reply
from app.market.prices import latest_reference
from app.market.subscriptions import subscribe_phone, unsubscribe_phone
from app.members.codes import phone_proved_by_reply
from app.members.models import Member
from app.members.services import MemberSuspended, ensure_can_write
from app.notify import optout
from app.postings import services as postings
from app.postings.models import Posting, PostingStatus
from app.postings.services import PostingData, PostingInvalid
from app.trade import negotiations
from app.trade.errors import TradeInvalid
from app.trade.models import OfferStatus
from sms import commands as sms
from sms.catalogue import Unit, fold

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Outcome:
    command: str
    reply: Reply
    files_to_delete: tuple[str, ...] = ()


class Refused(Exception):
    """The command was understood but not carried out; ``outcome`` is the reply to send."""

    def __init__(self, command: str, reply: Reply):
        super().__init__(reply.template)
        self.outcome = Outcome(command, reply)


@dataclass
class Sender:
    phone: str
    body: str
    member: Member | None
    locale: str
    # Photo files of discarded drafts: the caller deletes them once the commit has succeeded.
    files_to_delete: list[str] = field(default_factory=list)


def execute(phone: str, body: str, member: Member | None, locale: str) -> Outcome:
    """Parse ``body`` and run it for the sender. Returns the Outcome; raises Refused when the
    command must leave no change behind. Does not commit."""
    sender = Sender(phone, body, member, locale)
    try:
        command = sms.parse(body, sms_catalogue())
    except sms.ParseError as error:
        return Outcome("error", replies.error_reply(error))
    name, handler, members_only = _HANDLERS.get(type(command), ("help", _help, False))
    if isinstance(command, sms.Listing):
        name = command.side
    elif isinstance(command, sms.OrderStep):
        name = f"order_{command.action}"
    if members_only and member is None:
        return Outcome(name, replies.signup_reply(public_url("members.signup")))
    try:
        reply = handler(command, sender)
        return Outcome(name, reply, tuple(sender.files_to_delete))
    except MemberSuspended:
        raise Refused(name, replies.suspended_reply()) from None
    except (DomainError, TradeInvalid, PostingInvalid) as error:
        raise Refused(name, replies.refused_reply(str(error.message))) from None


def _help(_command, _sender: Sender) -> Reply:
    return replies.help_reply()


def _opt_out(_command, sender: Sender) -> Reply:
    optout.opt_out(sender.phone, _keyword(sender.body))
    return replies.opted_out_reply()


def _opt_out_hint(_command, _sender: Sender) -> Reply:
    return replies.opt_out_hint_reply()


def _opt_in(_command, sender: Sender) -> Reply:
    """START / UNSTOP / YES resume SMS only for a number that stopped them; otherwise a bare YES is
    most likely a draft confirmation without its number, and the reply says how to send one."""
    if not optout.is_opted_out(sender.phone):
        return replies.already_opted_in_reply()
    optout.opt_in(sender.phone)
    return replies.opted_in_reply()


def _keyword(text: str) -> str:
    """The opt-out word as sent, without the punctuation around it ("stop." → "STOP")."""
    word = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())
    return word.upper()[:20] or "STOP"


def _commodity(slug: str) -> Commodity:
    return db.session.scalar(select(Commodity).where(Commodity.slug == slug))


def _prices_link(commodity: Commodity) -> str:
    return public_url("market.commodity_prices", slug=commodity.slug)


def _price(command: sms.PriceQuery, _sender: Sender) -> Reply:
    commodity = _commodity(command.commodity)
    province = db.session.get(Region, command.province) if command.province else None
    quote = latest_reference(commodity.id, command.province)
    link = _prices_link(commodity)
    if quote is None:
        return replies.no_prices_reply(commodity, link)
    return replies.price_reply(commodity, province, quote, link)


def _subscribe(command: sms.Subscribe, sender: Sender) -> Reply:
    commodity = _commodity(command.commodity)
    subscribe_phone(sender.phone, commodity.id, command.province, sender.locale, member=sender.member)
    province = db.session.get(Region, command.province) if command.province else None
    return replies.subscribed_reply(commodity, province)


def _unsubscribe(command: sms.Unsubscribe, sender: Sender) -> Reply:
    commodity = _commodity(command.commodity) if command.commodity else None
    removed = unsubscribe_phone(sender.phone, commodity.id if commodity else None, command.province)
    return replies.unsubscribed_reply(removed)


def _convert_price(
    price: Decimal, price_unit: Unit | None, unit_code: str, kg_per_unit: Decimal | None, command: str
) -> Decimal:
    """A price per ``price_unit`` as a price per the posting's unit (``unit_code``), to the cent.
    Raises Refused when the units cannot be converted or the price rounds to nothing."""
    if price_unit is not None and price_unit.code != unit_code:
        if price_unit.kg_per_unit is None or kg_per_unit is None:
            raise Refused(command, replies.error_reply(sms.ParseError("unit_mismatch", command)))
        price = price / price_unit.kg_per_unit * Decimal(kg_per_unit)
    price = price.quantize(CENT, rounding=ROUND_HALF_UP)
    if price <= 0:
        raise Refused(command, replies.error_reply(sms.ParseError("not_positive", command)))
    return price


def _province_in_note(note: str) -> tuple[str | None, str]:
    """A province named at the start of a SELL/BUY note ("河南 货好") → (code, rest of the note)."""
    folded = fold(note)
    provinces = sms_catalogue().provinces
    for length in range(min(len(folded), 40), 0, -1):
        key = folded[:length]
        if key not in provinces:
            continue
        latin_word_continues = (
            key[-1].isascii()
            and key[-1].isalpha()
            and length < len(folded)
            and folded[length].isascii()
            and folded[length].isalpha()
        )
        if not latin_word_continues:
            return provinces[key], unicodedata.normalize("NFKC", note)[length:].strip(" ,，")
    return None, note


def _listing(command: sms.Listing, sender: Sender) -> Reply:
    member = sender.member
    ensure_can_write(member)
    commodity = _commodity(command.commodity)
    province_code, note = _province_in_note(command.note)
    if command.province is not None:
        province_code = command.province
    if province_code is None and member.storefront is not None:
        province_code = member.storefront.province_code
    if province_code is None:
        raise Refused(command.side, replies.province_needed_reply(command.side))
    unit = command.unit
    data = PostingData(
        kind=command.side,
        commodity_id=commodity.id,
        title=replies.name(commodity),
        quantity=command.quantity,
        unit_code=unit.code,
        unit_weight_kg=command.unit_weight_kg,
        province_code=province_code,
        description=note,
        price=_convert_price(command.price, command.price_unit, unit.code, command.kg_of(unit), command.side),
    )
    posting = postings.create_posting(member, data, publish=False)
    as_written = ""
    if command.price_unit.code != unit.code or posting.price != command.price:
        as_written = replies.price_as_written(command.price, db.session.get(CatalogueUnit, command.price_unit.code))
    return replies.draft_reply(posting, _posting_link(posting), as_written, command.unread)


def _posting_link(posting: Posting) -> str:
    return public_url("postings.show_posting", posting_id=posting.id)


def _own_draft(number: int, member: Member, command: str) -> Posting:
    """The member's draft ``number``; raises Refused with what a text about it gets otherwise. Read
    from the database, not this session's memory: a text that lost a race asks again afterwards."""
    posting = db.session.get(Posting, number, populate_existing=True)
    # Someone else's posting answers exactly like a missing one: numbers are easy to guess.
    if posting is None or posting.owner_id != member.id:
        raise Refused(command, replies.no_such_draft_reply(number))
    if posting.status != PostingStatus.DRAFT.value:
        if command == "confirm" and posting.status in (PostingStatus.ACTIVE.value, PostingStatus.PAUSED.value):
            raise Refused(command, replies.already_published_reply(posting, _posting_link(posting)))
        raise Refused(command, replies.not_a_draft_reply(number))
    return posting


def _confirm(command: sms.Confirm, sender: Sender) -> Reply:
    member = sender.member
    ensure_can_write(member)
    posting = _own_draft(command.number, member, "confirm")
    try:
        postings.change_status(posting, "publish", member)
    except TransitionLost:
        # A simultaneous YES (or NO) for this draft came first: answer as a text arriving after it.
        _own_draft(command.number, member, "confirm")
        raise
    phone_proved_by_reply(member)
    return replies.published_reply(posting, _posting_link(posting))


def _discard(command: sms.Discard, sender: Sender) -> Reply:
    member = sender.member
    ensure_can_write(member)
    posting = _own_draft(command.number, member, "discard")
    try:
        sender.files_to_delete.extend(postings.discard_draft(posting, member))
    except TransitionLost:
        _own_draft(command.number, member, "discard")
        raise
    return replies.discarded_reply(command.number)


def _offers(_command, sender: Sender) -> Reply:
    found = offer_codes.answerable_offers(sender.member)
    if not found:
        return replies.no_offers_reply()
    return replies.offers_reply([replies.offer_line(item.code, item.offer, item.negotiation.posting) for item in found])


def _one_offer(code: str, sender: Sender, command: str) -> offer_codes.AnswerableOffer:
    ensure_can_write(sender.member)
    matches = offer_codes.resolve(sender.member, code)
    if not matches:
        raise Refused(command, _no_open_offer_reply(code, sender))
    if len(matches) > 1:
        raise Refused(command, replies.ambiguous_offer_reply())
    return matches[0]


def _no_open_offer_reply(code: str, sender: Sender) -> Reply:
    """What a text about an offer that is not open gets: what was done with it (a repeated ACCEPT
    says which order it placed), else "no open offer"."""
    answered = offer_codes.answered_offer(sender.member, code)
    if answered is None:
        return replies.no_such_offer_reply(code)
    status = answered.offer.status
    if status == OfferStatus.ACCEPTED.value and answered.order is not None:
        order = answered.order
        return replies.already_accepted_reply(code, order.number, public_url("notify.short_order", order_id=order.id))
    if status == OfferStatus.COUNTERED.value:
        link = public_url("notify.short_negotiation", negotiation_id=answered.offer.negotiation_id)
        return replies.already_countered_reply(code, link)
    return replies.already_declined_reply(code)


def _answer_once(code: str, sender: Sender, command: str, decide: Callable[[], Reply]) -> Reply:
    """Run ``decide`` (a decision by the trade services, a compare-and-set on the offer). When a
    simultaneous text decided the offer first, this one is answered as a text arriving after it."""
    try:
        return decide()
    except TransitionLost:
        raise Refused(command, _no_open_offer_reply(code, sender)) from None


def _accept(command: sms.Accept, sender: Sender) -> Reply:
    item = _one_offer(command.code, sender, "accept")

    def decide() -> Reply:
        order = negotiations.accept_offer(item.negotiation, item.offer.id, sender.member)
        return replies.accepted_reply(order.number, public_url("notify.short_order", order_id=order.id))

    return _answer_once(command.code, sender, "accept", decide)


def _decline(command: sms.Decline, sender: Sender) -> Reply:
    if (
        re.fullmatch(r"J\d+", command.code)
        and not offer_codes.resolve(sender.member, command.code)
        and offer_codes.answered_offer(sender.member, command.code) is None
    ):
        # "DECLINE J234" is an offer code and an order number: with no offer so coded, the order.
        return _order_step(sms.OrderStep("decline", int(command.code[1:])), sender)
    item = _one_offer(command.code, sender, "decline")

    def decide() -> Reply:
        negotiations.decline_offer(item.negotiation, item.offer.id, sender.member)
        return replies.declined_reply(command.code)

    return _answer_once(command.code, sender, "decline", decide)


def _counter(command: sms.Counter, sender: Sender) -> Reply:
    item = _one_offer(command.code, sender, "counter")
    posting = item.negotiation.posting
    unit = posting.unit
    price = _convert_price(command.price, command.price_unit, unit.code, unit.kg_per_unit, "counter")
    terms = negotiations.OfferTerms(quantity=item.offer.quantity, unit_price=price, delivery=item.offer.delivery)

    def decide() -> Reply:
        negotiations.counter_offer(item.negotiation, sender.member, terms)
        link = public_url("notify.short_negotiation", negotiation_id=item.negotiation.id)
        return replies.countered_reply(price, unit, link)

    return _answer_once(command.code, sender, "counter", decide)


def _order_step(command: sms.OrderStep, sender: Sender) -> Reply:
    try:
        return order_texts.take_step(command, sender.member)
    except order_texts.NotTaken as refusal:
        raise Refused(f"order_{command.action}", refusal.reply) from None


def _orders(_command, sender: Sender) -> Reply:
    return order_texts.list_open_orders(sender.member)


def _contract(command: sms.AcceptContract, sender: Sender) -> str:
    try:
        return contract_texts.accept_by_sms(command, sender.member, sender.locale)
    except order_texts.NotTaken as refusal:
        raise Refused("contract", refusal.reply) from None


# Parsed command type → (name in the log, handler, registered members only).
_HANDLERS = {
    sms.Help: ("help", _help, False),
    sms.Unknown: ("help", _help, False),
    sms.OptOut: ("optout", _opt_out, False),
    sms.OptOutHint: ("optout_hint", _opt_out_hint, False),
    sms.OptIn: ("optin", _opt_in, False),
    sms.PriceQuery: ("price", _price, False),
    sms.Subscribe: ("sub", _subscribe, False),
    sms.Unsubscribe: ("unsub", _unsubscribe, False),
    sms.Listing: ("listing", _listing, True),
    sms.Confirm: ("confirm", _confirm, True),
    sms.Discard: ("discard", _discard, True),
    sms.Offers: ("offers", _offers, True),
    sms.Accept: ("accept", _accept, True),
    sms.Decline: ("decline", _decline, True),
    sms.Counter: ("counter", _counter, True),
    sms.OrderStep: ("order", _order_step, True),
    sms.Orders: ("orders", _orders, True),
    # Ask an expert: anyone may ask, registered or not (the answer goes to the number that asked).
    sms.AskQuestion: ("ask", knowledge_commands.ask, False),
    sms.PublishQuestion: ("publish_question", knowledge_commands.publish, False),
    sms.AcceptContract: ("contract", _contract, True),
}
