"""The market: active postings, searched in both languages, filtered, sorted and paginated.

Registered on the postings blueprint (imported at the end of app/postings/__init__.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import ColumnElement, Integer, Select, case, func, literal, select

from app.catalogue.services import all_regions, all_units, categories_with_commodities
from app.db import read_without_transaction
from app.extensions import db
from app.members.models import Member
from app.postings import bp
from app.postings.market_cards import market_cards
from app.postings.market_forms import KIND_CHOICES, SORT_CHOICES, MarketChoices, MarketFilters, parse_market_filters
from app.postings.market_reading import query_chips, suggestions
from app.postings.models import Posting, PostingStatus
from app.search.cache import app_cache
from app.search.engines import SearchIndex
from app.search.shared_cache import shared_cache
from app.search.service import Search, SearchService
from app.search.understanding import Understanding, fold, mention_terms, text_groups
from app.search.vocabulary import query_vocabulary, understand
from app.web.htmx import render_page_or_fragment
from app.web.i18n import is_chinese

# search_vector: the stored tsvector of migration 0013 (PostgreSQL only), so ranking 1,000,000
# postings does not parse search_text again for every match.
POSTING_SEARCH = SearchService(SearchIndex(Posting.__table__, fts_table="posting_fts", vector_column="search_vector"))
# Results are counted exactly up to MIN_COUNT, or up to PAGES_AHEAD pages past the current one.
MIN_COUNT = 1000
PAGES_AHEAD = 10
# How long other workers wait for the one computing a missing search (see shared_result_ids)
# before they compute it themselves: well above the slowest search measured on 1,000,000
# postings under load.
RESULT_LOCK_SECONDS = 10


@bp.get("/market")
def market():
    read_without_transaction()  # the market only reads
    choices = market_choices()
    filters = parse_market_filters(request.args, choices)
    page = market_page(filters, choices, per_page=current_app.config["POSTINGS_PER_PAGE"])
    understanding = understand(filters.q)
    nothing_found = not page.pagination.total
    return render_page_or_fragment(
        "postings/market.html",
        "postings/_partials/_results.html",
        filters=filters,
        pagination=page.pagination,
        cards=page.cards,
        more=page.more,
        choices=choices,
        sort_choices=SORT_CHOICES,
        kind_choices=KIND_CHOICES,
        select_options=select_options,
        chips=query_chips(understanding, is_chinese()),
        suggestions=suggestions(filters, understanding, choices) if nothing_found else [],
    )


_OPTION = Markup('<option value="{}"{}>{}</option>')
_OPTGROUP = Markup('<optgroup label="{}">{}</optgroup>')


def select_options(choices: MarketChoices, field: str, selected: str | None) -> Markup:
    """The ``<option>``s of the search form's ``category``, ``commodity`` (in an ``<optgroup>`` per
    category) or ``province`` select, with ``selected`` marked, in the current language. Rendered
    once per catalogue snapshot, language and selection: about 110 options, escaped one by one,
    cost more than the rest of a cached search page."""
    zh = is_chinese()
    cache = app_cache("market_select_options", max_entries=1000, max_age=3600)
    return cache.get_or_compute(
        (choices.fingerprint, field, selected, zh), None, lambda: _render_options(choices, field, selected, zh)
    )


def _render_options(choices: MarketChoices, field: str, selected: str | None, zh: bool) -> Markup:
    def option(choice) -> Markup:
        return _OPTION.format(choice.value, Markup(" selected") if choice.value == selected else "",
                              choice.name_zh if zh else choice.name_en)

    if field == "commodity":
        return Markup("").join(
            _OPTGROUP.format(category.name_zh if zh else category.name_en,
                             Markup("").join(option(commodity) for commodity in category.commodities))
            for category in choices.categories
        )
    return Markup("").join(option(choice) for choice in (choices.categories if field == "category" else choices.regions))


@dataclass(frozen=True)
class ResultIds:
    """What the result cache keeps for one page: the posting ids in order and the capped count."""

    page: int
    ids: tuple[int, ...]
    counted: int
    cap: int

    def as_list(self) -> list:
        """The result as JSON-ready data (for the shared cache)."""
        return [self.page, list(self.ids), self.counted, self.cap]

    @classmethod
    def from_list(cls, data: list) -> "ResultIds":
        """The result :meth:`as_list` gave; raises ValueError or TypeError for anything else."""
        page, ids, counted, cap = data
        if not all(isinstance(value, int) for value in (page, counted, cap, *ids)):
            raise ValueError("not a result")
        return cls(page=page, ids=tuple(ids), counted=counted, cap=cap)


class IdPagination(Pagination):
    """A page whose ids and count are already known (from the database or the result cache)."""

    def __init__(self, result: ResultIds, per_page: int):
        self._result = result
        super().__init__(page=result.page, per_page=per_page, error_out=False, count=True)

    def _query_items(self) -> list:
        return list(self._result.ids)

    def _query_count(self) -> int:
        return min(self._result.counted, self._result.cap)


@dataclass(frozen=True)
class MarketPage:
    """A page of results with each posting rendered as a card; ``more`` means there are more than
    ``pagination.total`` results."""

    pagination: Pagination
    cards: list[Markup]
    more: bool


def market_choices() -> MarketChoices:
    """The catalogue snapshot for the search form, re-read every MARKET_CATALOGUE_SECONDS."""
    cache = app_cache("market_choices", max_entries=1, max_age=current_app.config["MARKET_CATALOGUE_SECONDS"])
    return cache.get_or_compute(
        "choices", None, lambda: MarketChoices.build(categories_with_commodities(), all_regions(), all_units())
    )


def market_page(filters: MarketFilters, choices: MarketChoices, per_page: int) -> MarketPage:
    """One page of active postings matching ``filters``, each rendered as a card.

    Issues the same number of queries whatever the page size: the data version, the ids of the
    page in order and the count (both skipped when the result cache holds them), then at most three
    for the cards (see market_cards).
    """
    size = current_app.config["MARKET_RESULT_CACHE_SIZE"]
    # Verification changes members, not postings, so the version below would not notice them.
    if size and not filters.verified:
        cache = app_cache("market_results", max_entries=size, max_age=current_app.config["MARKET_RESULT_CACHE_SECONDS"])
        key, version = (filters, per_page, choices.fingerprint), posting_data_version()
        result = cache.get_or_compute(key, version, lambda: shared_result_ids(filters, choices, per_page, version))
    else:
        result = find_result_ids(filters, choices, per_page)
    return MarketPage(
        pagination=IdPagination(result, per_page),
        cards=market_cards(result.ids, choices.fingerprint),
        more=result.counted > result.cap,
    )


def shared_result_ids(filters: MarketFilters, choices: MarketChoices, per_page: int, version: tuple) -> ResultIds:
    """:func:`find_result_ids`, through the cache every worker shares when there is one: a page of
    results one worker found is not searched again by the others, and of the workers that miss
    the same search at once only one asks the database while the others wait for its answer
    (app/search/shared_cache.py). Entries are keyed by the data version, so never stale."""
    shared = shared_cache()
    if shared is None:
        return find_result_ids(filters, choices, per_page)
    # The notices (what the form ignored and why) are not part of the search, and are in the
    # visitor's language.
    stored = shared.get_or_compute_once(
        ("market_results", replace(filters, notices=()), per_page, choices.fingerprint, version),
        lambda: json.dumps(find_result_ids(filters, choices, per_page).as_list()),
        ttl_seconds=current_app.config["MARKET_RESULT_CACHE_SECONDS"],
        lock_seconds=RESULT_LOCK_SECONDS,
    )
    try:
        return ResultIds.from_list(json.loads(stored))
    except (ValueError, TypeError):  # not written by this release's code: search again
        return find_result_ids(filters, choices, per_page)


def find_result_ids(filters: MarketFilters, choices: MarketChoices, per_page: int) -> ResultIds:
    """The ids of one page of results in order, and how many results there are (up to a cap)."""
    understanding = understand(filters.q)
    search = POSTING_SEARCH.search_terms(text_groups(understanding))
    matching_ids = select(Posting.id).where(*market_conditions(filters, choices, understanding))
    if search is not None:
        matching_ids = search.apply(matching_ids)
    # Ordering only ids keeps the sort small; sorting whole rows (search_text included) for
    # thousands of matches would cost more than everything else on the page.
    ordered_ids = matching_ids.order_by(*market_order(filters, search, choices, understanding))
    pagination = db.paginate(ordered_ids, page=filters.page, per_page=per_page, error_out=False, count=False)
    # Counting every match of a broad query costs more than the page itself, and nobody reads
    # "90,041 results": count at most a bit beyond the current page and say "more than" after that.
    cap = max(MIN_COUNT, (pagination.page + PAGES_AHEAD) * per_page)
    return ResultIds(
        page=pagination.page,
        ids=tuple(pagination.items),
        counted=db.session.scalar(count_up_to(matching_ids, cap + 1)),
        cap=cap,
    )


def count_up_to(matching_ids: Select, limit: int) -> Select:
    return select(func.count()).select_from(matching_ids.limit(limit).subquery())


def posting_data_version() -> tuple:
    """Changes whenever a posting is added or updated. Two subqueries, because databases answer a
    lone max() of an indexed column with one index seek but scan the table for two at once."""
    return tuple(db.session.execute(_DATA_VERSION).one())


_DATA_VERSION = select(
    select(func.max(Posting.id)).scalar_subquery(), select(func.max(Posting.updated_at)).scalar_subquery()
)


def market_conditions(filters: MarketFilters, choices: MarketChoices,
                      understanding: Understanding | None = None) -> list[ColumnElement[bool]]:
    """WHERE clauses for the filters and for what the query was understood to ask for: its
    commodities, provinces (of the places it names) and kind (the free words are applied by the
    search service). The form's own kind wins over a kind word in the query."""
    understanding = understanding if understanding is not None else understand(filters.q)
    conditions: list[ColumnElement[bool]] = [Posting.status == PostingStatus.ACTIVE.value]
    kind = filters.kind or understanding.kind
    if kind:
        conditions.append(Posting.kind == kind)
    if understanding.commodity_slugs:
        conditions.append(Posting.commodity_id.in_(understood_commodity_ids(understanding, choices)))
    if understanding.province_codes:
        conditions.append(Posting.province_code.in_(understanding.province_codes))
    if filters.commodity:
        conditions.append(Posting.commodity_id == choices.commodity_ids[filters.commodity])
    if filters.category:
        conditions.append(Posting.commodity_id.in_(choices.commodity_ids_of_category(filters.category)))
    if filters.province:
        conditions.append(Posting.province_code == filters.province)
    if filters.min_price is not None:
        conditions.append(Posting.price_per_kg >= filters.min_price)
    if filters.max_price is not None:
        conditions.append(Posting.price_per_kg <= filters.max_price)
    if filters.min_quantity is not None:
        conditions.append(quantity_in_kg(choices) >= filters.min_quantity)
    if filters.verified:
        # EXISTS lets the planner walk postings newest first and stop after one page.
        conditions.append(Posting.owner.has(Member.verified_at.is_not(None)))
    return conditions


def understood_commodity_ids(understanding: Understanding, choices: MarketChoices) -> list[int]:
    """The ids of the commodities the query names (a commodity newer than the form's snapshot is
    found in the vocabulary)."""
    vocabulary = None
    ids = []
    for slug in understanding.commodity_slugs:
        commodity_id = choices.commodity_ids.get(slug)
        if commodity_id is None:
            vocabulary = vocabulary or query_vocabulary()
            row = vocabulary.commodities.get(slug)
            commodity_id = row.id if row is not None else None
        if commodity_id is not None:
            ids.append(commodity_id)
    return ids


# How much each kind of mention weighs: a place or grade the query names is what sets a posting
# apart (the commodity is already a filter), then the commodity as the buyer wrote it in the title
# (地瓜 before a posting titled "sweet potatoes"), then any of its names in the title.
MENTION_WEIGHT = 4
TYPED_TITLE_WEIGHT = 2
NAME_TITLE_WEIGHT = 1


def mention_boost(understanding: Understanding) -> ColumnElement[int] | None:
    """A score for what a posting says of the query's understood parts: each city, county, grade
    or kind word its text mentions (烟台 of "烟台苹果" ranks the apples of Yantai above the rest of
    Shandong's, 有机 ranks organic ones first), each commodity its title names as typed or by one
    of its names (a posting *about* 玉米 before one filed under maize with another title). None
    when the query names none of them. Mentions are read from the indexed tokens (space-delimited),
    titles in lower case."""
    padded = literal(" ").concat(Posting.search_text).concat(" ")
    scores = []
    for words in understanding.mentions:
        condition = None
        for word in words:
            terms = mention_terms(word)
            mentioned = padded.contains(f" {terms[0]} ", autoescape=True)
            for term in terms[1:]:
                mentioned = mentioned & padded.contains(f" {term} ", autoescape=True)
            condition = mentioned if condition is None else condition | mentioned
        scores.append(case((condition, MENTION_WEIGHT), else_=0))
    vocabulary = query_vocabulary() if understanding.commodity_slugs else None
    title = func.lower(Posting.title)
    for part in understanding.of_role("commodity"):
        typed = fold_for_title(part.text)
        scores.append(case((title.contains(typed, autoescape=True), TYPED_TITLE_WEIGHT), else_=0))
        row = vocabulary.commodities.get(part.value)
        if row is not None:
            named = title.contains(row.name_zh, autoescape=True) | title.contains(row.name_en.lower(), autoescape=True)
            scores.append(case((named, NAME_TITLE_WEIGHT), else_=0))
    if not scores:
        return None
    return sum(scores[1:], scores[0]).cast(Integer)


def fold_for_title(text: str) -> str:
    """A query word as a title would spell it (Simplified, lower case)."""
    return fold(text).strip()


def quantity_in_kg(choices: MarketChoices) -> ColumnElement:
    """A posting's quantity in kg: by its unit's weight, or the weight stated for a count unit
    (crate, head); NULL when neither is known. The unit weights are written into the query as a
    CASE so that no row needs a join."""
    weights = dict(choices.unit_weights)
    if not weights:
        return Posting.quantity * Posting.unit_weight_kg
    return Posting.quantity * case(weights, value=Posting.unit_code, else_=Posting.unit_weight_kg)


def market_order(filters: MarketFilters, search: Search | None, choices: MarketChoices,
                 understanding: Understanding | None = None) -> list[ColumnElement]:
    """ORDER BY clauses for the chosen sort; the newest first breaks ties, then the id. Best match
    ranks postings mentioning the query's places and grades first, then by the free words."""
    newest = [Posting.published_at.desc(), Posting.id.desc()]
    sort = filters.effective_sort
    if sort == "relevance":
        boost = mention_boost(understanding) if understanding is not None else None
        order = [boost.desc()] if boost is not None else []
        if search is not None:
            order.extend(search.ranking())
        return [*order, *newest]
    if sort == "price_asc":
        return [Posting.price_per_kg.asc().nulls_last(), *newest]
    if sort == "price_desc":
        return [Posting.price_per_kg.desc().nulls_last(), *newest]
    if sort == "quantity_desc":
        return [quantity_in_kg(choices).desc().nulls_last(), *newest]
    return newest

