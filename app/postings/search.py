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

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from sqlalchemy import ColumnElement, Integer, Select, case, func, literal, select, true

from app.extensions import db
from app.postings.models import Posting, PostingStatus
from app.search.engines import FacetGroup, SearchIndex
from app.search.service import Search, SearchService
from app.search.text import query_terms
from app.search.understanding import Understanding, fold, mention_terms, text_groups
from app.search.vocabulary import query_vocabulary

# search_vector: the stored tsvector of migration 0013 (PostgreSQL only), so ranking does not parse
# search_text again for every candidate.
# search_facets / the facet lexemes of search_vector: the commodity and province as tokens
# (migration 0037), ANDed into the match of a text search with those filters (facets() below).
POSTING_TEXT = SearchService(
    SearchIndex(Posting.__table__, fts_table="posting_fts", vector_column="search_vector", facet_column="search_facets")
)
# Results are counted exactly up to MIN_COUNT, or up to PAGES_AHEAD pages past the current one.
MIN_COUNT = 1000
PAGES_AHEAD = 10
# How many of the newest matches of a text (or best-match) search are ordered, by relevance or the chosen sort.
RANKED_CANDIDATES = MIN_COUNT + 1
# A filter on more commodities or provinces than this (a whole category) stays a row filter: ORing
# that many doclists costs more than it saves.
MAX_FACET_TOKENS = 8
# The id windows (newest first) in which PostgreSQL looks for a text's candidates before it reads
# every match (see DatabasePostingSearch._text_candidates).
CANDIDATE_WINDOWS = (20_000, 200_000)


@dataclass(frozen=True)
class PostingQuery:
    """What to search for. Empty fields do not filter.

    ``commodity_ids`` and ``province_codes`` are None for "any"; an empty set means nothing can
    match (e.g. a commodity filter outside the chosen category). ``understanding`` is how the query
    ``text`` was read (app/search/understanding.py): its commodities, places and kind are already
    in the filters above (the caller decides how they combine with a form's), its free words are
    matched (every word) and ranked, and the places and grades it mentions rank postings that name
    them first. Without an understanding, ``text`` is matched word by word.
    """

    text: str = ""
    understanding: Understanding | None = None
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
    def from_list(cls, data: list) -> ResultIds:
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

    def has_any(self, query: PostingQuery) -> bool:
        """True when at least one active posting matches ``query`` (its order and page ignored)."""


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
        text = self.text_search(query)
        matching = self.matching_ids(query, text)
        offset = (query.page - 1) * query.per_page
        boost = mention_boost(query.understanding) if query.sort == "relevance" and query.understanding else None
        if text is not None or boost is not None:
            ids, counted = self._ranked_page(query, text, boost, matching, offset, cap)
        else:
            ids = self._ordered_page(query, matching, offset)
            counted = None
            if len(ids) < query.per_page and (ids or offset == 0):
                counted = offset + len(ids)  # the last page: the count is known without counting
        if counted is None:
            counted = db.session.scalar(count_up_to(matching, cap + 1))
        return ResultIds(page=query.page, ids=tuple(ids), counted=counted, cap=cap)

    def has_any(self, query: PostingQuery) -> bool:
        if query.commodity_ids == frozenset() or query.province_codes == frozenset():
            return False
        return db.session.scalar(self.matching_ids(query, self.text_search(query)).limit(1)) is not None

    @staticmethod
    def text_search(query: PostingQuery) -> Search | None:
        """The full-text part of ``query``: its free words as understood, or every word of its text."""
        if query.understanding is not None:
            return POSTING_TEXT.search_terms(text_groups(query.understanding), facets=facets(query))
        return POSTING_TEXT.search_terms(query_terms(query.text), facets=facets(query))

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
        column = {
            "price_asc": Posting.price_per_kg,
            "price_desc": Posting.price_per_kg,
            "quantity_desc": Posting.quantity_kg,
        }.get(query.sort)
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

    def _ranked_page(
        self,
        query: PostingQuery,
        text: Search | None,
        boost: ColumnElement[int] | None,
        matching: Select,
        offset: int,
        cap: int,
    ) -> tuple[list[int], int | None]:
        """A page of a text search (or of a best-match order boosted by the places and grades the
        query mentions): the newest RANKED_CANDIDATES matches (by id: the most recently created) in
        the chosen order — relevance (mentions, title hits, the engine's score), newest, price or
        quantity — then every other match newest first. Returns the ids and the count when the
        candidates already tell it (None otherwise)."""
        # Only what the order needs: reading (and converting) 1,001 dates costs more than ranking.
        wanted: list[ColumnElement] = [Posting.id]
        if query.sort == "relevance":
            if boost is not None:
                wanted.append(boost.label("boost"))
            if text is not None:
                wanted.extend((text.title_hits().label("title_hits"), text.match.score.label("score")))
        else:
            wanted.append(Posting.published_at)
            if query.sort in ("price_asc", "price_desc"):
                wanted.append(Posting.price_per_kg)
            elif query.sort == "quantity_desc":
                wanted.append(Posting.quantity_kg)
        columns = select(*wanted)
        statement = columns.where(*self.conditions(query))
        if text is not None:
            # Newest by id: FTS5 walks its doclists by rowid, PostgreSQL the primary key.
            newest_first = [text.newest_first()]
            candidates = self._text_candidates(text.apply(statement), newest_first)
        else:
            # Newest by date, which the filters' composite indexes end with.
            newest_first = [Posting.published_at.desc(), Posting.id.desc()]
            candidates = db.session.execute(statement.order_by(*newest_first).limit(RANKED_CANDIDATES)).all()
        ids = [row.id for row in sorted(candidates, key=_candidate_order(query.sort))][offset : offset + query.per_page]
        if len(candidates) < RANKED_CANDIDATES:
            return ids, len(candidates)  # every match was a candidate: nothing follows, all counted
        if len(ids) < query.per_page:  # the page reaches past the candidates: newest first after them
            start = max(offset, RANKED_CANDIDATES)
            rest = matching.order_by(*newest_first).offset(start).limit(offset + query.per_page - start)
            ids.extend(db.session.scalars(rest))
        counted = RANKED_CANDIDATES if cap + 1 <= RANKED_CANDIDATES else None
        return ids, counted

    @staticmethod
    def _text_candidates(statement: Select, newest_first: list[ColumnElement]) -> list:
        """The newest RANKED_CANDIDATES rows of ``statement`` (a text match).

        PostgreSQL estimates a match of several bigrams as if they were independent (可开发票: 3,000
        rows expected, 135,000 found), reads every match through the GIN index and sorts them: a
        second and more. Asked for the newest ids first — within the newest CANDIDATE_WINDOWS ids,
        then a wider window, then all — it reads a bounded number of rows for a common text, and
        a rare one (fewer matches than candidates in a window) falls through to the full query,
        where the GIN index is the right plan. SQLite's FTS5 walks rowids newest first anyway."""
        limited = statement.order_by(*newest_first).limit(RANKED_CANDIDATES)
        if db.session.get_bind().dialect.name != "postgresql":
            return db.session.execute(limited).all()
        newest_id = db.session.scalar(select(func.max(Posting.id))) or 0
        for window in CANDIDATE_WINDOWS:
            if newest_id <= window:
                break
            rows = db.session.execute(limited.where(Posting.id > newest_id - window)).all()
            if len(rows) == RANKED_CANDIDATES:
                return rows
        return db.session.execute(limited).all()


def facets(query: PostingQuery) -> tuple[FacetGroup, ...]:
    """The commodity and province filters of ``query`` as facet tokens of the full-text index
    (``c_<id>``, ``p_<code>``; migration 0037), for the text match to intersect with: a word that a
    quarter of all postings contain, with a commodity filter, then reads the few postings that
    have both instead of the word's matches until enough pass the filter. The filters stay in the
    WHERE clause as well, so the meaning is the same either way."""
    groups = []
    if query.commodity_ids and len(query.commodity_ids) <= MAX_FACET_TOKENS:
        groups.append(tuple(f"c_{int(commodity_id)}" for commodity_id in sorted(query.commodity_ids)))
    if query.province_codes and len(query.province_codes) <= MAX_FACET_TOKENS:
        codes = sorted(query.province_codes)
        if all(code.isalnum() for code in codes):  # region codes are digits; anything else stays a row filter
            groups.append(tuple(f"p_{code.lower()}" for code in codes))
    return tuple(groups)


def _candidate_order(sort: str):
    """A sort key for candidate rows (id and what the order reads: boost, title_hits, score, or
    published_at with price_per_kg or quantity_kg) in ``sort``'s order; the newest first breaks
    ties."""

    def newest(row) -> tuple:
        return (-(row.published_at.timestamp() if row.published_at else 0), -row.id)

    def by_value(value, descending: bool) -> tuple:
        if value is None:
            return (1, 0)  # NULLS LAST either way
        return (0, -value if descending else value)

    def relevance(row) -> tuple:
        values = row._mapping
        # Ties: the most recently created first (the candidates' own order; no date is read).
        return (-(values.get("boost") or 0), -(values.get("title_hits") or 0), -(values.get("score") or 0), -row.id)

    keys = {
        "relevance": relevance,
        "price_asc": lambda row: (*by_value(row.price_per_kg, False), *newest(row)),
        "price_desc": lambda row: (*by_value(row.price_per_kg, True), *newest(row)),
        "quantity_desc": lambda row: (*by_value(row.quantity_kg, True), *newest(row)),
    }
    return keys.get(sort, newest)


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
    titles in lower case. Computed for the ranked candidates only."""
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
        typed = fold(part.text).strip()
        scores.append(case((title.contains(typed, autoescape=True), TYPED_TITLE_WEIGHT), else_=0))
        row = vocabulary.commodities.get(part.value)
        if row is not None:
            named = title.contains(row.name_zh, autoescape=True) | title.contains(row.name_en.lower(), autoescape=True)
            scores.append(case((named, NAME_TITLE_WEIGHT), else_=0))
    if not scores:
        return None
    return sum(scores[1:], scores[0]).cast(Integer)


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


def any_posting_matches(query: PostingQuery) -> bool:
    """True when at least one active posting matches ``query``; see :class:`PostingSearchEngine`."""
    return posting_search().has_any(query)
