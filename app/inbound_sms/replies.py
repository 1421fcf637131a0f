"""The replies to SMS commands. Every reply is a ``Reply``: the name of a Category.REPLY template of
the SMS registry (sms/reply_templates.py) and its parameters as strings in the reader's language
(the caller forces the locale with flask_babel's force_locale). services.receive renders it
(``render``: the text for the inbound log and Twilio's TwiML) and the mainland providers' webhooks
write it to the outbox as template + parameters + text, so Alibaba Cloud and Tencent Cloud send it
as the template code they approved (SMS_TEMPLATE_CODES). No reply is free text.

To add a reply (a new command's answer):
1. add a template to sms/reply_templates.py: ``_reply("reply_<what>", (params…), English, Chinese)``
   with each variable declared (kind, longest length; names ``shorten=True``; a link as the fixed
   text ``{site}/{link}`` with a PATH ``link``), at most two parts with the signature;
2. here, a function returning ``reply("reply_<what>", name=value, …)`` (values in the reader's
   language; ``link=path(url)`` for a link; a member's own words through ``own_words`` first);
3. list the template in docs/sms-templates.md (tests/sms/test_templates.py checks the page and the
   fit) and in tests/inbound_sms/test_replies.py's ``_all_replies``; give its code per provider in
   SMS_TEMPLATE_CODES when the provider has approved it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import get_locale
from flask_babel import gettext as _

from app.catalogue.models import Commodity, Region, Unit
from app.core.formatting import quantity as format_quantity
from app.market.prices import ReferenceQuote
from app.notify import sms_templates
from app.postings.models import Posting
from sms import templates
from sms.reply_templates import ERROR_PROBLEMS, OFFER_SLOTS, ORDER_SLOTS
from sms.segments import fits
from sms.templates import RenderedSms, TemplateError

log = logging.getLogger("sms.templates")

# Weight units whose code every English-speaking farmer reads ("5 t", "500 kg"); others by name.
_SHORT_UNIT_CODES = frozenset({"kg", "g", "t", "lb", "jin"})
# What replaces a member's own words that a provider would refuse in a variable (a link, a contact).
_HIDDEN_WORDS = "..."
FALLBACK = "reply_unavailable"


@dataclass(frozen=True)
class Reply:
    """A reply to an SMS command: registry template ``template`` with ``params`` (strings)."""

    template: str
    params: dict[str, str] = field(default_factory=dict)


def reply(template: str, **params: object) -> Reply:
    """A Reply of ``template``, its parameter values turned into strings."""
    return Reply(template, {key: str(value) for key, value in params.items()})


def render(answer: Reply, locale: str) -> RenderedSms:
    """``answer`` rendered in ``locale`` with the configured site and signature (names shortened
    until it fits its parts); when it has a variant without its link (``<name>_short``) and does
    not fit, that variant. A reply that still cannot be rendered — a name or a reason longer than
    anyone measured — is logged by the registry and answered with ``reply_unavailable``: a reply is
    never sent cut beyond its shortened names, and never lost."""
    fallback = templates.get(answer.template).fallback if answer.template in templates.REGISTRY else None
    try:
        return sms_templates.render(answer.template, locale, answer.params, log_errors=fallback is None)
    except TemplateError:
        if fallback is None:
            return sms_templates.render(FALLBACK, locale, {})
    return render(Reply(fallback, {key: value for key, value in answer.params.items() if key != "link"}), locale)


def text(answer: Reply, locale: str | None = None) -> str:
    """The text ``answer`` renders to in ``locale`` (default: the current one), to measure it."""
    return render(answer, locale or str(get_locale() or "en")).text


def unlinked(answer: Reply) -> Reply:
    """``answer``'s variant without its link (the template's ``_short`` fallback)."""
    fallback = templates.get(answer.template).fallback
    return Reply(fallback, {key: value for key, value in answer.params.items() if key != "link"})


def path(url: str) -> str:
    """The path of a link on the site, as a reply's ``link`` parameter."""
    return sms_templates.link_path(url)


def own_words(text: str, length: int) -> str:
    """A member's own words as a reply quotes them: on one line, cut to ``length`` characters, and
    "..." instead when they look like a link or a contact (a provider refuses those in a variable)."""
    words = " ".join(str(text).split())
    if not words or templates.looks_like_link(words):
        return _HIDDEN_WORDS
    return _clip(words, length)


def _chinese() -> bool:
    return str(get_locale() or "en").startswith("zh")


def unit_name(unit: Unit) -> str:
    if _chinese():
        return unit.name_zh
    return unit.code if unit.code in _SHORT_UNIT_CODES else unit.name_en


def name(obj: Commodity | Region | None) -> str:
    if obj is None:
        return ""
    return obj.name_zh if _chinese() else obj.name_en


def sms_money(value: Decimal) -> str:
    """¥2,100 for whole amounts, ¥1.05 otherwise: every character counts in an SMS. Prices have at
    most two decimals (the reader refuses more), so nothing is rounded away."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    amount = f"{value:,.{places}f}"
    return f"¥{amount}"


def _posting_params(posting: Posting) -> dict[str, object]:
    """Number, quantity, unit and commodity of a posting: "5 t maize" (Chinese: "玉米 5吨")."""
    commodity = name(posting.commodity)
    return {
        "number": posting.id,
        "quantity": format_quantity(posting.quantity),
        "unit": unit_name(posting.unit),
        "commodity": commodity if _chinese() else commodity.lower(),
    }


def unit_price(price: Decimal, unit: Unit) -> str:
    """ "¥2,100/t" (or "¥2,100/吨")."""
    return f"{sms_money(price)}/{unit_name(unit)}"


def help_reply() -> Reply:
    return reply("reply_help")


def too_many_reply() -> Reply:
    return reply("reply_too_many")


def signup_reply(link: str) -> Reply:
    return reply("reply_signup", link=path(link))


def suspended_reply() -> Reply:
    return reply("reply_suspended")


def opted_out_reply() -> Reply:
    return reply("reply_opted_out")


def opted_in_reply() -> Reply:
    return reply("reply_opted_in")


def opt_out_hint_reply() -> Reply:
    return reply("reply_opt_out_hint")


def already_opted_in_reply() -> Reply:
    return reply("reply_already_opted_in")


def price_as_written(price: Decimal, unit: Unit) -> str:
    """ " (¥1.05/jin)": the price in the unit the farmer wrote, when the draft stores another unit."""
    return f" ({unit_price(price, unit)})"


def _clip(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters, the cut marked ("…" in Chinese, a GSM-7 "." in English)."""
    return templates.shorten(text, length, "zh" if _chinese() else "en")


def unit_weight_text(posting: Posting) -> str:
    """ " (15 kg/crate)" for a counted unit whose weight is known, else ""."""
    if posting.unit.kg_per_unit is not None or posting.unit_weight_kg is None:
        return ""
    kg = format_quantity(posting.unit_weight_kg)
    if _chinese():
        return f"（每{unit_name(posting.unit)}{kg}公斤）"
    return f" ({kg} kg/{unit_name(posting.unit)})"


def draft_reply(posting: Posting, link: str, as_written: str = "", unread: str = "") -> Reply:
    """The draft as read — quantity, unit and price, the price also as written when converted, the
    kg per unit of a counted unit (or that without it buyers cannot compare its price per kg) — and
    any words before the quantity that were not understood."""
    params = {
        **_posting_params(posting),
        "price": unit_price(posting.price, posting.unit) + as_written + unit_weight_text(posting),
        "link": path(link),
    }
    if unread:
        return reply("reply_draft_unread", **params, unread=own_words(unread, 30))
    if posting.unit.kg_per_unit is None:
        # A counted unit's draft says more: it takes one segment, with the link only if it fits.
        counted = "reply_draft_counted_no_weight" if posting.unit_weight_kg is None else "reply_draft_counted"
        linked = reply(counted, **params)
        return linked if fits(text(linked), 1) else unlinked(linked)
    return reply("reply_draft", **params)


def published_reply(posting: Posting, link: str) -> Reply:
    params = {**_posting_params(posting), "link": path(link)}
    if posting.price is None:
        return reply("reply_published_negotiable", **params)
    return reply("reply_published", **params, price=unit_price(posting.price, posting.unit))


def discarded_reply(number: int) -> Reply:
    return reply("reply_discarded", number=number)


def no_such_draft_reply(number: int) -> Reply:
    return reply("reply_no_such_draft", number=number)


def already_published_reply(posting: Posting, link: str) -> Reply:
    return reply("reply_already_published", number=posting.id, link=path(link))


def not_a_draft_reply(number: int) -> Reply:
    return reply("reply_not_a_draft", number=number)


def province_needed_reply(side: str) -> Reply:
    return reply("reply_province_needed_buy" if side == "buy" else "reply_province_needed_sell")


def no_offers_reply() -> Reply:
    return reply("reply_no_offers")


def offers_reply(lines: list[str]) -> Reply:
    """The first OFFER_SLOTS offers, and how many more there are."""
    slots = {f"offer{n}": line for n, line in enumerate(lines[:OFFER_SLOTS], start=1)}
    if len(lines) > OFFER_SLOTS:
        return reply(f"reply_offers_{OFFER_SLOTS}_more", **slots, more=len(lines) - OFFER_SLOTS)
    return reply(f"reply_offers_{len(lines)}", **slots)


OFFER_LINE_LENGTH = {"en": 35, "zh": 30}


def offer_line(code: str, offer, posting: Posting) -> str:
    """ "K7M2 maize 5t ¥2,100/t": the commodity's name shortened so the line keeps its code,
    quantity and price within a slot."""
    unit = unit_name(posting.unit)
    terms = f"{format_quantity(offer.quantity)}{unit} {unit_price(offer.unit_price, posting.unit)}"
    length = OFFER_LINE_LENGTH["zh" if _chinese() else "en"]
    commodity = _clip(name(posting.commodity), max(length - len(code) - len(terms) - 2, 2))
    return _clip(f"{code} {commodity} {terms}", length)


def no_such_offer_reply(code: str) -> Reply:
    return reply("reply_no_such_offer", code=code)


def already_accepted_reply(code: str, order_number: str, link: str) -> Reply:
    return reply("reply_offer_already_accepted", code=code, number=order_number, link=path(link))


def already_declined_reply(code: str) -> Reply:
    return reply("reply_offer_already_declined", code=code)


def already_countered_reply(code: str, link: str) -> Reply:
    return reply("reply_offer_already_countered", code=code, link=path(link))


def ambiguous_offer_reply() -> Reply:
    return reply("reply_offer_ambiguous")


def accepted_reply(order_number: str, link: str) -> Reply:
    return reply("reply_offer_accepted", number=order_number, link=path(link))


def declined_reply(code: str) -> Reply:
    return reply("reply_offer_declined", code=code)


def countered_reply(price: Decimal, unit: Unit, link: str) -> Reply:
    return reply("reply_offer_countered", price=sms_money(price), unit=unit_name(unit), link=path(link))


def no_such_order_reply(number: str) -> Reply:
    return reply("reply_no_such_order", number=number)


def order_already_reply(number: str, status: str) -> Reply:
    return reply("reply_order_already", number=number, status=status)


_ORDER_STEP_TEMPLATES = {
    "confirm": "reply_order_confirmed",
    "decline": "reply_order_declined",
    "ship": "reply_order_shipped",
    "paid": "reply_order_paid",
    "received": "reply_order_received",
}


def order_step_reply(action: str, number: str, detail: str, link: str) -> Reply:
    """What was done (a shipment's waybill or note quoted), the next command the order waits for,
    and the order's link."""
    if action == "ship" and detail and own_words(detail, 24) != _HIDDEN_WORDS:
        return reply("reply_order_shipped_with", number=number, detail=own_words(detail, 24), link=path(link))
    return reply(_ORDER_STEP_TEMPLATES.get(action, "reply_order_received"), number=number, link=path(link))


def no_orders_reply() -> Reply:
    return reply("reply_no_orders")


def order_entry(number: str, steps: list[str], web_only: bool) -> str:
    """ "J0000003 CONFIRM/DECLINE", or that the order waits for the other party (or the website)."""
    words = {
        "confirm": _("CONFIRM"),
        "decline": _("DECLINE"),
        "ship": _("SHIP"),
        "paid": _("PAID"),
        "received": _("RECEIVED"),
    }
    if steps:
        return f"{number} " + "/".join(words[step] for step in steps)
    return f"{number} " + (_("on the website") if web_only else _("waiting"))


def orders_reply(entries: list[str], more: int) -> Reply:
    """Up to ORDER_SLOTS entries, and how many more orders are open."""
    slots = {f"order{n}": entry for n, entry in enumerate(entries[:ORDER_SLOTS], start=1)}
    more += max(len(entries) - ORDER_SLOTS, 0)
    if more:
        return reply(f"reply_orders_{len(slots)}_more", **slots, more=more)
    return reply(f"reply_orders_{len(slots)}", **slots)


REASON_LENGTH = 35  # a provider's longest variable
REASON_PARTS = 3


def refused_reply(message: str) -> Reply:
    """A refusal with the service's reason, in as many variables of REASON_LENGTH characters as it
    needs (split at spaces; anywhere in Chinese), the last cut past REASON_PARTS of them."""
    rest = " ".join(str(message).split())
    parts: list[str] = []
    while len(rest) > REASON_LENGTH and len(parts) < REASON_PARTS - 1:
        cut = rest.rfind(" ", 0, REASON_LENGTH + 1) if not _chinese() else -1
        if cut <= 0:
            parts.append(rest[:REASON_LENGTH])
            rest = rest[REASON_LENGTH:]
        else:
            parts.append(rest[:cut])
            rest = rest[cut + 1 :]
    parts.append(rest)
    name = "reply_not_done" + (f"_{len(parts)}" if len(parts) > 1 else "")
    return reply(name, **{f"reason{n}": part for n, part in enumerate(parts, start=1)})


def price_reply(commodity: Commodity, province: Region | None, quote: ReferenceQuote, link: str) -> Reply:
    """Today's (or the latest day's) reference prices, one slot each. Chinese readers get prices per 斤."""
    per_jin = _chinese()
    factor = Decimal("0.5") if per_jin else Decimal(1)
    unit = _("jin") if per_jin else _("kg")

    def price(value):
        return f"{sms_money((Decimal(value) * factor).quantize(Decimal('0.01')))}/{unit}"

    parts = []
    if quote.trade_price_per_kg is not None:
        parts.append(_("traded %(price)s", price=price(quote.trade_price_per_kg)))
    elif quote.report_price_per_kg is not None:
        parts.append(_("reported %(price)s", price=price(quote.report_price_per_kg)))
    if quote.median_ask_per_kg is not None:
        parts.append(_("asking %(price)s", price=price(quote.median_ask_per_kg)))
    if quote.median_bid_per_kg is not None:
        parts.append(_("bid %(price)s", price=price(quote.median_bid_per_kg)))
    change = quote.change_pct_vs_7d
    if change is not None:
        parts.append(_("%(change)s%% vs 7 days", change=f"{Decimal(change):+.1f}"))
    where = f" ({name(province)})" if province is not None else ""
    params = {"commodity": name(commodity) + where, "day": f"{quote.day:%m-%d}", "link": path(link)}
    if not parts:
        return reply("reply_price_none", **params)
    slots = {f"price{n}": part for n, part in enumerate(parts, start=1)}
    return reply(f"reply_price_{len(parts)}", **params, **slots)


def no_prices_reply(commodity: Commodity, link: str) -> Reply:
    return reply("reply_no_prices", commodity=name(commodity), link=path(link))


def subscribed_reply(commodity: Commodity, province: Region | None) -> Reply:
    where = f" ({name(province)})" if province is not None else ""
    return reply("reply_subscribed", commodity=name(commodity) + where, command=name(commodity))


def unsubscribed_reply(count: int) -> Reply:
    return reply("reply_unsubscribed_none" if count == 0 else "reply_unsubscribed")


def error_reply(error) -> Reply:
    """A known command with unusable arguments (sms.commands.ParseError): what went wrong (one
    template per reason) and the command's example."""
    examples = {
        "price": _("e.g. PRICE maize Henan"),
        "sell": _("e.g. SELL maize 5t 2100"),
        "buy": _("e.g. BUY wheat 20t 2500"),
        "confirm": _("e.g. YES 12"),
        "discard": _("e.g. NO 12"),
        "accept": _("e.g. ACCEPT K7M2"),
        "decline": _("e.g. DECLINE K7M2"),
        "counter": _("e.g. COUNTER K7M2 2000"),
        "sub": _("e.g. SUB maize Henan"),
        "unsub": _("e.g. UNSUB maize"),
        "ship": _("e.g. SHIP J0000003 SF SF1234567890"),
        "paid": _("e.g. PAID J0000003"),
        "received": _("e.g. RECEIVED J0000003"),
        "orders": _("e.g. ORDERS"),
        "contract": _("e.g. CONTRACT J0000003"),
    }
    if error.reason in ("missing_order_number", "bad_order_number", "bare_order_number"):
        examples["confirm"], examples["decline"] = _("e.g. CONFIRM J0000003"), _("e.g. DECLINE J0000003")
    # Every command that can fail to parse has an example; a new one gets the pointer to HELP.
    example = examples.get(error.command) or _("Reply HELP for commands.")
    if error.reason == "not_understood" and getattr(error, "text", ""):
        words = own_words(error.text, 30)
        if words != _HIDDEN_WORDS:
            return reply("reply_error_not_understood_text", text=words, example=example)
    reason = error.reason if error.reason in ERROR_PROBLEMS else "unreadable"
    return reply(f"reply_error_{reason}", example=example)


# Replies to CONTRACT J3 (app/inbound_sms/contract_texts.py).
def contract_accepted_reply(number: str, version: int, text_sha256: str, link: str) -> Reply:
    return reply("contract_accepted", number=number, version=version, hash=text_sha256[:8], link=path(link))


def contract_already_accepted_reply(number: str, version: int, link: str) -> Reply:
    return reply("contract_already_accepted", number=number, version=version, link=path(link))


def contract_phone_unverified_reply(number: str) -> Reply:
    return reply("contract_phone_unverified", number=number)
