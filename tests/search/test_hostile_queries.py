"""No text typed into the search box can break a query: FTS5 and tsquery syntax, SQL, control
characters, huge strings and odd Unicode all answer 200 and leave the database as it was."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from app.postings.models import Posting
from app.postings.search import POSTING_TEXT as POSTING_SEARCH
from app.search.engines import Fts5Engine, PostgresEngine
from app.search.text import query_terms
from tests.factories import make_posting
from tests.search.helpers import search

HOSTILE = [
    '"',
    '""',
    "*",
    "corn*",
    "^corn",
    "NEAR(",
    "NEAR(corn wheat, 2)",
    "AND OR",
    "corn OR wheat",
    "NOT corn",
    "-corn",
    "(corn",
    "corn)",
    "search_text:corn",
    "posting_fts:玉米",
    "{search_text}: corn",
    "'; DROP TABLE posting; --",
    "' OR 1=1 --",
    "corn & wheat | !apple",
    "corn:*",
    "\\",
    "%",
    "_",
    "a\x00b",
    "\x00",
    "玉米\u200f\u202e出售",
    "\u200b\u200c\u200d",
    "🌽🍎",
    "🌽 corn",
    "x" * 10_000,
    "玉米 " * 2_000,
    "<script>alert(1)</script>",
    "\ufffd\ud7ff",
    "١٢٣ corn",
]


@pytest.fixture
def market(db):
    make_posting(title="优质玉米出售")
    make_posting(commodity="wheat", title="Winter wheat")


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_query_answers_200_and_breaks_nothing(client, db, market, query):
    for htmx in (True, False):
        response = client.get("/market", query_string={"q": query}, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Posting)) == 2


def test_operators_are_searched_as_plain_words(client, market):
    assert search(client, q="corn OR apple") == []  # "or" is a word every posting would need
    assert search(client, q="NOT wheat") == []
    assert search(client, q="wheat*") == ["Winter wheat"]


def test_random_unicode_never_breaks_either_engine(db, market):
    """Random strings from the whole Unicode range, run as real queries on this database."""
    rng = random.Random(2026)
    for _ in range(200):
        text = "".join(chr(rng.choice([rng.randrange(0x20, 0x3000), rng.randrange(0x3000, 0x30000)])) for _ in range(8))
        text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
        prepared = POSTING_SEARCH.search(text)
        if prepared is not None:
            db.session.execute(prepared.apply(select(Posting.id, prepared.match.score))).all()


def test_terms_are_quoted_for_fts5():
    assert Fts5Engine.match_expression(["玉米", "corn", "ab"]) == '"玉米" "corn"* "ab"'
    assert Fts5Engine.match_expression(['co"rn']) == '"co""rn"*'


def test_terms_are_quoted_for_tsquery():
    assert PostgresEngine.tsquery_text(["玉米", "corn", "ab"]) == "'玉米' & 'corn':* & 'ab'"
    assert PostgresEngine.tsquery_text(["it's"]) == "'it''s':*"


def test_query_terms_keep_at_most_twelve_words():
    assert len(query_terms("x" * 10_000)) == 1
    assert len(query_terms(" ".join(f"word{i}" for i in range(100)))) == 12
