"""Parse an inbound SMS into a typed command (issue 5, point 6), in English or Chinese.

Text is NFKC-normalised and lower-cased first, so full-width letters, digits and spaces (including the
ideographic space U+3000) behave like ASCII. Chinese keywords need no space after them ("价格玉米"),
and numbers may touch their units and each other's neighbours ("卖玉米5吨2100").

Deliberate overlaps, in the order they are resolved:
- Opt-out words (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, 退订, TD) win even with text after
  them: a number that wants to stop must never be kept on by a parser being clever. The one exception
  is CANCEL / 取消 followed by a draft number ("取消 12", "CANCEL 12"), which discards that draft.
  A bare 取消 is treated like CANCEL (opt-out).
- 取消订阅 (also "取消 订阅") is UNSUB, not opt-out: it names price alerts, not SMS as a whole.
- Bare YES (or YES followed by words) is opt-in, as carriers expect; YES followed by a number confirms
  that draft. 确认 always needs a number.
- A bare UNSUB / 取消订阅 ends every price-alert subscription (commodity None), not all SMS.
- Words after a complete PRICE / SUB / YES / NO / ACCEPT command are ignored; after SELL / BUY they
  are the note. Latin keywords must stand alone ("YES12" is Unknown); Chinese ones need no space.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sms.catalogue import Catalogue, Unit, fold

__all__ = [
    "Accept", "Catalogue", "Command", "Confirm", "Counter", "Decline", "Discard", "Help", "Listing",
    "Offers", "OptIn", "OptOut", "ParseError", "PriceQuery", "Subscribe", "Unit", "Unknown",
    "Unsubscribe", "parse",
]

MAX_QUANTITY = Decimal("1000000")        # in the unit the sender used
MAX_QUANTITY_KG = Decimal("10000000")    # 10,000 t: more than any single farm lot
MAX_PRICE = Decimal("10000000")          # per unit
MAX_PRICE_PER_KG = Decimal("100000")
QUANTITY_PLACES, PRICE_PLACES = 3, 2     # the Quantity / Money column scales


class ParseError(ValueError):
    """A known command with unusable arguments. ``reason`` is a short code (``unknown_commodity``,
    ``missing_unit``, ``not_positive`` …), ``command`` the command family (``sell``, ``price`` …) so
    the caller can reply with that command's usage, ``field`` the argument concerned, if any."""

    def __init__(self, reason: str, command: str, field: str | None = None):
        super().__init__(f"{command}: {reason}" + (f" ({field})" if field else ""))
        self.reason, self.command, self.field = reason, command, field


class Command:
    """Base of every parse result."""


@dataclass(frozen=True)
class OptOut(Command):
    """Stop every SMS to this number."""


@dataclass(frozen=True)
class OptIn(Command):
    """Resume SMS to this number."""


@dataclass(frozen=True)
class Help(Command):
    """Reply with usage."""


@dataclass(frozen=True)
class Offers(Command):
    """List open offers on the sender's postings."""


@dataclass(frozen=True)
class Unknown(Command):
    """Not a command; the caller replies with HELP. ``text`` is the normalised message."""

    text: str


@dataclass(frozen=True)
class PriceQuery(Command):
    commodity: str
    province: str | None = None


@dataclass(frozen=True)
class Listing(Command):
    """A draft sell offer (``side`` "sell") or buy request ("buy"). ``price`` is per ``price_unit``."""

    side: str
    commodity: str
    quantity: Decimal
    unit: Unit
    price: Decimal
    price_unit: Unit
    note: str = ""

    @property
    def quantity_kg(self) -> Decimal | None:
        """The quantity in kg, or None for count units (head, crate)."""
        kg = self.unit.kg_per_unit
        return None if kg is None else self.quantity * kg

    @property
    def price_per_kg(self) -> Decimal | None:
        """The price per kg, or None for count units."""
        kg = self.price_unit.kg_per_unit
        return None if kg is None else self.price / kg


@dataclass(frozen=True)
class Confirm(Command):
    number: int


@dataclass(frozen=True)
class Discard(Command):
    number: int


@dataclass(frozen=True)
class Accept(Command):
    code: str


@dataclass(frozen=True)
class Decline(Command):
    code: str


@dataclass(frozen=True)
class Counter(Command):
    """A counter-offer; ``price_unit`` is None when the sender gave a bare number (the offer's unit)."""

    code: str
    price: Decimal
    price_unit: Unit | None = None


@dataclass(frozen=True)
class Subscribe(Command):
    commodity: str
    province: str | None = None


@dataclass(frozen=True)
class Unsubscribe(Command):
    """End price alerts for ``commodity`` (and ``province``), or all of them when commodity is None."""

    commodity: str | None = None
    province: str | None = None


# Latin keywords are whole first words; Chinese ones are prefixes (longest first, see _CJK_KEYWORDS).
_LATIN_KEYWORDS = {
    **dict.fromkeys(("stop", "stopall", "unsubscribe", "end", "quit", "td"), "optout"),
    "cancel": "cancel", "yes": "yes", "start": "optin", "unstop": "optin",
    "help": "help", "info": "help", "price": "price", "sell": "sell", "buy": "buy", "no": "discard",
    "offers": "offers", "accept": "accept", "decline": "decline", "counter": "counter",
    "sub": "sub", "unsub": "unsub",
}
_CJK_KEYWORDS = [
    (re.compile(r"取消\s*订阅"), "unsub"), (re.compile("退订"), "optout"), (re.compile("帮助"), "help"),
    (re.compile("价格"), "price"), (re.compile("确认"), "confirm"), (re.compile("取消"), "cancel"),
    (re.compile("报价"), "offers"), (re.compile("接受"), "accept"), (re.compile("拒绝"), "decline"),
    (re.compile("还价"), "counter"), (re.compile("订阅"), "sub"), (re.compile("卖"), "sell"),
    (re.compile("买"), "buy"),
]
_NUMBER = re.compile(r"(?P<sign>[-+−])?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?|\.\d+)")
_DRAFT = re.compile(r"#?(\d{1,9})(?!\S)")
_CODE = re.compile(r"#?([a-z0-9]{2,12})(?!\S)")
_CURRENCY_BEFORE = re.compile(r"(?:¥|rmb|cny)\s*")
_CURRENCY_AFTER = re.compile(r"\s*(?:元|块钱|块|yuan|rmb|cny)(?![a-z])")
_PER = re.compile(r"\s*(?:/|每|per\s+)\s*")
_TRAILING_PUNCTUATION = "。！!？?，,、；;"


class _Cursor:
    """Walks the folded text while keeping the original (NFKC, case preserved) for free-text notes."""

    def __init__(self, folded: str, original: str, pos: int = 0):
        self.s, self.o, self.pos = folded, original, pos

    def skip_space(self) -> None:
        while self.pos < len(self.s) and self.s[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.s)

    def match(self, regex: re.Pattern) -> re.Match | None:
        found = regex.match(self.s, self.pos)
        if found:
            self.pos = found.end()
        return found

    def take(self, mapping) -> object | None:
        """Consume the longest key of ``mapping`` at the cursor that ends on a word boundary."""
        self.skip_space()
        rest = self.s[self.pos:]
        for length in range(min(len(rest), 40), 0, -1):
            key = rest[:length]
            if key in mapping and not (key[-1].isascii() and key[-1].isalpha() and length < len(rest)
                                       and rest[length].isascii() and rest[length].isalpha()):
                self.pos += length
                return mapping[key]
        return None

    def remainder(self) -> str:
        return self.o[self.pos:].strip()


def _normalise(text: str) -> tuple[str, str]:
    """Return (folded, original) of equal length: NFKC, whitespace collapsed, end punctuation dropped."""
    original = " ".join(unicodedata.normalize("NFKC", text).split()).rstrip(_TRAILING_PUNCTUATION).strip()
    return fold(original), original


def _decimal(found: re.Match, command: str, field: str, places: int, maximum: Decimal) -> Decimal:
    if found.group("sign") in ("-", "−"):
        raise ParseError("not_positive", command, field)
    try:
        value = Decimal(found.group("num").replace(",", ""))
    except InvalidOperation:
        raise ParseError("bad_number", command, field) from None
    if not value.is_finite():
        raise ParseError("bad_number", command, field)
    if value <= 0:
        raise ParseError("not_positive", command, field)
    if value > maximum:
        raise ParseError("too_large", command, field)
    if -value.as_tuple().exponent > places:
        raise ParseError("too_precise", command, field)
    return value


def _commodity(cur: _Cursor, catalogue: Catalogue, command: str) -> str:
    if cur.at_end():
        raise ParseError("missing_commodity", command, "commodity")
    slug = cur.take(catalogue.commodities)
    if slug is None:
        raise ParseError("unknown_commodity", command, "commodity")
    return slug


def _province(cur: _Cursor, catalogue: Catalogue, command: str) -> str | None:
    if cur.at_end():
        return None
    code = cur.take(catalogue.provinces)
    if code is None:
        raise ParseError("unknown_province", command, "province")
    return code


def _price(cur: _Cursor, catalogue: Catalogue, command: str) -> tuple[Decimal, Unit | None]:
    """Parse "2100", "2,100", "¥2100/吨", "1.05元/斤", "2100 per t"; the unit is None when absent."""
    if cur.at_end():
        raise ParseError("missing_price", command, "price")
    cur.match(_CURRENCY_BEFORE)
    found = cur.match(_NUMBER)
    if not found:
        raise ParseError("bad_number", command, "price")
    price = _decimal(found, command, "price", PRICE_PLACES, MAX_PRICE)
    cur.match(_CURRENCY_AFTER)
    if not cur.match(_PER):
        return price, None
    unit = cur.take(catalogue.units)
    if unit is None:
        raise ParseError("unknown_unit", command, "price")
    return price, unit


def _listing(side: str, cur: _Cursor, catalogue: Catalogue) -> Listing:
    commodity = _commodity(cur, catalogue, side)
    if cur.at_end():
        raise ParseError("missing_quantity", side, "quantity")
    found = cur.match(_NUMBER)
    if not found:
        raise ParseError("bad_number", side, "quantity")
    quantity = _decimal(found, side, "quantity", QUANTITY_PLACES, MAX_QUANTITY)
    if cur.at_end():
        raise ParseError("missing_unit", side, "quantity")
    unit = cur.take(catalogue.units)
    if unit is None:
        raise ParseError("missing_unit", side, "quantity")
    price, price_unit = _price(cur, catalogue, side)
    price_unit = price_unit or unit
    if price_unit != unit and (unit.kg_per_unit is None or price_unit.kg_per_unit is None):
        raise ParseError("unit_mismatch", side, "price")
    listing = Listing(side, commodity, quantity, unit, price, price_unit, cur.remainder())
    if listing.quantity_kg is not None and listing.quantity_kg > MAX_QUANTITY_KG:
        raise ParseError("too_large", side, "quantity")
    if listing.price_per_kg is not None and listing.price_per_kg > MAX_PRICE_PER_KG:
        raise ParseError("too_large", side, "price")
    return listing


def _draft_number(cur: _Cursor, command: str) -> int:
    if cur.at_end():
        raise ParseError("missing_number", command, "number")
    found = cur.match(_DRAFT)
    if not found or int(found.group(1)) == 0:
        raise ParseError("bad_number", command, "number")
    return int(found.group(1))


def _code(cur: _Cursor, command: str) -> str:
    if cur.at_end():
        raise ParseError("missing_code", command, "code")
    found = cur.match(_CODE)
    if not found:
        raise ParseError("bad_code", command, "code")
    return found.group(1).upper()


def _keyword(folded: str) -> tuple[str | None, int]:
    """Return (command family, end of keyword) for the start of the folded text."""
    first = folded.split(" ", 1)[0]
    if first in _LATIN_KEYWORDS:
        return _LATIN_KEYWORDS[first], len(first)
    for regex, family in _CJK_KEYWORDS:
        found = regex.match(folded)
        if found:
            return family, found.end()
    return None, 0


def parse(text: str, catalogue: Catalogue) -> Command:
    """Parse one inbound SMS. Returns a Command (``Unknown`` when no keyword matches).

    Raises ParseError when the keyword is known but its arguments are missing or invalid."""
    folded, original = _normalise(text)
    family, end = _keyword(folded)
    cur = _Cursor(folded, original, end)
    starts_with_digit = not cur.at_end() and (folded[cur.pos].isdigit() or folded[cur.pos] == "#")
    if family == "optout" or (family == "cancel" and not starts_with_digit):
        return OptOut()
    if family == "yes":
        return Confirm(_draft_number(cur, "confirm")) if starts_with_digit else OptIn()
    if family in ("cancel", "discard"):
        return Discard(_draft_number(cur, "discard"))
    if family == "confirm":
        return Confirm(_draft_number(cur, "confirm"))
    if family == "optin":
        return OptIn()
    if family == "help":
        return Help()
    if family == "offers":
        return Offers()
    if family == "price":
        return PriceQuery(_commodity(cur, catalogue, "price"), _province(cur, catalogue, "price"))
    if family in ("sell", "buy"):
        return _listing(family, cur, catalogue)
    if family == "accept":
        return Accept(_code(cur, "accept"))
    if family == "decline":
        return Decline(_code(cur, "decline"))
    if family == "counter":
        code = _code(cur, "counter")
        price, unit = _price(cur, catalogue, "counter")
        return Counter(code, price, unit)
    if family == "sub":
        return Subscribe(_commodity(cur, catalogue, "sub"), _province(cur, catalogue, "sub"))
    if family == "unsub":
        if cur.at_end():
            return Unsubscribe()
        return Unsubscribe(_commodity(cur, catalogue, "unsub"), _province(cur, catalogue, "unsub"))
    return Unknown(folded)
