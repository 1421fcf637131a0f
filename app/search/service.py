"""The search service: turn what a person typed into a ranked set of matching rows.

Usage (the market does this for postings; the forum can do the same for its own table)::

    search = SearchService(SearchIndex(Posting.__table__, fts_table="posting_fts")).search(q)
    if search is not None:
        stmt = search.apply(stmt).order_by(*search.ranking())
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, Select, case, func
from sqlalchemy.orm import Session

from app.extensions import db
from app.search.engines import FacetGroup, Match, SearchIndex, engine_for
from app.search.text import TermGroup, as_groups, query_terms


@dataclass(frozen=True)
class Search:
    """One query prepared for the current database."""

    index: SearchIndex
    terms: tuple[TermGroup, ...]
    match: Match

    @property
    def title_terms(self) -> tuple[str, ...]:
        """The terms of each group's first alternative (what a title is checked for)."""
        return tuple(dict.fromkeys(term for group in self.terms for term in group[0]))

    def apply(self, statement: Select) -> Select:
        """``statement``, a SELECT over the index's table, limited to the rows matching every term."""
        return self.match.apply(statement, self.index.table.c[self.index.id_column])

    def newest_first(self) -> ColumnElement:
        """ORDER BY for matching rows by descending id that the engine can follow while it reads
        its index (FTS5 walks its doclists by rowid, either way), so a LIMIT stops the reading
        instead of sorting every match."""
        id_column = self.index.table.c[self.index.id_column]
        return (self.match.joined.c.id if self.match.joined is not None else id_column).desc()

    def title_hits(self) -> ColumnElement[int]:
        """How many query terms the title contains (case-insensitive for Latin letters)."""
        title = func.lower(self.index.table.c[self.index.title_column])
        hits = [case((title.contains(term, autoescape=True), 1), else_=0) for term in self.title_terms]
        return sum(hits[1:], hits[0]).cast(Integer)

    def ranking(self) -> list[ColumnElement]:
        """ORDER BY clauses, best first: rows whose title holds more query words, then the engine's
        score. The title comes first because a posting that is *about* 玉米 should beat one that
        only mentions it in its description, whatever the lengths of their texts."""
        order = [self.title_hits().desc()] if self.index.title_column else []
        return [*order, self.match.score.desc()]


class SearchService:
    """Full-text search over one :class:`SearchIndex`, on SQLite FTS5 or PostgreSQL."""

    def __init__(self, index: SearchIndex):
        self.index = index

    def search(self, q: str | None, session: Session | None = None) -> Search | None:
        """Prepare ``q`` for the database behind ``session`` (the app's session by default).

        Returns None when ``q`` holds no searchable word (empty, punctuation only …), so callers can
        treat it like no query at all. Never raises for any text: every term is quoted.
        """
        return self.search_terms(query_terms(q or ""), session)

    def search_terms(self, terms, session: Session | None = None, facets: Sequence[FacetGroup] = ()) -> Search | None:
        """Like :meth:`search`, for terms already prepared (plain terms or TermGroups, as
        app/search/understanding.py reads them); None when there are none. ``facets`` (for an
        index with a facet column) are ANDed into the match: see app/search/engines.py."""
        groups = as_groups(terms)
        if not groups:
            return None
        dialect = (session or db.session).get_bind().dialect.name
        return Search(index=self.index, terms=groups, match=engine_for(dialect).match(self.index, groups, facets))
