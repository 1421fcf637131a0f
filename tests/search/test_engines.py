"""The search service picks the engine of the database it runs on, and each engine uses its index."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.postings.models import Posting
from app.postings.search import POSTING_TEXT as POSTING_SEARCH
from app.search.engines import Fts5Engine, PostgresEngine, engine_for
from tests.factories import make_posting


def test_each_database_gets_its_engine():
    assert isinstance(engine_for("sqlite"), Fts5Engine)
    assert isinstance(engine_for("postgresql"), PostgresEngine)
    with pytest.raises(LookupError):
        engine_for("mysql")


def test_search_returns_nothing_to_join_for_a_query_without_words(db):
    assert POSTING_SEARCH.search("") is None
    assert POSTING_SEARCH.search(" ,.;!? ") is None
    assert POSTING_SEARCH.search(None) is None


def test_matches_hold_ids_with_better_scores_for_better_matches(db):
    often = make_posting(title="Maize maize maize", description="Maize, nothing but maize.")
    once = make_posting(commodity="wheat", title="Wheat", description="Some maize straw too, and much more text " * 5)
    prepared = POSTING_SEARCH.search("maize")
    rows = db.session.execute(prepared.apply(select(Posting.id, prepared.match.score))).all()
    scores = dict(rows)
    assert set(scores) == {often.id, once.id}
    assert scores[often.id] > scores[once.id]


@pytest.mark.postgres_only
def test_postgresql_search_uses_the_gin_index(db):
    make_posting(title="优质玉米出售")
    prepared = POSTING_SEARCH.search("玉米 cor")
    # A table of one row is read faster without an index; forbid that to see the index is usable.
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = explain(db, prepared.apply(select(Posting.id)), "EXPLAIN")
    db.session.rollback()
    # The GIN index on the stored tsvector of migration 0013, which ts_rank reads too.
    assert "ix_posting_search_vector" in plan
    assert "to_tsvector" not in plan


@pytest.mark.postgres_only
def test_postgresql_stored_vector_follows_an_edited_text(db):
    posting = make_posting(title="Fresh wheat")
    posting.search_text = "sorghum"  # the generated column is recomputed by the database
    db.session.commit()
    for q, expected in (("sorghum", [posting.id]), ("wheat", [])):
        prepared = POSTING_SEARCH.search(q)
        assert db.session.scalars(prepared.apply(select(Posting.id))).all() == expected


@pytest.mark.sqlite_only
def test_sqlite_search_uses_fts5(db):
    prepared = POSTING_SEARCH.search("玉米")
    plan = explain(db, prepared.apply(select(Posting.id)), "EXPLAIN QUERY PLAN")
    assert "VIRTUAL TABLE" in plan and "posting_fts" in plan


def explain(db, query, command: str) -> str:
    """The database's plan for ``query`` as one string."""
    compiled = query.compile(dialect=db.engine.dialect)
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    rows = db.session.connection().exec_driver_sql(f"{command} {compiled}", params).all()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)
