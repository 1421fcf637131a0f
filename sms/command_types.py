"""The typed results of reading an inbound SMS (sms.commands.parse) and the limits on numbers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sms.catalogue import Unit

MAX_QUANTITY = Decimal("1000000")  # in the unit the sender used
MAX_QUANTITY_KG = Decimal("10000000")  # 10,000 t: more than any single farm lot
MAX_PRICE = Decimal("10000000")  # per unit
MAX_PRICE_PER_KG = Decimal("100000")
MAX_UNIT_WEIGHT_KG = Decimal("100000")  # one counted unit (a head, a crate), as on the web form
QUANTITY_PLACES, PRICE_PLACES = 3, 2  # the Quantity / Money column scales


class ParseError(ValueError):
    """A known command with unusable arguments. ``reason`` is a short code (``unknown_commodity``,
    ``missing_unit``, ``not_positive`` …), ``command`` the command family (``sell``, ``price`` …) so
    the caller can reply with that command's usage, ``field`` the argument concerned, if any, and
    ``text`` the farmer's words that were not understood (for ``not_understood``), to name in the reply."""

    def __init__(self, reason: str, command: str, field: str | None = None, text: str = ""):
        super().__init__(f"{command}: {reason}" + (f" ({field})" if field else "") + (f": {text}" if text else ""))
        self.reason, self.command, self.field, self.text = reason, command, field, text


class Command:
    """Base of every parse result."""


@dataclass(frozen=True)
class OptOut(Command):
    """Stop every SMS to this number."""


@dataclass(frozen=True)
class OptOutHint(Command):
    """Reads like a wish to stop but is not the keyword alone: ask for the keyword, change nothing."""


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
    """A draft sell offer (``side`` "sell") or buy request ("buy"). ``price`` is per ``price_unit``.
    ``province`` when named before the quantity; ``unread`` the words before the quantity that were
    not understood (the reply names them); ``unit_weight_kg`` the kg one counted unit weighs when the
    sender said so ("20筐 每筐30斤"), None otherwise and always for weighed units."""

    side: str
    commodity: str
    quantity: Decimal
    unit: Unit
    price: Decimal
    price_unit: Unit
    note: str = ""
    province: str | None = None
    unread: str = ""
    unit_weight_kg: Decimal | None = None

    def kg_of(self, unit: Unit) -> Decimal | None:
        """The kg in one ``unit``: fixed for weighed units, the stated weight for the counted unit
        of this listing, None when unknown."""
        if unit.kg_per_unit is not None:
            return unit.kg_per_unit
        return self.unit_weight_kg if unit == self.unit else None

    @property
    def quantity_kg(self) -> Decimal | None:
        """The quantity in kg, or None for a count unit (head, crate) of unknown weight."""
        kg = self.kg_of(self.unit)
        return None if kg is None else self.quantity * kg

    @property
    def price_per_kg(self) -> Decimal | None:
        """The price per kg, or None for a count unit of unknown weight."""
        kg = self.kg_of(self.price_unit)
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


@dataclass(frozen=True)
class OrderStep(Command):
    """A party's step on order ``number`` (the id in J0000003): ``action`` is confirm, decline, ship,
    paid or received (the order service's action each runs: app.inbound_sms.order_texts.SERVICE_ACTIONS).
    For "ship", ``carrier`` and ``tracking`` when the sender named a known carrier and a waybill
    number, and ``note`` the sender's own words after the order number (a plate, a waybill)."""

    action: str
    number: int
    note: str = ""
    carrier: str | None = None
    tracking: str = ""


@dataclass(frozen=True)
class AcceptContract(Command):
    """A party accepts the current purchase contract of order ``number`` (CONTRACT J3, 合同 J3)."""

    number: int


@dataclass(frozen=True)
class Orders(Command):
    """List the sender's open orders with the next step each waits for."""
