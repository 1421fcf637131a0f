"""Posting search: the one place that turns a search for postings into SQL.

The market (app/postings/market.py) and everything that runs a market search again (saved
searches) describe what they want as a :class:`PostingQuery` — what the query was understood to
mean (free text, commodities, provinces, kinds), the filters, the order and the page — and get a
:class:`ResultIds` back: the ids of that page in order and how many results there are, counted up
to a cap. :class:`PostingSearchEngine` is that contract; :class:`DatabasePostingSearch` implements it
on the app's own database (SQLite FTS5 or PostgreSQL full text, app/search/engines.py). An external
engine (OpenSearch, Meilisearch; see docs/search-scaling.md) implements the same method and is
chosen in :func:`posting_search`; nothing outside this module builds posting search SQL.

Why it is fast on 1,000,000 postings (bench/README.md, "Search on 1,000,000 postings"):

* Filters are equalities and ranges on indexed columns (migration 0020: status with commodity,
  province, kind, price per kg and published_at), so a page of a filtered search is an index walk
  in the page's order that stops after one page.
* **Text ranking is top-k over a bounded candidate set**: the engine scores only the
  ``RANKED_CANDIDATES`` most recently created postings that match (walked newest first, which both
  engines do without reading the older matches), and orders those by relevance — or by price,
  quantity or date when the buyer chose that order. The rest of the matches follow, newest first.
  The trade-off: a better (or cheaper) match older than the newest ``RANKED_CANDIDATES`` matches is
  not lifted above newer ones — on a market where offers go stale in weeks that is rarely what a
  buyer wants, and it bounds the cost of the commonest word (a phrase of sellers' descriptions
  matches 250,000 of 1,000,000 postings) to ordering 1,001 rows instead of all of them.
* Counts stop at a cap (``MIN_COUNT``, or ``PAGES_AHEAD`` pages past the current one); the page says
  "1,000+" beyond it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from sqlalchemy import ColumnElement, Select, func, select, true

from app.extensions import db
from app.postings.models import Posting, PostingStatus
from app.search.engines import SearchIndex
from app.search.service import Search, SearchService

# search_vector: the stored tsvector of migration 0013 (PostgreSQL only), so ranking does not parse
# search_text again for every candidate.
POSTING_TEXT = SearchService(SearchIndex(Posting.__table__, fts_table="posting_fts", vector_column="search_vector"))
# Results are counted exactly up to MIN_COUNT, or up to PAGES_AHEAD pages past the current one.
MIN_COUNT = 1000
PAGES_AHEAD = 10
# How many of the newest matches of a text query are scored and ordered by relevance.
RANKED_CANDIDATES = MIN_COUNT + 1
SORTS = ("relevance", "newest", "price_asc", "price_desc", "quantity_desc")


@dataclass(frozen=True)
class PostingQuery:
    """What to search for. Empty fields do not filter.

    ``commodity_ids`` and ``province_codes`` are None for "any"; an empty set means nothing can
    match (e.g. a commodity filter outside the chosen category). ``text`` is what is left of the
    query once commodities, places and kinds were recognised: it is matched (every word) and, with
    the ``relevance`` order, ranked.
    """

    text: str = ""
    kinds: frozenset[str] = frozenset()
    commodity_ids: frozenset[int] | None = None
    province_codes: frozenset[str] | None = None
    min_price_per_kg: Decimal | None = None
    max_price_per_kg: Decimal | None = None
    min_quantity_kg: Decimal | None = None
    verified_only: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def cache_key(self) -> str:
        """A stable text naming this query, for result caches."""
        return json.dumps([
            self.text, sorted(self.kinds),
            None if self.commodity_ids is None else sorted(self.commodity_ids),
            None if self.province_codes is None else sorted(self.province_codes),
            *(None if value is None else str(value.normalize())
              for value in (self.min_price_per_kg, self.max_price_per_kg, self.min_quantity_kg)),
            self.verified_only, self.sort, self.page, self.per_page,
        ], ensure_ascii=False)


@dataclass(frozen=True)
class ResultIds:
    """One page of results: the posting ids in order and the count, exact up to ``cap``
    (``counted`` > ``cap`` means "more than cap")."""

    page: int
    ids: tuple[int, ...]
    counted: int
    cap: int

    @property
    def more(self) -> bool:
        return self.counted > self.cap

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


class PostingSearchEngine(Protocol):
    """What a posting search engine does; the database one below, an external one later."""

    def search(self, query: PostingQuery) -> ResultIds:
        """The page ``query.page`` of active postings matching ``query`` in its order, counted up to
        :func:`count_cap`. Never raises for any query text."""


def count_cap(page: int, per_page: int) -> int:
    """Results are counted exactly up to this many for a page; beyond it the page says "N+"."""
    return max(MIN_COUNT, (page + PAGES_AHEAD) * per_page)


class DatabasePostingSearch:
    """Posting search in the app's database: indexed filters, the full-text engine of the dialect
    for the text, relevance over a bounded set of the newest candidates."""

    def search(self, query: PostingQuery) -> ResultIds:
        cap = count_cap(query.page, query.per_page)
        if query.commodity_ids == frozenset() or query.province_codes == frozenset():
            # Nothing can match (a commodity outside the chosen category): an empty IN would still
            # have the database read the table.
            return ResultIds(page=query.page, ids=(), counted=0, cap=cap)
        text = POSTING_TEXT.search(query.text)
        matching = self.matching_ids(query, text)
        offset = (query.page - 1) * query.per_page
        if text is not None:
            ids, counted = self._ranked_page(query, text, matching, offset, cap)
        else:
            ids = self._ordered_page(query, matching, offset)
            counted = None
            if len(ids) < query.per_page and (ids or offset == 0):
                counted = offset + len(ids)  # the last page: the count is known without counting
        if counted is None:
            counted = db.session.scalar(count_up_to(matching, cap + 1))
        return ResultIds(page=query.page, ids=tuple(ids), counted=counted, cap=cap)

    def matching_ids(self, query: PostingQuery, text: Search | None) -> Select:
        """SELECT posting.id of the active postings matching the filters and the text."""
        statement = select(Posting.id).where(*self.conditions(query))
        return text.apply(statement) if text is not None else statement

    def conditions(self, query: PostingQuery) -> list[ColumnElement[bool]]:
        """WHERE clauses for the filters (the text is applied by the full-text engine)."""
        conditions: list[ColumnElement[bool]] = [Posting.status == PostingStatus.ACTIVE.value]
        if query.kinds:
            conditions.append(_equal_or_in(Posting.kind, query.kinds))
        if query.commodity_ids is not None:
            conditions.append(_equal_or_in(Posting.commodity_id, query.commodity_ids))
        if query.province_codes is not None:
            conditions.append(_equal_or_in(Posting.province_code, query.province_codes))
        price, quantity = Posting.price_per_kg, Posting.quantity_kg
        if db.session.get_bind().dialect.name == "sqlite":
            # SQLite has no histogram of prices (no STAT4), so it takes a price or quantity range
            # for selective and reads the range by price, then sorts it: seconds for "5 to 50 yuan"
            # over 1,000,000 postings. Written as `column + 0` the range is checked on the rows of
            # the index that serves the order instead, except for the sort by that column.
            price = price if query.sort in ("price_asc", "price_desc") else price + 0
            quantity = quantity if query.sort == "quantity_desc" else quantity + 0
        if query.min_price_per_kg is not None:
            conditions.append(price >= query.min_price_per_kg)
        if query.max_price_per_kg is not None:
            conditions.append(price <= query.max_price_per_kg)
        if query.min_quantity_kg is not None:
            conditions.append(quantity >= query.min_quantity_kg)
        if query.verified_only:
            conditions.append(Posting.owner_verified == true())  # "IS TRUE" would not use the index
        return conditions

    def _ordered_page(self, query: PostingQuery, matching: Select, offset: int) -> list[int]:
        """A page in a column's order. Postings without a price (or a weight) come last, newest
        first; they are read by a second query rather than with NULLS LAST, which neither database
        can read from an index in both directions (SQLite in neither): with it, "cheapest first"
        sorted every active posting of a province."""
        newest = [Posting.published_at.desc(), Posting.id.desc()]
        column = {"price_asc": Posting.price_per_kg, "price_desc": Posting.price_per_kg,
                  "quantity_desc": Posting.quantity_kg}.get(query.sort)
        if column is None:
            return list(db.session.scalars(matching.order_by(*newest).offset(offset).limit(query.per_page)))
        valued = matching.where(column.is_not(None))
        by_value = column.asc() if query.sort == "price_asc" else column.desc()
        ids = list(db.session.scalars(valued.order_by(by_value, *newest).offset(offset).limit(query.per_page)))
        if len(ids) == query.per_page:
            return ids
        # How many postings with a value come before this page's first posting without one.
        with_value = offset + len(ids) if ids else db.session.scalar(count_up_to(valued, offset))
        without = matching.where(column.is_(None)).order_by(*newest)
        ids.extend(db.session.scalars(without.offset(offset + len(ids) - with_value).limit(query.per_page - len(ids))))
        return ids

    def _ranked_page(self, query: PostingQuery, text: Search, matching: Select, offset: int,
                     cap: int) -> tuple[list[int], int | None]:
        """A page of a text search: the newest RANKED_CANDIDATES matches (by id: the most recently
        created) in the chosen order — relevance (title hits, then the engine's score), newest,
        price or quantity — then every other match newest first. Returns the ids and the count
        when the candidates already tell it (None otherwise)."""
        candidates = db.session.execute(
            text.apply(select(Posting.id, text.title_hits(), text.match.score, Posting.published_at,
                              Posting.price_per_kg, Posting.quantity_kg).where(*self.conditions(query)))
            .order_by(text.newest_first())
            .limit(RANKED_CANDIDATES)
        ).all()
        ids = [row.id for row in sorted(candidates, key=_candidate_order(query.sort))][offset : offset + query.per_page]
        if len(candidates) < RANKED_CANDIDATES:
            return ids, len(candidates)  # every match was a candidate: nothing follows, all counted
        if len(ids) < query.per_page:  # the page reaches past the candidates: newest first after them
            start = max(offset, RANKED_CANDIDATES)
            rest = matching.order_by(text.newest_first()).offset(start).limit(offset + query.per_page - start)
            ids.extend(db.session.scalars(rest))
        counted = RANKED_CANDIDATES if cap + 1 <= RANKED_CANDIDATES else None
        return ids, counted


def _candidate_order(sort: str):
    """A sort key for candidate rows (id, title_hits, score, published_at, price_per_kg,
    quantity_kg) in ``sort``'s order; the newest first breaks ties, as in SQL."""
    def newest(row) -> tuple:
        return (-(row.published_at.timestamp() if row.published_at else 0), -row.id)

    def by_value(value, descending: bool) -> tuple:
        if value is None:
            return (1, 0)  # NULLS LAST either way
        return (0, -value if descending else value)

    keys = {
        "relevance": lambda row: (-(row[1] or 0), -(row[2] or 0), -row.id),
        "price_asc": lambda row: (*by_value(row.price_per_kg, False), *newest(row)),
        "price_desc": lambda row: (*by_value(row.price_per_kg, True), *newest(row)),
        "quantity_desc": lambda row: (*by_value(row.quantity_kg, True), *newest(row)),
    }
    return keys.get(sort, newest)


def _equal_or_in(column, values) -> ColumnElement[bool]:
    # One value as an equality: the planners use a composite index's order for it, not for IN.
    values = sorted(values)
    return column == values[0] if len(values) == 1 else column.in_(values)


def count_up_to(matching_ids: Select, limit: int) -> Select:
    """SELECT the number of rows of ``matching_ids``, reading at most ``limit`` of them."""
    return select(func.count()).select_from(matching_ids.limit(limit).subquery())


_ENGINE: PostingSearchEngine = DatabasePostingSearch()


def posting_search() -> PostingSearchEngine:
    """The posting search engine in use (the database's; an external engine would be chosen here
    from the configuration)."""
    return _ENGINE


def search_postings(query: PostingQuery) -> ResultIds:
    """One page of postings for ``query``; see :class:`PostingSearchEngine`."""
    return posting_search().search(query)
