"""Full-text search through the market, on whichever engine the suite runs on (SQLite FTS5 or
PostgreSQL full text): Chinese without spaces, aliases, both languages, prefixes, AND, ranking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import make_posting
from tests.search.helpers import search


@pytest.fixture
def produce(db):
    """A small market: maize in two languages, wheat, apples and a buy request for soybeans."""
    return {
        "maize_zh": make_posting(title="优质玉米出售", description="今年新粮，干燥", province_code="41"),
        "maize_en": make_posting(title="Yellow grain, dry", description="Shelled and cleaned.", province_code="37"),
        "wheat": make_posting(
            commodity="wheat", title="Winter wheat", description="Good for flour.", province_code="41"
        ),
        "apples": make_posting(
            commodity="apple",
            title="Fresh apples for sale",
            quantity=Decimal("300"),
            unit_code="kg",
            price=Decimal("6"),
        ),
        "soy": make_posting(commodity="soybean", kind="buy", title="求购大豆", description="长期收购"),
    }


def test_chinese_word_finds_a_title_written_without_spaces(client, produce):
    # Both are maize (the other through its commodity's names); the title match comes first.
    assert search(client, q="玉米") == ["优质玉米出售", "Yellow grain, dry"]


def test_a_kind_word_lists_that_kind_with_the_postings_saying_it_first(client, produce):
    found = search(client, q="出售")
    assert found[0] == "优质玉米出售"
    assert sorted(found) == sorted(["优质玉米出售", "Yellow grain, dry", "Winter wheat", "Fresh apples for sale"])


@pytest.mark.parametrize("word", ["苞米", "corn", "CORN", "ＣＯＲＮ", "Maize", "包谷", "玉蜀黍"])
def test_every_name_of_maize_finds_both_maize_postings(client, produce, word):
    assert sorted(search(client, q=word)) == sorted(["优质玉米出售", "Yellow grain, dry"])


def test_a_latin_word_of_three_letters_matches_as_a_prefix(client, produce):
    assert sorted(search(client, q="cor")) == sorted(["优质玉米出售", "Yellow grain, dry"])
    assert search(client, q="appl") == ["Fresh apples for sale"]


def test_every_word_must_match(client, produce):
    assert search(client, q="maize henan") == ["优质玉米出售"]
    assert search(client, q="玉米 山东") == ["Yellow grain, dry"]
    assert search(client, q="wheat flour") == ["Winter wheat"]
    assert search(client, q="wheat sprays") == []


def test_two_commodities_find_either(client, produce):
    assert sorted(search(client, q="wheat apples")) == ["Fresh apples for sale", "Winter wheat"]


def test_chinese_phrase_needs_its_neighbouring_characters(client, produce):
    # 出售 and 优质 are in the title; 售优 is not a pair of neighbours anywhere.
    assert search(client, q="米优") == []
    assert search(client, q="玉米出优") == []


def test_a_grade_ranks_first_without_excluding(client, produce):
    assert search(client, q="优质玉米") == ["优质玉米出售", "Yellow grain, dry"]


def test_description_and_province_are_searched(client, produce):
    assert search(client, q="flour") == ["Winter wheat"]
    assert search(client, q="Shandong") == ["Yellow grain, dry"]
    assert search(client, q="收购") == ["求购大豆"]


def test_a_title_match_ranks_before_a_description_only_match(client, db):
    make_posting(title="Organic maize, sun dried", description="Shelled.")
    make_posting(title="Maize", description="Organic farming, no sprays.")  # newer, yet second
    make_posting(title="Maize, plain", description="Nothing special.")
    assert search(client, q="organic") == ["Organic maize, sun dried", "Maize"]


def test_more_query_words_in_the_title_rank_higher(client, db):
    make_posting(title="Dry maize", description="Henan grown, organic.")
    make_posting(title="Organic dry maize", description="From Henan.")
    make_posting(title="Maize", description="Organic and dry.")
    assert search(client, q="organic dry") == ["Organic dry maize", "Dry maize", "Maize"]


def test_search_results_are_ranked_but_can_be_sorted_by_price(client, db):
    make_posting(title="Maize A", price=Decimal("3000"))
    make_posting(title="Maize B", price=Decimal("2000"))
    assert search(client, q="maize", sort="price_asc") == ["Maize B", "Maize A"]


def test_only_active_postings_are_found(client, db):
    make_posting(title="Maize draft", publish=False)
    closed = make_posting(title="Maize closed")
    closed.status = "closed"
    db.session.commit()
    make_posting(title="Maize on offer")
    assert search(client, q="maize") == ["Maize on offer"]


def test_a_query_without_words_shows_the_whole_market(client, produce):
    assert len(search(client, q="!!! ¿? …")) == 5
    assert len(search(client, q="   ")) == 5
