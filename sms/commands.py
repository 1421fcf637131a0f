"""Read an inbound SMS into a typed command (issue 5, point 6; issue 22), in English or Chinese.

The reader is tolerant in what it reads and strict in what it acts on:
- Any punctuation separates words (，。、：；！？ and ASCII); full-width forms fold (NFKC); Traditional
  folds to Simplified; commodities answer to their aliases, dialect names and pinyin (sms.vocabulary).
- Command words may stand first or last ("价格 玉米", "玉米价格", "河南玉米价格", "玉米多少钱一斤");
  filler words (我要, 请, 的 …) are skipped. Chinese numerals and money forms are read exactly
  (sms.numbers).
- Opt-out only when the whole message, without spaces and punctuation, is an opt-out word (STOP,
  STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, TD, 退订, N, 取消). A message that merely starts with one
  is read as the command it is ("取消 12" discards draft 12, "end of season, sell maize 5t 2100"
  drafts a listing, "UNSUBSCRIBE maize" / "退订 玉米" end that price alert); if nothing else is in it
  ("Cancel my order", "取消订单") the answer is OptOutHint: asked to send the keyword alone.
- Opt-in only when the whole message is START, UNSTOP or YES (the executor honours it only for a
  number that is opted out); "YES 12" confirms draft 12.
- A SELL/BUY reads commodity, quantity with its unit, then price (with its own unit, "1.05元/斤",
  "每斤1.15元", "1.2元一斤"); words before the quantity that are not understood are returned in
  ``Listing.unread`` for the reply to name, words after the price are the note. Any gap where a
  number belongs raises ParseError: a number is never dropped, truncated or guessed.
- 取消订阅 (also "取消 订阅") is UNSUB: price alerts, not SMS as a whole; a bare UNSUB ends all alerts.
- A counted unit (head, crate, bag …) may be followed by its weight ("20筐 每筐30斤"): Listing.unit_weight_kg.
- Order steps carry the order number with its J ("确认 J0000003", "发货 J3 顺丰 SF1234567890"; read by
  sms.order_commands); a bare number after YES/NO/确认 stays a draft number, and after 发货/收款/收货/拒绝
  it is refused with usage. 订单 / ORDERS lists open orders. The order words count only as the first word.
- 问 / ASK and the farmer's question go to the experts, whatever words follow (sms.question_commands);
  公开 12 / PUBLIC 12 lets everyone read question 12 and its answer.
- 合同 / 同意合同 / CONTRACT + an order number accepts that order's purchase contract (AcceptContract).
"""

from __future__ import annotations

import re
from decimal import Decimal

from sms.catalogue import Catalogue, Unit
from sms.command_types import (
    MAX_PRICE,
    MAX_PRICE_PER_KG,
    MAX_QUANTITY,
    MAX_QUANTITY_KG,
    MAX_UNIT_WEIGHT_KG,
    PRICE_PLACES,
    QUANTITY_PLACES,
    Accept,
    AcceptContract,
    Command,
    Confirm,
    Counter,
    Decline,
    Discard,
    Help,
    Listing,
    Offers,
    OptIn,
    OptOut,
    OptOutHint,
    Orders,
    OrderStep,
    ParseError,
    PriceQuery,
    Subscribe,
    Unknown,
    Unsubscribe,
)
from sms.numbers import Number
from sms.order_commands import (
    BARE_NUMBER,
    OFFER_SHAPED_ORDER,
    ORDER_NUMBER,
    contract_acceptance,
    could_be_offer_code,
    order_step,
)
from sms.question_commands import AskQuestion, PublishQuestion, parse_question
from sms.tokens import EDGE_PUNCTUATION, Message, Token, normalise, text_after, text_after_start, tokenize, words_of
from sms.vocabulary import FIRST_WORD_FAMILIES, OPT_IN_WORDS, OPT_OUT_WORDS, WEAK_KEYWORDS

__all__ = [
    "Accept",
    "AcceptContract",
    "AskQuestion",
    "Catalogue",
    "Command",
    "Confirm",
    "Counter",
    "Decline",
    "Discard",
    "Help",
    "Listing",
    "Offers",
    "OptIn",
    "OptOut",
    "OptOutHint",
    "Orders",
    "OrderStep",
    "ParseError",
    "PriceQuery",
    "PublishQuestion",
    "Subscribe",
    "Unit",
    "Unknown",
    "Unsubscribe",
    "parse",
]

_DRAFT = re.compile(r"#?(\d{1,9})(?!\S)")
_CODE = re.compile(r"#?([a-z0-9]{2,12})(?!\S)")
_STOP_FAMILIES = ("optout", "cancel")
# Commands whose arguments are a draft number, an offer code or an order number, read right after the keyword.
_ACTION_FAMILIES = ("yes", "confirm", "discard", "accept", "decline", "counter")
_ORDER_FAMILIES = ("ship", "paid", "received")


def _check(number: Number, command: str, field: str, places: int, maximum: Decimal) -> Decimal:
    value = number.value
    if number.negative or value <= 0:
        raise ParseError("not_positive", command, field)
    if value > maximum:
        raise ParseError("too_large", command, field)
    if -value.as_tuple().exponent > places:
        raise ParseError("too_precise", command, field)
    return value


def _is_spelled_one(message: Message, token: Token) -> bool:
    return token.kind == "number" and message.folded[token.start : token.end] == "一"


def _price(message: Message, args: list[Token], i: int, command: str) -> tuple[Decimal, Unit | None, int]:
    """Read a price at ``args[i]``: "2100", "¥2100/吨", "1.05元/斤", "2100 per ton", "1.2元一斤",
    "每斤1.15元", "每吨2100". Returns (price, its unit or None, index after it)."""
    unit: Unit | None = None
    if i < len(args) and args[i].kind == "per" and i + 1 < len(args) and args[i + 1].kind == "unit":
        unit, i = args[i + 1].value, i + 2
    while i < len(args) and args[i].kind == "currency":
        i += 1
    if i >= len(args):
        raise ParseError("missing_price", command, "price")
    if args[i].kind != "number":
        raise ParseError("bad_number", command, "price")
    price = _check(args[i].value, command, "price", PRICE_PLACES, MAX_PRICE)
    i += 1
    while i < len(args) and args[i].kind == "currency":
        i += 1
    if unit is None and i < len(args) and args[i].kind == "per":
        if i + 1 >= len(args) or args[i + 1].kind != "unit":
            raise ParseError("unknown_unit", command, "price")
        unit, i = args[i + 1].value, i + 2
    elif unit is None and i + 1 < len(args) and _is_spelled_one(message, args[i]) and args[i + 1].kind == "unit":
        unit, i = args[i + 1].value, i + 2
    return price, unit, i


def _text_of(message: Message, tokens: list[Token], keyword: Token) -> str:
    """The farmer's own words from the first to the last of ``tokens``, without the command word."""
    if not tokens:
        return ""
    start, end = tokens[0].start, tokens[-1].end
    text = message.original[start:end]
    if start <= keyword.start < end:
        text = text[: keyword.start - start] + " " + text[keyword.end - start :]
    return " ".join(text.split()).strip(EDGE_PUNCTUATION)


def _listing(side: str, message: Message, args: list[Token], keyword: Token) -> Listing:
    commodity = province = None
    unread: list[Token] = []
    grades: list[Token] = []
    i = 0
    # Until the commodity, anything (numbers too: "一般" holds a 一) is either a place or unread words.
    while i < len(args) and not (args[i].kind == "number" and commodity is not None):
        token = args[i]
        if token.kind == "commodity" and commodity is None:
            commodity = token.value
        elif token.kind == "province" and province is None:
            province = token.value
        elif token.kind == "grade" and commodity is None:
            grades.append(token)  # "卖 新鲜玉米 …": the grade goes into the note, as the web form would
        elif commodity is not None:
            # Something other than a number where the quantity belongs ("卖 玉米 吨 2100").
            raise ParseError("bad_number", side, "quantity")
        else:
            unread.append(token)
        i += 1
    if commodity is None:
        reason = "unknown_commodity" if any(t.kind == "word" for t in unread) else "missing_commodity"
        raise ParseError(reason, side, "commodity")
    if i >= len(args):
        raise ParseError("missing_quantity", side, "quantity")
    quantity = _check(args[i].value, side, "quantity", QUANTITY_PLACES, MAX_QUANTITY)
    if i + 1 >= len(args) or args[i + 1].kind != "unit":
        raise ParseError("missing_unit", side, "quantity")
    unit = args[i + 1].value
    unit_weight_kg, i = _unit_weight(message, args, i + 2, unit, side)
    price, price_unit, i = _price(message, args, i, side)
    price_unit = price_unit or unit
    weight_of = {unit: unit_weight_kg} if unit_weight_kg is not None else {}
    if price_unit != unit and (weight_of.get(unit, unit.kg_per_unit) is None or price_unit.kg_per_unit is None):
        raise ParseError("unit_mismatch", side, "price")
    if i < len(args) and args[i].kind == "number":
        # "1元2", "2100 3000": a second number where the note starts is not read as prose.
        raise ParseError("not_understood", side, "price", message.original[args[i].start : args[i].end])
    note = ""
    if i < len(args):
        note_start = args[i].start
        note = message.original[note_start:]
        if keyword.start >= note_start:
            cut_from, cut_to = keyword.start - note_start, keyword.end - note_start
            note = note[:cut_from] + note[cut_to:]
        note = " ".join(note.split()).strip(EDGE_PUNCTUATION)
    if grades:
        note = " ".join(filter(None, (words_of(message, grades), note)))
    listing = Listing(
        side,
        commodity,
        quantity,
        unit,
        price,
        price_unit,
        note,
        province,
        _text_of(message, unread, keyword),
        unit_weight_kg,
    )
    if listing.quantity_kg is not None and listing.quantity_kg > MAX_QUANTITY_KG:
        raise ParseError("too_large", side, "quantity")
    if listing.price_per_kg is not None and listing.price_per_kg > MAX_PRICE_PER_KG:
        raise ParseError("too_large", side, "price")
    return listing


def _unit_weight(message: Message, args: list[Token], i: int, unit: Unit, command: str) -> tuple[Decimal | None, int]:
    """The kg one counted ``unit`` weighs, when stated right after the quantity: "每筐30斤",
    "一筐30斤", "30斤/筐", "15 kg per crate". Returns (kg or None, index after it). A weighed unit
    there is what tells a weight from a price ("每筐30斤 120" against "每筐120")."""
    if unit.kg_per_unit is not None:
        return None, i

    def kind(at: int, wanted: str) -> bool:
        return at < len(args) and args[at].kind == wanted

    def weighed(at: int) -> bool:
        return kind(at, "unit") and args[at].value.kg_per_unit is not None

    def this_unit(at: int) -> bool:
        return kind(at, "unit") and args[at].value == unit

    if (
        (kind(i, "per") or _is_spelled_one(message, args[i]) if i < len(args) else False)
        and this_unit(i + 1)
        and kind(i + 2, "number")
        and weighed(i + 3)
    ):
        number, weight_unit, end = args[i + 2].value, args[i + 3].value, i + 4
    elif kind(i, "number") and weighed(i + 1) and kind(i + 2, "per") and this_unit(i + 3):
        number, weight_unit, end = args[i].value, args[i + 1].value, i + 4
    else:
        return None, i
    amount = _check(number, command, "unit_weight", QUANTITY_PLACES, MAX_UNIT_WEIGHT_KG)
    kg = amount * weight_unit.kg_per_unit
    if kg > MAX_UNIT_WEIGHT_KG:
        raise ParseError("too_large", command, "unit_weight")
    if -kg.normalize().as_tuple().exponent > QUANTITY_PLACES:
        raise ParseError("too_precise", command, "unit_weight")
    return (kg.quantize(Decimal(1)) if kg == kg.to_integral_value() else kg.normalize()), end


def _commodity_and_province(
    message: Message, args: list[Token], command: str, required: bool = True
) -> tuple[str | None, str | None]:
    """The commodity and optional province among ``args``, in either order. Anything else refuses
    the command, naming it: a price alert for a place the reader did not understand is not set up
    on a guess. A word after the commodity is taken for an unknown province ("价格 玉米 火星")."""
    commodity = province = None
    stray: list[Token] = []
    for token in args:
        if token.kind == "commodity" and commodity is None:
            commodity = token.value
        elif token.kind == "province" and province is None:
            province = token.value
        elif token.kind == "keyword" and token.value[0] == "price":
            continue  # "订阅玉米价格": the alert is for prices anyway
        elif token.kind == "grade":
            continue  # "价格 新鲜玉米": market prices are per commodity, not per grade, as on the web
        else:
            stray.append(token)
    if commodity is None:
        if stray:
            raise ParseError("unknown_commodity", command, "commodity")
        if required or province is not None:
            raise ParseError("missing_commodity", command, "commodity")
    elif stray:
        commodity_at = next(t.start for t in args if t.kind == "commodity")
        if all(t.kind == "word" and t.start > commodity_at for t in stray):
            raise ParseError("unknown_province", command, "province")
        raise ParseError("not_understood", command, None, words_of(message, stray))
    return commodity, province


def _draft_number(rest: str, command: str) -> int:
    if not rest:
        raise ParseError("missing_number", command, "number")
    found = _DRAFT.match(rest)
    if not found or int(found.group(1)) == 0 or rest[found.end() :].strip(EDGE_PUNCTUATION):
        raise ParseError("bad_number", command, "number")
    return int(found.group(1))


def _code(rest: str, command: str) -> tuple[str, int]:
    if not rest:
        raise ParseError("missing_code", command, "code")
    found = _CODE.match(rest)
    if not found:
        raise ParseError("bad_code", command, "code")
    return found.group(1).upper(), found.end()


def _choose_keyword(tokens: list[Token]) -> Token | None:
    """The command word: the first one that is not a stop word or PRICE, else PRICE, else a stop
    word. Weak words (好, 是, 收) count only as the first token."""
    first_word = next((i for i, t in enumerate(tokens) if t.kind != "filler"), None)
    keywords = [
        t
        for i, t in enumerate(tokens)
        if t.kind == "keyword"
        and (i == 0 or t.value[1] not in WEAK_KEYWORDS)
        and (i == first_word or t.value[0] not in FIRST_WORD_FAMILIES)
    ]
    for wanted in (lambda f: f not in _STOP_FAMILIES and f != "price", lambda f: f == "price", lambda f: True):
        for token in keywords:
            if wanted(token.value[0]):
                return token
    return None


def _stop_word_command(message: Message, keyword: Token, args: list[Token]) -> Command:
    """A message that starts with (or contains) a stop word but is not one: "取消 12" discards a
    draft, "退订 玉米" ends that price alert, anything else is asked for the keyword alone."""
    rest = text_after(message, keyword)
    if keyword.value[0] == "cancel" and _DRAFT.match(rest):
        return Discard(_draft_number(rest, "discard"))
    if args and all(t.kind in ("commodity", "province") for t in args):
        try:
            commodity, province = _commodity_and_province(message, args, "unsub")
        except ParseError:
            return OptOutHint()
        return Unsubscribe(commodity, province)
    return OptOutHint()


def parse(text: str, catalogue: Catalogue) -> Command:
    """Read one inbound SMS. Returns a Command (``Unknown`` when no command word is in it).

    Raises ParseError when the command is known but its arguments are missing, invalid or only
    partly understood."""
    message = normalise(text)
    bare = re.sub(r"[\W_]+", "", message.folded)
    if bare in OPT_OUT_WORDS:
        return OptOut()
    if bare in OPT_IN_WORDS:
        return OptIn()
    # A question to the experts is the farmer's own words, read before any command word in them.
    question = parse_question(text, catalogue)
    if question is not None:
        return question
    tokens = tokenize(message, catalogue)
    tokens = _join_cancel_subscribe(tokens)
    keyword = _choose_keyword(tokens)
    if keyword is None:
        return Unknown(message.base.strip(EDGE_PUNCTUATION))
    family = keyword.value[0]
    args = [t for t in tokens if t is not keyword and t.kind != "filler"]
    if family in _STOP_FAMILIES:
        return _stop_word_command(message, keyword, args)
    if family in _ACTION_FAMILIES:
        return _action(family, message, keyword, tokens, catalogue)
    if family == "optin":
        return OptIn()
    if family == "help":
        return Help()
    if family == "offers":
        return Offers()
    if family == "orders":
        if args:
            raise ParseError("not_understood", "orders", None, words_of(message, args))
        return Orders()
    if family in _ORDER_FAMILIES:
        return order_step(family, message, keyword, tokens)
    if family == "contract":
        return contract_acceptance(message, keyword, tokens)
    if family in ("sell", "buy"):
        return _listing(family, message, args, keyword)
    if family == "price":
        return PriceQuery(*_commodity_and_province(message, args, "price"))
    if family == "sub":
        return Subscribe(*_commodity_and_province(message, args, "sub"))
    commodity, province = _commodity_and_province(message, args, "unsub", required=False)
    return Unsubscribe(commodity, province)


def _join_cancel_subscribe(tokens: list[Token]) -> list[Token]:
    """ "取消 订阅" (with a space or punctuation between) is UNSUB, as "取消订阅" is."""
    for i in range(len(tokens) - 1):
        first, second = tokens[i], tokens[i + 1]
        if first.kind == second.kind == "keyword" and first.value[0] == "cancel" and second.value[0] == "sub":
            joined = Token("keyword", ("unsub", "取消订阅"), first.start, second.end)
            return [*tokens[:i], joined, *tokens[i + 2 :]]
    return tokens


def _action(family: str, message: Message, keyword: Token, tokens: list[Token], catalogue: Catalogue) -> Command:
    """YES/NO/ACCEPT/DECLINE/COUNTER: the keyword first (after fillers), then a number or code."""
    before = [t for t in tokens if t.end <= keyword.start and t.kind != "filler"]
    command = {"yes": "confirm"}.get(family, family)
    if before:
        raise ParseError("not_understood", command, None, words_of(message, before))
    rest = text_after(message, keyword)
    if all(t.kind == "filler" for t in tokens if t.start >= keyword.end):
        rest = ""  # "好的", "是的": the draft number is missing, not unreadable
    if family == "confirm" and re.match(r"#?j", rest):
        return order_step("confirm", message, keyword, tokens)
    if family == "decline" and ORDER_NUMBER.match(rest) and not OFFER_SHAPED_ORDER.fullmatch(rest):
        return order_step("decline", message, keyword, tokens)
    if family in ("yes", "confirm"):
        return Confirm(_draft_number(rest, "confirm"))
    if family == "discard":
        return Discard(_draft_number(rest, "discard"))
    if family == "decline" and BARE_NUMBER.match(rest) and not could_be_offer_code(rest):
        raise ParseError("bare_order_number", "decline", "number")
    code, code_end = _code(rest, family)
    after = [
        t for t in tokenize(message, catalogue, text_after_start(message, keyword) + code_end) if t.kind != "filler"
    ]
    if family == "accept":
        return Accept(code)
    if family == "decline":
        return Decline(code)
    price, unit, end = _price(message, after, 0, "counter")
    if end < len(after):
        raise ParseError("not_understood", "counter", "price", message.original[after[end].start : after[-1].end])
    return Counter(code, price, unit)
