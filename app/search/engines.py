"""The two engines behind the search service: SQLite FTS5 and PostgreSQL full text.

Both index the text prepared by :mod:`app.search.text` (folded words, CJK unigrams and bigrams), so
they answer the same query the same way. Each turns query terms into a :class:`Match`: how to limit
a SELECT over the indexed table to the rows that contain every term, and a score for each such row
(higher is better). Query terms reach the database only as one bound parameter, quoted inside it so
that no FTS5 or tsquery operator can be injected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Select,
    Table,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from app.search.text import TermGroup, as_groups, is_cjk

# Latin words of at least this length also match longer words ("cor" finds "corn"); shorter ones
# would match far too much, and CJK bigrams are already whole words.
MIN_PREFIX_LENGTH = 3


@dataclass(frozen=True)
class SearchIndex:
    """Where one table's search text lives.

    ``table`` has an integer key ``id_column`` and a text column ``text_column`` filled with
    :func:`app.search.text.index_text`. On SQLite ``fts_table`` is an external-content FTS5 table over
    it (rowid = id); on PostgreSQL a GIN index on ``to_tsvector('simple', text_column)`` serves the
    query. ``title_column``, when given, lets rows whose title holds the query words rank first.

    ``vector_column``, when given, names a stored ``tsvector`` column on PostgreSQL (generated from
    ``text_column``, with the GIN index on it; not a model column, SQLite has none) that the query
    and ts_rank read instead of parsing the text again for every match.
    """

    table: Table
    fts_table: str
    text_column: str = "search_text"
    id_column: str = "id"
    title_column: str | None = "title"
    vector_column: str | None = None
    facet_column: str | None = None


# Facets: tokens that the index holds beside the text (the posting's commodity and province, as
# "c_12", "p_410000"; migration 0037) so that a text search with those filters can AND them into
# the match and the engine intersects doclists instead of filtering every match row by row. A
# facet group matches when any one of its tokens does. Query terms never contain "_"
# (app/search/text.py), so no word a user types can match a facet token, nor a prefix reach one.
FacetGroup = tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """The rows of an index's table that match a query: a FROM clause of ``(id, score)`` to join on
    the table's id and/or a WHERE condition on the table itself, and the score of a matching row."""

    score: ColumnElement[float]
    joined: FromClause | None = None
    condition: ColumnElement[bool] | None = None

    def apply(self, statement: Select, id_column: ColumnElement) -> Select:
        """``statement`` (selecting from the indexed table) limited to the matching rows."""
        if self.joined is not None:
            statement = statement.join(self.joined, self.joined.c.id == id_column)
        if self.condition is not None:
            statement = statement.where(self.condition)
        return statement


class SearchEngine(Protocol):
    dialect: str

    def match(self, index: SearchIndex, terms: Sequence[str | TermGroup], facets: Sequence[FacetGroup] = ()) -> Match:
        """The rows of ``index`` that hold every one of ``terms`` (a group: any one of its
        alternatives, each all of its terms) and one token of each of ``facets`` (only for an
        index with a ``facet_column``). The score is the text's alone."""


def wants_prefix(term: str) -> bool:
    return not is_cjk(term) and len(term) >= MIN_PREFIX_LENGTH


class Fts5Engine:
    """SQLite FTS5 with bm25 ranking: a subquery on the FTS5 table, joined on rowid = id."""

    dialect = "sqlite"

    @staticmethod
    def match_expression(terms: Sequence[str | TermGroup]) -> str:
        """An FTS5 query in which every term is a quoted string, so the words AND, OR, NOT, NEAR,
        column filters, ``^`` and ``*`` typed by a user are plain text; terms are implicitly ANDed,
        the alternatives of a group ORed (parenthesised)."""

        def quoted(term: str) -> str:
            text = '"' + term.replace('"', '""') + '"'
            return text + "*" if wants_prefix(term) else text

        parts = []
        for group in as_groups(terms):
            alternatives = [" AND ".join(quoted(term) for term in alternative) for alternative in group]
            if len(alternatives) == 1 and len(group[0]) == 1:
                parts.append(alternatives[0])
            else:
                parts.append("(" + " OR ".join(f"({alternative})" for alternative in alternatives) + ")")
        # FTS5 ANDs neighbouring strings implicitly, but a parenthesised group needs the operator.
        return (" AND " if any(part.startswith("(") for part in parts) else " ").join(parts)

    @staticmethod
    def facet_expression(facets: Sequence[FacetGroup]) -> str:
        """The facet groups as FTS5 terms to AND after the text's: ``("c_12" OR "c_13")``. No
        column filter: facet tokens occur only in the facet column (see FacetGroup)."""
        return " AND ".join("(" + " OR ".join(f'"{token}"' for token in group) + ")" for group in facets)

    def match(self, index: SearchIndex, terms: Sequence[str | TermGroup], facets: Sequence[FacetGroup] = ()) -> Match:
        fts = table(index.fts_table, column("rowid"), column(index.fts_table))
        # bm25() is negative, more negative for better matches; flip it so every engine agrees. The
        # facet column weighs nothing: the score is the text's.
        weights = (literal_column("1.0"), literal_column("0.0")) if index.facet_column else ()
        score = -func.bm25(literal_column(index.fts_table), *weights, type_=Float)
        expression = self.match_expression(terms)
        if facets and index.facet_column:
            expression = f"({expression}) AND {self.facet_expression(facets)}"
        matches = (
            select(fts.c.rowid.label("id"), score.label("score"))
            .where(fts.c[index.fts_table].op("MATCH")(expression))
            .subquery(f"{index.fts_table}_matches")
        )
        return Match(score=matches.c.score, joined=matches)


class PostgresEngine:
    """PostgreSQL full text with the 'simple' configuration (no stemming: the text is already
    prepared) and ts_rank ranking: a condition on the table itself, served by its GIN index."""

    dialect = "postgresql"

    @staticmethod
    def tsquery_text(terms: Sequence[str | TermGroup]) -> str:
        """A to_tsquery() argument: each term a quoted lexeme, ``:*`` for prefixes, joined by AND;
        the alternatives of a group joined by OR (parenthesised)."""

        def quoted(term: str) -> str:
            text = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
            return text + ":*" if wants_prefix(term) else text

        parts = []
        for group in as_groups(terms):
            alternatives = [" & ".join(quoted(term) for term in alternative) for alternative in group]
            if len(alternatives) == 1 and len(group[0]) == 1:
                parts.append(alternatives[0])
            else:
                parts.append("(" + " | ".join(f"({alternative})" for alternative in alternatives) + ")")
        return " & ".join(parts)

    @staticmethod
    def facet_tsquery(facets: Sequence[FacetGroup]) -> str:
        """The facet groups as tsquery input (cast, not to_tsquery: the parser would split "c_12")."""
        return " & ".join("(" + " | ".join(f"'{token}'" for token in group) + ")" for group in facets)

    def match(self, index: SearchIndex, terms: Sequence[str | TermGroup], facets: Sequence[FacetGroup] = ()) -> Match:
        # The configuration is written as a constant (not a bound parameter) so the expression is
        # identical to the one of the GIN index and the planner can use that index. No join: a
        # self-join on id would let the planner scan the whole table instead.
        configuration = literal_column("'simple'")
        if index.vector_column:
            # ts_rank over to_tsvector(text) re-parses every match: seconds for a common word over
            # 1,000,000 postings. The stored column is read as it is.
            vector = column(index.vector_column, TSVECTOR, _selectable=index.table)
        else:
            vector = func.to_tsvector(configuration, index.table.c[index.text_column])
        query = func.to_tsquery(configuration, self.tsquery_text(terms))
        matched = query
        if facets and index.facet_column:
            # The stored vector holds the facets as lexemes without positions (migration 0037):
            # GIN intersects their posting lists with the text's. ts_rank reads the text query only.
            matched = query.op("&&")(cast(self.facet_tsquery(facets), TSQUERY))
        return Match(score=func.ts_rank(vector, query, type_=Float), condition=vector.op("@@")(matched))


ENGINES: dict[str, SearchEngine] = {engine.dialect: engine for engine in (Fts5Engine(), PostgresEngine())}


def engine_for(dialect_name: str) -> SearchEngine:
    """The engine for a database dialect; raises LookupError for a database without one."""
    try:
        return ENGINES[dialect_name]
    except KeyError:
        raise LookupError(f"no search engine for the {dialect_name!r} database") from None
