"""The texts of SMS command replies, rendered in the locale forced by the caller (flask_babel's
force_locale). Each is short enough for two segments in both languages; services.reply_text()
still cuts anything longer (long commodity names, translated trade errors)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import get_locale
from flask_babel import gettext as _

from app.catalogue.models import Commodity, Region, Unit
from app.core.formatting import quantity as format_quantity
from app.market.prices import ReferenceQuote
from app.notify import sms_templates
from app.postings.models import Posting
from sms.segments import fits

# Weight units whose code every English-speaking farmer reads ("5 t", "500 kg"); others by name.
_SHORT_UNIT_CODES = frozenset({"kg", "g", "t", "lb", "jin"})


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


def posting_summary(posting: Posting) -> str:
    """ "5 t maize ¥2,100/t" (or "玉米 5吨 ¥2,100/吨")."""
    unit = unit_name(posting.unit)
    amount = format_quantity(posting.quantity)
    price = f" {sms_money(posting.price)}/{unit}" if posting.price is not None else ""
    if _chinese():
        return f"{name(posting.commodity)} {amount}{unit}{price}"
    return f"{amount} {unit} {name(posting.commodity).lower()}{price}"


def help_reply() -> str:
    return _(
        "Jishi SMS: PRICE maize | SELL maize 5t 2100 | BUY wheat 20t 2500 | YES 12 / NO 12 | OFFERS | "
        "ACCEPT/DECLINE/COUNTER code | ORDERS | CONFIRM/DECLINE/SHIP/PAID J3 | RECEIVED J3 | SUB maize | "
        "UNSUB | STOP"
    )


def too_many_reply() -> str:
    return _("Jishi: too many messages. Please try again in an hour.")


def signup_reply(link: str) -> str:
    return _("Jishi: this number is not registered. Sign up to post and trade: %(link)s", link=link)


def suspended_reply() -> str:
    return _("Jishi: your account is suspended, so you cannot post or trade. You can still check PRICE.")


def opted_out_reply() -> str:
    return _("Jishi: you will get no more SMS from us. Reply START to resume.")


def opted_in_reply() -> str:
    return _("Jishi: SMS resumed. Reply HELP for commands.")


def opt_out_hint_reply() -> str:
    return _("Jishi: to stop all SMS from us, reply STOP on its own. Reply HELP for commands.")


def already_opted_in_reply() -> str:
    return _("Jishi: you already get our SMS. To publish a draft, reply YES and its number, e.g. YES 12.")


def price_as_written(price: Decimal, unit: Unit) -> str:
    """ " (¥1.05/jin)": the price in the unit the farmer wrote, when the draft stores another unit."""
    return f" ({sms_money(price)}/{unit_name(unit)})"


def _clip(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters, an ellipsis marking the cut: the link must still fit."""
    return text if len(text) <= length else text[: length - 1] + "…"


def unit_weight_text(posting: Posting) -> str:
    """ " (15 kg/crate)" for a counted unit whose weight is known, else ""."""
    if posting.unit.kg_per_unit is not None or posting.unit_weight_kg is None:
        return ""
    kg = format_quantity(posting.unit_weight_kg)
    if _chinese():
        return f"（每{unit_name(posting.unit)}{kg}公斤）"
    return f" ({kg} kg/{unit_name(posting.unit)})"


def counted_draft_reply(posting: Posting, link: str, as_written: str = "") -> str:
    """A draft in a counted unit (head, crate, bag): quantity, unit, price and the kg per unit, or
    that without it buyers cannot compare its price per kg. One segment: the link only if it fits."""
    summary = posting_summary(posting) + as_written + unit_weight_text(posting)
    if posting.unit_weight_kg is None:
        text = _(
            "Draft %(number)s: %(summary)s. No kg per %(unit)s, so no per-kg price comparison. "
            "YES %(number)s publishes.",
            number=posting.id,
            summary=summary,
            unit=unit_name(posting.unit),
        )
    else:
        text = _(
            "Draft %(number)s: %(summary)s. YES %(number)s publishes, NO %(number)s discards.",
            number=posting.id,
            summary=summary,
        )
    return with_link(text, link)


def with_link(text: str, link: str) -> str:
    """``text`` and the link when both fit in one SMS segment, else ``text`` alone."""
    linked = f"{text} {link}"
    return linked if fits(linked, 1) else text


def draft_reply(posting: Posting, link: str, as_written: str = "", unread: str = "") -> str:
    """The draft as read — quantity, unit and price, the price also as written when converted — and
    any words before the quantity that were not understood."""
    if posting.unit.kg_per_unit is None and not unread:
        return counted_draft_reply(posting, link, as_written)
    summary = posting_summary(posting) + as_written + unit_weight_text(posting)
    if unread:
        return _(
            "Draft %(number)s: %(summary)s. Not understood: %(unread)s. Reply YES %(number)s to publish, "
            "NO %(number)s to discard. %(link)s",
            number=posting.id,
            summary=summary,
            unread=_clip(unread, 30),
            link=link,
        )
    return _(
        "Draft %(number)s: %(summary)s. Reply YES %(number)s to publish, NO %(number)s to discard. %(link)s",
        number=posting.id,
        summary=summary,
        link=link,
    )


def published_reply(posting: Posting, link: str) -> str:
    return _(
        "Published %(number)s: %(summary)s. %(link)s", number=posting.id, summary=posting_summary(posting), link=link
    )


def discarded_reply(number: int) -> str:
    return _("Draft %(number)s discarded.", number=number)


def no_such_draft_reply(number: int) -> str:
    return _("You have no draft %(number)s. Reply HELP for commands.", number=number)


def already_published_reply(posting: Posting, link: str) -> str:
    return _("Posting %(number)s is already published: %(link)s", number=posting.id, link=link)


def not_a_draft_reply(number: int) -> str:
    return _("Posting %(number)s is not a draft any more.", number=number)


def province_needed_reply(side: str) -> str:
    if side == "buy":
        return _("Which province? Add it at the end, e.g. BUY wheat 20t 2500 Henan")
    return _("Which province? Add it at the end, e.g. SELL maize 5t 2100 Henan")


def no_offers_reply() -> str:
    return _("Jishi: no open offers for you.")


def offers_reply(lines: list[str]) -> str:
    return _("Offers: %(list)s. Reply ACCEPT, DECLINE or COUNTER + code", list="; ".join(lines))


def offer_line(code: str, offer, posting: Posting) -> str:
    unit = unit_name(posting.unit)
    return (
        f"{code} {name(posting.commodity)} {format_quantity(offer.quantity)}{unit} {sms_money(offer.unit_price)}/{unit}"
    )


def no_such_offer_reply(code: str) -> str:
    return _("No open offer %(code)s for you. Reply OFFERS to list them.", code=code)


def already_accepted_reply(code: str, order_number: str, link: str) -> str:
    return _(
        "Offer %(code)s is already accepted. Order %(number)s: %(link)s", code=code, number=order_number, link=link
    )


def already_declined_reply(code: str) -> str:
    return _("Offer %(code)s is already declined.", code=code)


def already_countered_reply(code: str, link: str) -> str:
    return _("Offer %(code)s is already answered with a counter-offer: %(link)s", code=code, link=link)


def ambiguous_offer_reply() -> str:
    return _("Several offers match that code. Please answer on the website.")


def accepted_reply(order_number: str, link: str) -> str:
    return _("Accepted. Order %(number)s: %(link)s", number=order_number, link=link)


def declined_reply(code: str) -> str:
    return _("Offer %(code)s declined.", code=code)


def countered_reply(price: Decimal, unit: Unit, link: str) -> str:
    return _(
        "Counter-offer sent: %(price)s/%(unit)s. %(link)s", price=sms_money(price), unit=unit_name(unit), link=link
    )


def no_such_order_reply(number: str) -> str:
    return _("You have no order %(number)s. Reply ORDERS to list yours.", number=number)


def order_already_reply(number: str, status: str) -> str:
    return _("Order %(number)s is already %(status)s.", number=number, status=status)


def order_step_reply(action: str, number: str, detail: str, link: str) -> str:
    """What was done, and the next command the order waits for; the link when it fits one segment."""
    if action == "confirm":
        text = _("Order %(number)s confirmed. When the goods leave, reply SHIP %(number)s.", number=number)
    elif action == "decline":
        text = _("Order %(number)s declined and cancelled.", number=number)
    elif action == "ship" and detail:
        text = _("Order %(number)s shipped (%(detail)s).", number=number, detail=_clip(detail, 24))
    elif action == "ship":
        text = _("Order %(number)s shipped. The buyer replies RECEIVED %(number)s on arrival.", number=number)
    elif action == "paid":
        text = _("Payment for order %(number)s recorded.", number=number)
    else:
        text = _("Order %(number)s received. Thank you.", number=number)
    return with_link(text, link)


def no_orders_reply() -> str:
    return _("Jishi: you have no open orders.")


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


def orders_reply(entries: list[str], more: int) -> str:
    listed = ("；" if _chinese() else "; ").join(entries)
    if more:
        return _("Orders: %(list)s; %(more)s more on the website.", list=listed, more=more)
    return _("Orders: %(list)s.", list=listed)


def refused_reply(message: str) -> str:
    return _("Not done: %(reason)s", reason=message)


def price_reply(commodity: Commodity, province: Region | None, quote: ReferenceQuote, link: str) -> str:
    """Today's (or the latest day's) reference prices. Chinese readers get prices per 斤."""
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
    day_text = f" {quote.day:%m-%d}"
    return _(
        "%(commodity)s%(where)s%(day)s: %(prices)s. %(link)s",
        commodity=name(commodity),
        where=where,
        day=day_text,
        prices=", ".join(parts) or _("no trades"),
        link=link,
    )


def no_prices_reply(commodity: Commodity, link: str) -> str:
    return _("No %(commodity)s prices today. See %(link)s", commodity=name(commodity), link=link)


def subscribed_reply(commodity: Commodity, province: Region | None) -> str:
    where = f" ({name(province)})" if province is not None else ""
    return _(
        "Subscribed: daily %(commodity)s%(where)s prices. Reply UNSUB %(command)s to stop.",
        commodity=name(commodity),
        where=where,
        command=name(commodity),
    )


def unsubscribed_reply(count: int) -> str:
    if count == 0:
        return _("You had no such price alert.")
    return _("Price alerts stopped.")


def error_reply(error) -> str:
    """A known command with unusable arguments (sms.commands.ParseError): what went wrong and an example."""
    problems = {
        "missing_commodity": _("Which commodity?"),
        "unknown_commodity": _("Unknown commodity."),
        "unknown_province": _("Unknown province."),
        "missing_quantity": _("Missing quantity."),
        "missing_unit": _("Missing unit (t, kg, jin…)."),
        "unknown_unit": _("Unknown unit."),
        "unit_mismatch": _("Price and quantity units do not match."),
        "missing_price": _("Missing price."),
        "not_positive": _("Numbers must be above zero."),
        "too_large": _("That number is too large."),
        "too_precise": _("Too many decimals."),
        "bad_number": _("Could not read a number."),
        "missing_number": _("Which draft number?"),
        "missing_order_number": _("Which order? Reply ORDERS."),
        "bad_order_number": _("Could not read the order number."),
        "bare_order_number": _("Order numbers start with J."),
        "missing_code": _("Which offer code? Reply OFFERS."),
        "bad_code": _("Could not read the code. Reply OFFERS."),
        "not_understood": _("Could not read all of that."),
    }
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
    problem = problems.get(error.reason, _("Could not read that."))
    if error.reason == "not_understood" and getattr(error, "text", ""):
        problem = _("Not understood: %(text)s.", text=_clip(error.text, 30))
    example = examples.get(error.command, "")
    return f"{problem} {example}".strip()


# Replies to CONTRACT J3 (app/inbound_sms/contract_texts.py): REPLY templates of sms/templates.py,
# rendered in the locale the caller forced.
def _rendered(template: str, params: dict[str, str]) -> str:
    return sms_templates.render(template, str(get_locale() or "en"), params).text


def contract_accepted_reply(number: str, version: int, text_sha256: str, link: str) -> str:
    params = {"number": number, "version": str(version), "hash": text_sha256[:8], "link": sms_templates.link_path(link)}
    return _rendered("contract_accepted", params)


def contract_already_accepted_reply(number: str, version: int, link: str) -> str:
    return _rendered(
        "contract_already_accepted", {"number": number, "version": str(version), "link": sms_templates.link_path(link)}
    )


def contract_phone_unverified_reply(number: str) -> str:
    return _rendered("contract_phone_unverified", {"number": number})
