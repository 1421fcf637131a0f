"""Reading the order commands of an SMS (issue 22): CONFIRM/DECLINE/SHIP/PAID/RECEIVED + an order
number. An order number always carries its J (J0000003, J3), so it is never taken for a draft number;
SHIP keeps what follows the number (a carrier and waybill, a plate) for the step's note."""

from __future__ import annotations

import re

from sms.command_types import AcceptContract, OrderStep, ParseError
from sms.tokens import EDGE_PUNCTUATION, Message, Token, text_after, text_after_start, words_of
from sms.vocabulary import CARRIERS

# An order number: J0000003, J3, j3, "J 3", "#J3" (the J is what tells it from a draft number).
ORDER_NUMBER = re.compile(r"#?j ?(\d{1,9})(?![0-9a-z])")
BARE_NUMBER = re.compile(r"#?\d{1,12}(?![0-9a-z])")
# An offer code that is also an order number (J and three digits): DECLINE keeps reading it as an
# offer code, and the executor falls back to the order when no open offer has that code.
OFFER_SHAPED_ORDER = re.compile(r"j[2-9]{3}(?![0-9a-z])")
CARRIER_WAYBILL = re.compile(r"(?P<carrier>\S+?) ?[:：]? ?(?P<tracking>[a-z0-9]{6,30})")


def could_be_offer_code(rest: str) -> bool:
    """Digits that an offer code could be: four of 2-9 (app/inbound_sms/offer_codes.ALPHABET)."""
    return re.fullmatch(r"#?[2-9]{4}", rest.split(" ", 1)[0]) is not None


def order_step(action: str, message: Message, keyword: Token, tokens: list[Token]) -> OrderStep:
    """CONFIRM/DECLINE/SHIP/PAID/RECEIVED + an order number (J0000003, J3). A bare number is refused
    with usage: it could be a draft's. SHIP keeps the words after the number (a waybill with its
    carrier, a plate); the other steps take nothing more."""
    before = [t for t in tokens if t.end <= keyword.start and t.kind != "filler"]
    if before:
        raise ParseError("not_understood", action, None, words_of(message, before))
    rest = text_after(message, keyword)
    start = text_after_start(message, keyword)
    if all(t.kind == "filler" for t in tokens if t.start >= keyword.end):
        raise ParseError("missing_order_number", action, "number")
    found = ORDER_NUMBER.match(rest)
    if found is None:
        reason = "bare_order_number" if BARE_NUMBER.match(rest) else "bad_order_number"
        raise ParseError(reason, action, "number")
    number = int(found.group(1))
    if number == 0:
        raise ParseError("bad_order_number", action, "number")
    tail_start = start + found.end()
    after = [t for t in tokens if t.start >= tail_start and t.kind != "filler"]
    if not after:
        return OrderStep(action, number)
    if action != "ship":
        raise ParseError("not_understood", action, None, words_of(message, after))
    note = " ".join(message.original[tail_start:].split()).strip(EDGE_PUNCTUATION)
    waybill = CARRIER_WAYBILL.fullmatch(" ".join(message.base[tail_start:].split()).strip(EDGE_PUNCTUATION))
    if waybill is not None and waybill.group("carrier") in CARRIERS:
        tracking = note[waybill.start("tracking") : waybill.end("tracking")].upper()
        return OrderStep(action, number, note, CARRIERS[waybill.group("carrier")], tracking)
    return OrderStep(action, number, note)


def contract_acceptance(message: Message, keyword: Token, tokens: list[Token]) -> AcceptContract:
    """CONTRACT / 合同 / 同意合同 + an order number: the same reading as an order step, nothing after it."""
    return AcceptContract(order_step("contract", message, keyword, tokens).number)
