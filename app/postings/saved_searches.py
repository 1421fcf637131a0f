"""Saved market searches: keep a search, list and delete them, and tell whether a posting matches one.

A saved search holds the market's filters (app/postings/market_forms.py) as parsed by the market
itself, so a search means the same thing when it is run again and when it decides who hears of a new
sell offer (``matches`` mirrors ``DatabasePostingSearch.conditions`` in app/postings/search.py and the search
engines' term rules)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.catalogue.models import Category, Commodity
from app.core.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.postings.market_forms import MarketChoices, parse_market_filters
from app.postings.market_reading import part_label
from app.postings.models import Posting, PostingStatus, SavedSearch
from app.search.engines import wants_prefix
from app.search.text import words_match
from app.search.understanding import Understanding, text_groups
from app.search.vocabulary import query_vocabulary, understand

MAX_SAVED_SEARCHES = 20
MAX_NAME_LENGTH = 60


def saved_searches_of(member_id: int) -> list[SavedSearch]:
    """The member's saved searches, newest first."""
    return list(
        db.session.scalars(
            select(SavedSearch).where(SavedSearch.member_id == member_id).order_by(SavedSearch.id.desc())
        )
    )


def save_search(member: Member, name: str, args: Mapping[str, str], choices: MarketChoices) -> SavedSearch:
    """Keep the market search described by ``args`` (the market's query-string fields) as ``name``.

    Returns the new row (flushed). Raises DomainError: 400 when the name is missing or too long, when a
    filter is not understood or when nothing narrows the search (it would match every posting); 409
    when the member already has MAX_SAVED_SEARCHES or the same search under another name. Does not
    commit."""
    name = _clean_name(name)
    if not name:
        raise DomainError(_("Give the search a name."), status=400)
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(_("The name can be at most %(n)s characters.", n=MAX_NAME_LENGTH), status=400)
    filters = parse_market_filters(args, choices)
    if filters.notices:
        raise DomainError(" ".join(filters.notices), status=400)
    if understand(filters.q).is_empty and not filters.narrowed:
        raise DomainError(_("Enter a search word or choose a filter before saving the search."), status=400)

    search = SavedSearch(
        member_id=member.id,
        name=name,
        q=filters.q,
        kind=filters.kind,
        category_id=_category_id(filters.category),
        commodity_id=choices.commodity_ids.get(filters.commodity) if filters.commodity else None,
        province_code=filters.province or None,
        min_price=filters.min_price,
        max_price=filters.max_price,
        min_quantity=filters.min_quantity,
        verified=filters.verified,
    )
    # Locked so that two saves at once cannot both pass the limit (PostgreSQL; SQLite writes one at a time).
    db.session.execute(select(Member.id).where(Member.id == member.id).with_for_update())
    existing = saved_searches_of(member.id)
    if len(existing) >= MAX_SAVED_SEARCHES:
        raise DomainError(_("You can keep at most %(n)s saved searches. Delete one first.", n=MAX_SAVED_SEARCHES))
    for other in existing:
        if _same_filters(other, search):
            raise DomainError(_("You already saved this search as “%(name)s”.", name=other.name))
    db.session.add(search)
    db.session.flush()
    return search


def delete_search(member: Member, search_id: int) -> None:
    """Delete one of the member's saved searches. Raises DomainError (404) when it does not exist or
    belongs to someone else (the same answer, so ids of other members' searches stay private).
    Does not commit."""
    search = db.session.get(SavedSearch, search_id)
    if search is None or search.member_id != member.id:
        raise DomainError(_("This saved search does not exist."), status=404)
    db.session.delete(search)
    db.session.flush()


def market_args(search: SavedSearch) -> dict[str, str]:
    """The market query string that runs ``search`` again (empty filters left out)."""
    args = {
        "q": search.q,
        "kind": search.kind,
        "category": search.category.slug if search.category else "",
        "commodity": search.commodity.slug if search.commodity else "",
        "province": search.province_code or "",
        "min_price": _plain(search.min_price),
        "max_price": _plain(search.max_price),
        "min_quantity": _plain(search.min_quantity),
        "verified": "1" if search.verified else "",
    }
    return {key: value for key, value in args.items() if value}


def candidate_searches(posting: Posting) -> list[SavedSearch]:
    """Saved searches of other members that could match this sell offer, chosen in SQL by what is
    cheap and indexed — its commodity (or none), its category (or none), the kind — so that
    ``matches`` only has to check the rest."""
    category_id = db.session.scalar(select(Commodity.category_id).where(Commodity.id == posting.commodity_id))
    return list(
        db.session.scalars(
            select(SavedSearch)
            .where(
                SavedSearch.member_id != posting.owner_id,
                SavedSearch.kind.in_(("", posting.kind)),
                (SavedSearch.commodity_id == posting.commodity_id) | SavedSearch.commodity_id.is_(None),
                (SavedSearch.category_id == category_id) | SavedSearch.category_id.is_(None),
            )
            .order_by(SavedSearch.id)
        )
    )


def matches(
    search: SavedSearch,
    posting: Posting,
    category_id: int,
    unit_weight_kg: Decimal | None,
    owner_verified: bool,
    posting_words: frozenset[str],
) -> bool:
    """True when the market, run with ``search``'s filters, would list ``posting``.

    The posting's facts are passed in (its commodity's category, the kg per unit, whether its owner
    is verified, its indexed words) so that checking many searches reads nothing more from the
    database. Comparisons with a missing price or weight are false, as they are in SQL."""
    if posting.status != PostingStatus.ACTIVE.value:
        return False
    understanding = understand(search.q)
    kind = search.kind or understanding.kind
    if kind and kind != posting.kind:
        return False
    if search.commodity_id is not None and search.commodity_id != posting.commodity_id:
        return False
    if search.category_id is not None and search.category_id != category_id:
        return False
    if search.province_code and search.province_code != posting.province_code:
        return False
    price = posting.price_per_kg
    if search.min_price is not None and (price is None or price < search.min_price):
        return False
    if search.max_price is not None and (price is None or price > search.max_price):
        return False
    if search.min_quantity is not None:
        if unit_weight_kg is None or posting.quantity * unit_weight_kg < search.min_quantity:
            return False
    if search.verified and not owner_verified:
        return False
    return matches_understanding(understanding, posting, posting_words)


def matches_understanding(understanding: Understanding, posting: Posting, posting_words: frozenset[str]) -> bool:
    """True when ``posting`` is of a commodity and in a province the query names (when it names
    any) and its indexed words hold the query's free words, as the market's search reads them."""
    if understanding.commodity_slugs:
        vocabulary = query_vocabulary()
        ids = {
            vocabulary.commodities[slug].id for slug in understanding.commodity_slugs if slug in vocabulary.commodities
        }
        if posting.commodity_id not in ids:
            return False
    if understanding.province_codes and posting.province_code not in understanding.province_codes:
        return False
    return words_match(text_groups(understanding), posting_words, wants_prefix)


def posting_words(posting: Posting) -> frozenset[str]:
    """The indexed words of a posting (what the full-text engines match query terms against)."""
    return frozenset(posting.search_text.split())


def filters_summary(search: SavedSearch, zh: bool) -> list[str]:
    """Short labels of what the search filters on, for the list page (in the reader's language):
    the query as the market reads it (玉米 · 河南 (Henan) · “检测报告”), then the form's filters."""
    parts = []
    if search.q:
        understanding = understand(search.q)
        if understanding.understood_anything:
            vocabulary = query_vocabulary()
            parts.extend(part_label(part, vocabulary, zh) for part in understanding.parts)
        else:
            parts.append(f"“{search.q}”")
    if search.kind == "sell":
        parts.append(_("Sell offers"))
    elif search.kind == "buy":
        parts.append(_("Buy requests"))
    for named in (search.category, search.commodity, search.province):
        if named is not None:
            parts.append(named.name_zh if zh else named.name_en)
    if search.min_price is not None or search.max_price is not None:
        low = _plain(search.min_price) or "0"
        high = _plain(search.max_price) or "…"
        parts.append(_("¥%(low)s–%(high)s per kg", low=low, high=high))
    if search.min_quantity is not None:
        parts.append(_("at least %(kg)s kg", kg=_plain(search.min_quantity)))
    if search.verified:
        parts.append(_("Trusted members only"))
    return parts


def _clean_name(raw: str | None) -> str:
    """NFKC-normalised, control and format characters (NUL, RTL marks) made spaces, runs of spaces
    collapsed: PostgreSQL refuses NUL in text, and invisible characters only confuse a list."""
    text = unicodedata.normalize("NFKC", (raw or "")[: MAX_NAME_LENGTH * 4])
    return " ".join("".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).split())


def _category_id(slug: str) -> int | None:
    if not slug:
        return None
    return db.session.scalar(select(Category.id).where(Category.slug == slug))


def _same_filters(a: SavedSearch, b: SavedSearch) -> bool:
    fields = (
        "q",
        "kind",
        "category_id",
        "commodity_id",
        "province_code",
        "min_price",
        "max_price",
        "min_quantity",
        "verified",
    )
    return all(_normal(getattr(a, f)) == _normal(getattr(b, f)) for f in fields)


def _normal(value):
    if isinstance(value, Decimal):
        return value.normalize()
    return value or None


def _plain(value: Decimal | None) -> str:
    """A Decimal without trailing zeros or exponent ("2.5", "100"), "" for None."""
    if value is None:
        return ""
    return format(value.normalize(), "f")
