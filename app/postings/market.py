"""The market: active postings, searched in both languages, filtered, sorted and paginated.

Registered on the postings blueprint (imported at the end of app/postings/__init__.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import func, select

from app.caching.local import app_cache
from app.caching.shared import shared_cache
from app.catalogue.services import all_regions, all_units, categories_with_commodities
from app.core.i18n import is_chinese
from app.db import read_without_transaction
from app.extensions import db
from app.postings import bp
from app.postings.market_cards import market_cards
from app.postings.market_forms import KIND_CHOICES, SORT_CHOICES, MarketChoices, MarketFilters, parse_market_filters
from app.postings.market_reading import query_chips, suggestions
from app.postings.models import Posting
from app.postings.search import PostingQuery, ResultIds, search_postings
from app.search.understanding import Understanding
from app.search.vocabulary import query_vocabulary, understand
from app.web.htmx import render_page_or_fragment

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
        return _OPTION.format(
            choice.value,
            Markup(" selected") if choice.value == selected else "",
            choice.name_zh if zh else choice.name_en,
        )

    if field == "commodity":
        return Markup("").join(
            _OPTGROUP.format(
                category.name_zh if zh else category.name_en,
                Markup("").join(option(commodity) for commodity in category.commodities),
            )
            for category in choices.categories
        )
    return Markup("").join(
        option(choice) for choice in (choices.categories if field == "category" else choices.regions)
    )


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
    # A member's verification is copied onto their postings (moving their updated_at), so the
    # version below notices it too and "trusted sellers only" is cached like any other filter.
    if size:
        cache = app_cache("market_results", max_entries=size, max_age=current_app.config["MARKET_RESULT_CACHE_SECONDS"])
        key, version = (filters, per_page, choices.fingerprint), posting_data_version()
        result = cache.get_or_compute(key, version, lambda: shared_result_ids(filters, choices, per_page, version))
    else:
        result = find_result_ids(filters, choices, per_page)
    return MarketPage(
        pagination=IdPagination(result, per_page),
        cards=market_cards(result.ids, choices.fingerprint),
        more=result.more,
    )


def shared_result_ids(filters: MarketFilters, choices: MarketChoices, per_page: int, version: tuple) -> ResultIds:
    """:func:`find_result_ids`, through the cache every worker shares when there is one: a page of
    results one worker found is not searched again by the others, and of the workers that miss
    the same search at once only one asks the database while the others wait for its answer
    (app/caching/shared.py). Entries are keyed by the data version, so never stale."""
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
    """The ids of one page of results in order, and how many results there are (up to a cap),
    from the posting search service."""
    return search_postings(posting_query(filters, choices, per_page))


def posting_query(
    filters: MarketFilters, choices: MarketChoices, per_page: int, understanding: Understanding | None = None
) -> PostingQuery:
    """The market's form as a question to the posting search service: the query as it was
    understood (its commodities and places narrow the form's filters, its kind applies unless the
    form chose one) with the form's filters, order and page."""
    understanding = understanding if understanding is not None else understand(filters.q)
    commodity_ids = None
    if understanding.commodity_slugs:
        commodity_ids = frozenset(understood_commodity_ids(understanding, choices))
    if filters.commodity:
        chosen = frozenset({choices.commodity_ids[filters.commodity]})
        commodity_ids = chosen if commodity_ids is None else commodity_ids & chosen
    if filters.category:
        of_category = frozenset(choices.commodity_ids_of_category(filters.category))
        commodity_ids = of_category if commodity_ids is None else commodity_ids & of_category
    province_codes = frozenset(understanding.province_codes) if understanding.province_codes else None
    if filters.province:
        chosen = frozenset({filters.province})
        province_codes = chosen if province_codes is None else province_codes & chosen
    kind = filters.kind or understanding.kind
    return PostingQuery(
        text=filters.q,
        understanding=understanding,
        kinds=frozenset({kind}) if kind else frozenset(),
        commodity_ids=commodity_ids,
        province_codes=province_codes,
        min_price_per_kg=filters.min_price,
        max_price_per_kg=filters.max_price,
        min_quantity_kg=filters.min_quantity,
        verified_only=filters.verified,
        sort=filters.effective_sort,
        page=filters.page,
        per_page=per_page,
    )


def posting_data_version() -> tuple:
    """Changes whenever a posting is added or updated. Two subqueries, because databases answer a
    lone max() of an indexed column with one index seek but scan the table for two at once."""
    return tuple(db.session.execute(_DATA_VERSION).one())


_DATA_VERSION = select(
    select(func.max(Posting.id)).scalar_subquery(), select(func.max(Posting.updated_at)).scalar_subquery()
)


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
