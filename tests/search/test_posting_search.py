"""The posting search service (app/postings/search.py): bounded relevance ranking, capped counts,
indexed filters, and the trusted-seller copy on postings."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select, text

from app.extensions import db as _db
from app.postings import search as posting_search
from app.postings.models import Posting
from app.postings.search import PostingQuery, search_postings
from tests.factories import make_member, make_posting
from tests.search.test_engines import explain


def _all_pages(query: PostingQuery) -> list[int]:
    ids, page = [], 1
    while True:
        result = search_postings(replace(query, page=page))
        if not result.ids:
            return ids
        ids.extend(result.ids)
        page += 1


@pytest.fixture
def zorblat(db):
    """Six wheat postings mentioning a made-up word, oldest first: two have it in the title."""
    made = {}
    for name, title, description in (
        ("old_title", "Zorblat wheat, the best", "Plain wheat."),
        ("b", "Wheat", "A little zorblat in it."),
        ("c", "Wheat", "Zorblat mentioned here."),
        ("new_title", "Zorblat wheat", "Plain wheat."),
        ("e", "Wheat", "Some zorblat too."),
        ("f", "Wheat", "Zorblat as well."),
    ):
        made[name] = make_posting(commodity="wheat", title=title, description=description).id
    return made


def test_relevance_ranks_only_the_newest_candidates_and_lists_the_rest_newest_first(db, zorblat, monkeypatch):
    monkeypatch.setattr(posting_search, "RANKED_CANDIDATES", 3)
    order = _all_pages(PostingQuery(text="zorblat", per_page=2))
    # The newest three (f, e, new_title) are ranked: the title match first within them …
    assert order[0] == zorblat["new_title"]
    assert set(order[:3]) == {zorblat["new_title"], zorblat["e"], zorblat["f"]}
    # … and the older matches follow newest first, the better but older title match included:
    # the price of never ranking every match.
    assert order[3:] == [zorblat["c"], zorblat["b"], zorblat["old_title"]]
    assert len(order) == len(set(order)) == 6  # every match reachable once, across pages


def test_with_enough_candidates_every_title_match_comes_first(db, zorblat):
    order = _all_pages(PostingQuery(text="zorblat", per_page=2))
    assert set(order[:2]) == {zorblat["new_title"], zorblat["old_title"]}
    assert len(order) == 6


def test_a_page_straddling_the_candidates_joins_the_ranked_and_the_newest(db, zorblat, monkeypatch):
    monkeypatch.setattr(posting_search, "RANKED_CANDIDATES", 3)
    second = search_postings(PostingQuery(text="zorblat", per_page=2, page=2))
    assert second.ids[1] == zorblat["c"]  # the fourth result: the newest match not ranked
    assert second.counted == 6 and not second.more


def test_counts_stop_at_the_cap_and_say_more(db, zorblat, monkeypatch):
    monkeypatch.setattr(posting_search, "MIN_COUNT", 2)
    monkeypatch.setattr(posting_search, "PAGES_AHEAD", 1)
    monkeypatch.setattr(posting_search, "RANKED_CANDIDATES", 3)
    for query in (PostingQuery(text="zorblat", per_page=1), PostingQuery(sort="newest", per_page=1)):
        result = search_postings(query)
        assert result.cap == 2 and result.counted == 3 and result.more


def test_the_market_shows_a_capped_count_as_n_plus_in_both_languages(app, client, zorblat, monkeypatch):
    monkeypatch.setattr(posting_search, "MIN_COUNT", 2)
    monkeypatch.setattr(posting_search, "PAGES_AHEAD", 1)
    app.config["POSTINGS_PER_PAGE"] = 1
    assert "2+ postings found" in client.get("/market?q=zorblat").get_data(as_text=True)
    client.post("/lang", data={"locale": "zh_Hans", "next": "/market"})
    assert "找到 2+ 条信息" in client.get("/market?q=zorblat").get_data(as_text=True)


def test_filters_combine_with_the_text(db, zorblat):
    henan = make_posting(commodity="wheat", title="Zorblat from Henan", province_code="41", kind="buy")
    found = search_postings(PostingQuery(text="zorblat", kinds=frozenset({"buy"}), province_codes=frozenset({"41"})))
    assert found.ids == (henan.id,) and found.counted == 1
    # A commodity outside the chosen set matches nothing, not everything.
    assert search_postings(PostingQuery(text="zorblat", commodity_ids=frozenset())).ids == ()


def test_a_new_posting_copies_its_owner_s_trusted_badge(db):
    from app.core.clock import utcnow

    trusted = make_posting(owner=make_member(verified_at=utcnow()))
    plain = make_posting()
    assert _db.session.get(Posting, trusted.id).owner_verified is True
    assert _db.session.get(Posting, plain.id).owner_verified is False
    assert search_postings(PostingQuery(verified_only=True, sort="newest")).ids == (trusted.id,)


def _spread_postings(db, copies: int = 5000) -> None:
    """Copies of one posting spread over every commodity, province, price, quantity and date, then
    analysed: the planner chooses by real statistics. On an emptied table its choice between indexes
    of equal cost depended on what earlier tests had left in it."""
    make_posting()
    db.session.execute(
        text(
            """
            INSERT INTO posting (kind, status, owner_id, owner_verified, via_station_id, commodity_id, title,
                description, variety, grade, quantity, unit_code, unit_weight_kg, min_order, price, price_per_kg,
                quantity_kg, province_code, locality, available_from, available_until, delivery, lot_code,
                harvest_date, quantity_available, quantity_filled, search_text, published_at, created_at,
                updated_at)
            SELECT p.kind, p.status, p.owner_id, p.owner_verified, p.via_station_id,
                c.ids[1 + g % array_length(c.ids, 1)], p.title, p.description, p.variety, p.grade, p.quantity,
                p.unit_code, p.unit_weight_kg, p.min_order, p.price, 1 + g % 97, 1 + g % 89,
                r.codes[1 + g % array_length(r.codes, 1)], p.locality, p.available_from, p.available_until,
                p.delivery, p.lot_code, p.harvest_date, p.quantity_available, p.quantity_filled, p.search_text,
                p.published_at - g * interval '1 minute', p.created_at, p.updated_at
            FROM posting p,
                (SELECT array_agg(id ORDER BY id) AS ids FROM commodity) c,
                (SELECT array_agg(code ORDER BY code) AS codes FROM region) r,
                generate_series(1, :copies) g
            """
        ),
        {"copies": copies},
    )
    db.session.execute(text("ANALYZE posting"))


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "query, order, index",
    [
        (
            PostingQuery(commodity_ids=frozenset({1})),
            Posting.published_at.desc(),
            "ix_posting_status_commodity_published",
        ),
        # On an empty table the planner rates the two price indexes alike; either serves the order.
        (
            PostingQuery(commodity_ids=frozenset({1})),
            Posting.price_per_kg.asc(),
            ("ix_posting_status_commodity_price", "ix_posting_status_price_per_kg"),
        ),
        (
            PostingQuery(province_codes=frozenset({"41"})),
            Posting.published_at.desc(),
            "ix_posting_status_province_published",
        ),
        (PostingQuery(), Posting.quantity_kg.desc(), "ix_posting_status_quantity_kg"),
    ],
)  # (verified_only: on an empty table the planner rates its index and the status one alike)
def test_postgresql_filters_walk_their_index(db, query, order, index):
    _spread_postings(db)
    statement = posting_search.DatabasePostingSearch().matching_ids(query, None).order_by(order).limit(20)
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    plan = explain(db, statement, "EXPLAIN")
    db.session.rollback()
    indexes = index if isinstance(index, tuple) else (index,)
    assert any(name in plan for name in indexes) and "Sort" not in plan, plan


def test_price_orders_list_postings_without_a_price_last_across_pages(db):
    from decimal import Decimal

    priced = [make_posting(title=f"Priced {n}", price=Decimal(1000 + 100 * n)).id for n in range(3)]
    negotiable = [make_posting(title=f"Negotiable {n}", price=None).id for n in range(3)]
    for sort, expected in (("price_asc", priced + negotiable[::-1]), ("price_desc", priced[::-1] + negotiable[::-1])):
        for per_page in (1, 2, 4):
            assert _all_pages(PostingQuery(sort=sort, per_page=per_page)) == expected, (sort, per_page)


@pytest.mark.sqlite_only
def test_sqlite_ranks_candidates_by_walking_fts5_newest_first(db):
    prepared = posting_search.POSTING_TEXT.search("zorblat")
    statement = prepared.apply(select(Posting.id, prepared.match.score)).order_by(prepared.newest_first()).limit(10)
    plan = explain(db, statement, "EXPLAIN QUERY PLAN")
    assert "posting_fts" in plan and "TEMP B-TREE" not in plan  # no sort of all matches


def test_text_with_commodity_and_province_is_matched_with_their_index_tokens_and_follows_edits(db):
    """The filters are ANDed into the full-text match as the index's facet tokens (migration 0037):
    the same postings as the row filters alone, kept in step when a posting changes commodity or
    province (SQLite triggers, PostgreSQL's generated vector)."""
    from app.catalogue.services import find_commodity
    from app.postings.services import PostingData, update_posting

    wheat, maize = find_commodity("wheat").id, find_commodity("maize").id
    moving = make_posting(commodity="wheat", title="Zorblat wheat", province_code="41")
    make_posting(commodity="wheat", title="Zorblat wheat", province_code="37")
    make_posting(commodity="maize", title="Zorblat maize", province_code="41")
    query = PostingQuery(text="zorblat", commodity_ids=frozenset({wheat}), province_codes=frozenset({"41"}))
    assert posting_search.facets(query) == ((f"c_{wheat}",), ("p_41",))
    assert search_postings(query).ids == (moving.id,)

    data = PostingData(
        kind=moving.kind,
        commodity_id=maize,
        title=moving.title,
        quantity=moving.quantity,
        unit_code=moving.unit_code,
        province_code="37",
        price=moving.price,
    )
    update_posting(moving, data, editor=moving.owner)
    _db.session.commit()
    assert search_postings(query).ids == ()
    moved = replace(query, commodity_ids=frozenset({maize, wheat}), province_codes=frozenset({"37"}))
    assert posting_search.facets(moved) == (tuple(f"c_{c}" for c in sorted({maize, wheat})), ("p_37",))
    assert len(search_postings(moved).ids) == 2 and moving.id in search_postings(moved).ids
    # A facet token cannot be typed: "_" splits a query's words, so c_<id> finds nothing by itself.
    assert search_postings(PostingQuery(text=f"c_{wheat} p_41")).ids == ()
