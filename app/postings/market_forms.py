"""The market's search form: reading filters and sorting from the query string.

A GET form, so it is parsed by hand rather than with WTForms: a value that makes no sense is left
out and explained in a notice above the results (the page still answers 200, never 500), and the
rest of the search goes on.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.catalogue.models import Category, Region, Unit
from app.postings.models import PostingKind

MAX_QUERY_LENGTH = 200
# Anything at or above these is a typo, not a price per kg or a quantity in kg.
MAX_PRICE_PER_KG = Decimal("10000000")
MAX_QUANTITY_KG = Decimal("1000000000")
DECIMAL_PLACES = Decimal("0.0001")
# Deeper pages are refused: offsets beyond this only cost the database time.
MAX_PAGE = 10_000

SORT_CHOICES = {
    "": _l("Best match"),  # relevance when there is a query, newest otherwise
    "newest": _l("Newest first"),
    "price_asc": _l("Price per kg: low to high"),
    "price_desc": _l("Price per kg: high to low"),
    "quantity_desc": _l("Largest quantity first"),
}
KIND_CHOICES = {"": _l("Sell offers and buy requests"), "sell": _l("Sell offers"), "buy": _l("Buy requests")}
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_PROVINCE_RE = re.compile(r"^[0-9]{2}$")


@dataclass(frozen=True)
class Choice:
    """One option of a select: the value sent and its names in both languages."""

    value: str
    name_en: str
    name_zh: str


@dataclass(frozen=True)
class CommodityChoice(Choice):
    id: int = 0


@dataclass(frozen=True)
class CategoryChoice(Choice):
    commodities: tuple[CommodityChoice, ...] = ()


@dataclass(frozen=True)
class MarketChoices:
    """A plain snapshot of the catalogue for the search form: what it offers, what the filters are
    checked against, and the unit weights used to compare quantities in kg."""

    categories: tuple[CategoryChoice, ...]
    regions: tuple[Choice, ...]
    unit_weights: tuple[tuple[str, Decimal], ...]
    # Identifies this snapshot in cache keys: filters mean other postings and cards show other
    # names after a catalogue change.
    fingerprint: int = field(default=0, compare=False)
    commodity_ids: dict[str, int] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, categories: list[Category], regions: list[Region], units: list[Unit]) -> MarketChoices:
        category_choices = tuple(
            CategoryChoice(
                category.slug,
                category.name_en,
                category.name_zh,
                commodities=tuple(CommodityChoice(c.slug, c.name_en, c.name_zh, id=c.id) for c in category.commodities),
            )
            for category in categories
        )
        region_choices = tuple(Choice(region.code, region.name_en, region.name_zh) for region in regions)
        weights = tuple((unit.code, unit.kg_per_unit) for unit in units if unit.kg_per_unit is not None)
        unit_names = tuple((unit.code, unit.name_en, unit.name_zh) for unit in units)
        return cls(
            categories=category_choices,
            regions=region_choices,
            unit_weights=weights,
            fingerprint=stable_fingerprint((category_choices, region_choices, weights, unit_names)),
            commodity_ids={c.value: c.id for category in category_choices for c in category.commodities},
        )

    def commodity_ids_of_category(self, slug: str) -> list[int]:
        return [c.id for category in self.categories if category.value == slug for c in category.commodities]


def stable_fingerprint(value: tuple) -> int:
    """A digest of ``value``'s repr that every process computes alike (``hash()`` of strings differs
    between processes), so it can name a catalogue snapshot in a cache shared by the workers."""
    return int.from_bytes(hashlib.blake2b(repr(value).encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class MarketFilters:
    """What the market shows: a query, filters, the order and the page."""

    q: str = ""
    kind: str = ""
    category: str = ""
    commodity: str = ""
    province: str = ""
    min_price: Decimal | None = None  # per kg
    max_price: Decimal | None = None
    min_quantity: Decimal | None = None  # kg
    verified: bool = False
    sort: str = ""
    page: int = 1
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def effective_sort(self) -> str:
        """The order actually used: best match means relevance for a query, newest without one."""
        if self.sort:
            return self.sort
        return "relevance" if self.q.strip() else "newest"

    @property
    def narrowed(self) -> bool:
        """True when anything besides the query, the order and the page limits the results."""
        ignored = {"q", "sort", "page", "notices"}
        return any(getattr(self, f.name) not in (None, "", False) for f in fields(self) if f.name not in ignored)


def parse_market_filters(args: Mapping[str, str], choices: MarketChoices) -> MarketFilters:
    """Read the market's query string. Values that are not understood are dropped and explained in
    ``notices``; this never raises for any input."""
    notices: list[str] = []
    values: dict[str, object] = {"q": _clean_text(args.get("q", ""), MAX_QUERY_LENGTH)}

    kind = _clean_text(args.get("kind", ""))
    if kind in {k.value for k in PostingKind}:
        values["kind"] = kind
    elif kind:
        notices.append(str(_l("Unknown kind of posting; showing both kinds.")))

    known_categories = {category.value for category in choices.categories}
    known_provinces = {region.value for region in choices.regions}
    for name, known, pattern, message in (
        ("category", known_categories, _SLUG_RE, _l("Unknown category; showing all categories.")),
        ("commodity", choices.commodity_ids, _SLUG_RE, _l("Unknown commodity; showing all commodities.")),
        ("province", known_provinces, _PROVINCE_RE, _l("Unknown province; showing all provinces.")),
    ):
        value = _clean_text(args.get(name, ""))
        if pattern.match(value) and value in known:
            values[name] = value
        elif value:
            notices.append(str(message))

    for name, limit, message in (
        ("min_price", MAX_PRICE_PER_KG, _l("The lowest price was not understood and is ignored.")),
        ("max_price", MAX_PRICE_PER_KG, _l("The highest price was not understood and is ignored.")),
        ("min_quantity", MAX_QUANTITY_KG, _l("The minimum quantity was not understood and is ignored.")),
    ):
        raw = args.get(name, "")
        number = parse_positive_decimal(raw, limit)
        if number is not None:
            values[name] = number
        elif _clean_text(raw):
            notices.append(str(message))
    if values.get("min_price") is not None and values.get("max_price") is not None:
        if values["min_price"] > values["max_price"]:
            notices.append(str(_l("The lowest price is above the highest price; the price range is ignored.")))
            values["min_price"] = values["max_price"] = None

    values["verified"] = _clean_text(args.get("verified", "")).lower() in {"1", "on", "true", "yes", "y"}

    sort = _clean_text(args.get("sort", ""))
    if sort == "relevance":
        sort = ""
    if sort in SORT_CHOICES:
        values["sort"] = sort
    else:
        notices.append(str(_l("Unknown sort order; showing the best matches first.")))

    values["page"] = _parse_page(args.get("page", ""))
    return MarketFilters(notices=tuple(notices), **values)


def parse_positive_decimal(raw: str | None, limit: Decimal) -> Decimal | None:
    """A finite number above zero and below ``limit``, to four decimals, or None for anything
    else: empty, text, NaN, infinity, zero, negative, huge, or so small it rounds to zero.

    Full-width digits, a leading ¥ and thousands separators ("1,000") are accepted.
    """
    text = _clean_text(raw or "").replace(",", "").replace(" ", "").lstrip("¥")
    if not text or len(text) > 30:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or number >= limit:
        return None
    number = number.quantize(DECIMAL_PLACES, rounding=ROUND_HALF_UP)
    return number if number > 0 else None


def _parse_page(raw: str | None) -> int:
    text = _clean_text(raw or "")
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return 1
    return min(max(int(text), 1), MAX_PAGE)


def _clean_text(raw: str, limit: int = 60) -> str:
    """At most ``limit`` characters, NFKC-normalised and trimmed, control and format characters
    (NUL, RTL marks …) made spaces: PostgreSQL refuses NUL in text, and invisible characters would
    only confuse a search. The input is cut first so that a pasted essay costs no more than a word."""
    text = unicodedata.normalize("NFKC", (raw or "")[: limit * 2])
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).strip()[:limit]
