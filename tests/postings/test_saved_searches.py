"""Saved market searches: saving the current /market search, the list at /account/searches, deleting,
the per-member limit, authorization and bad input."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.catalogue.services import find_commodity
from app.extensions import db as _db
from app.postings import saved_searches
from app.postings.market import find_result_ids, market_choices
from app.postings.market_forms import parse_market_filters
from app.postings.models import Posting, SavedSearch
from tests.factories import make_member, make_posting

HX = {"HX-Request": "true"}


def stored(member=None) -> list[SavedSearch]:
    query = select(SavedSearch).order_by(SavedSearch.id)
    if member is not None:
        query = query.where(SavedSearch.member_id == member.id)
    _db.session.expire_all()
    return list(_db.session.scalars(query))


@pytest.fixture
def buyer(db):
    return make_member(display_name="Li Buyer", is_seller=False)


def test_market_offers_to_save_the_current_search_with_its_filters(client, db, login, buyer):
    login(buyer)
    page = client.get("/market?q=玉米&commodity=maize&province=41&max_price=3&verified=1").get_data(as_text=True)
    form = re.search(r'<form class="save-search".*?</form>', page, re.S).group(0)
    assert 'method="post"' in form and 'action="/account/searches"' in form
    assert 'name="csrf_token"' in form
    for name, value in (
        ("q", "玉米"),
        ("commodity", "maize"),
        ("province", "41"),
        ("max_price", "3.0000"),
        ("verified", "1"),
    ):
        assert f'name="{name}" value="{value}"' in form
    assert 'name="name"' in form and 'value="玉米"' in form


def test_htmx_results_carry_the_save_form_for_the_new_search(client, db, login, buyer):
    login(buyer)
    fragment = client.get("/market?commodity=apple", headers=HX).get_data(as_text=True)
    assert 'action="/account/searches"' in fragment and 'name="commodity" value="apple"' in fragment
    # The suggested name is the commodity's name, not its slug.
    assert 'name="name" maxlength="60" required value="Apple' in fragment


def test_an_unfiltered_market_offers_no_save_and_visitors_are_asked_to_log_in(client, db, login, buyer):
    assert "Save this search" not in client.get("/market").get_data(as_text=True)
    visitor_page = client.get("/market?q=maize").get_data(as_text=True)
    assert "Log in to save this search" in visitor_page and 'class="save-search" method="post"' not in visitor_page
    login(buyer)
    assert "Save this search" not in client.get("/market").get_data(as_text=True)


def test_saving_stores_the_markets_filters_and_lists_them(client, db, login, buyer):
    login(buyer)
    response = client.post(
        "/account/searches",
        data={
            "name": "  Henan   maize ",
            "q": "maize",
            "kind": "sell",
            "commodity": "maize",
            "province": "41",
            "min_price": "1.5",
            "max_price": "３",
            "min_quantity": "1,000",
            "verified": "1",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/account/searches"

    [search] = stored(buyer)
    assert (search.name, search.q, search.kind, search.province_code) == ("Henan maize", "maize", "sell", "41")
    assert search.commodity_id == find_commodity("maize").id and search.category_id is None
    assert (search.min_price, search.max_price, search.min_quantity) == (Decimal("1.5"), Decimal("3"), Decimal("1000"))
    assert search.verified is True

    page = client.get("/account/searches").get_data(as_text=True)
    assert "Search “Henan maize” saved." in page
    assert "Henan maize" in page and "Maize" in page and "Henan" in page and "¥1.5–3 per kg" in page
    link = re.search(r'<a href="(/market\?[^"]+)"><strong>Henan maize', page).group(1)
    results = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'name="min_quantity" value="1000' in results and 'name="province" value="41"' in results


def test_a_category_search_is_stored_by_category(client, db, login, buyer):
    login(buyer)
    client.post("/account/searches", data={"name": "Grain", "category": "grains"})
    [search] = stored(buyer)
    assert search.category is not None and search.category.slug == "grains" and search.commodity_id is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "q": "maize"}, "Give the search a name."),
        ({"name": "   ", "q": "maize"}, "Give the search a name."),
        ({"name": "x" * 61, "q": "maize"}, "The name can be at most 60 characters."),
        ({"name": "All", "q": ""}, "Enter a search word or choose a filter before saving the search."),
        ({"name": "Punctuation", "q": "!!! ..."}, "Enter a search word or choose a filter before saving the search."),
        ({"name": "Bad", "commodity": "unobtainium"}, "Unknown commodity"),
        ({"name": "Bad", "province": "99"}, "Unknown province"),
        ({"name": "Bad", "kind": "swap", "q": "maize"}, "Unknown kind of posting"),
        ({"name": "Bad", "q": "maize", "min_price": "-3"}, "The lowest price was not understood"),
        ({"name": "Bad", "q": "maize", "max_price": "NaN"}, "The highest price was not understood"),
        ({"name": "Bad", "q": "maize", "min_quantity": "1e999"}, "The minimum quantity was not understood"),
        ({"name": "Bad", "q": "maize", "min_price": "9", "max_price": "2"}, "The lowest price is above the highest"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(client, db, login, buyer, data, message):
    login(buyer)
    response = client.post("/account/searches", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored() == []


def test_control_characters_are_cleaned_not_stored(client, db, login, buyer):
    # PostgreSQL refuses NUL in text: cleaned like the market's own query, never a 500.
    login(buyer)
    response = client.post("/account/searches", data={"name": "Nul\x00 \u200fmaize", "q": "ma\x00ize"})
    assert response.status_code == 302
    [search] = stored(buyer)
    assert (search.name, search.q) == ("Nul maize", "ma ize")


def test_the_same_search_twice_is_refused(client, db, login, buyer):
    login(buyer)
    client.post("/account/searches", data={"name": "Maize", "commodity": "maize", "max_price": "3"})
    response = client.post("/account/searches", data={"name": "Again", "commodity": "maize", "max_price": "3.00"})
    assert response.status_code == 409
    assert "You already saved this search as “Maize”." in response.get_data(as_text=True)
    assert len(stored(buyer)) == 1


def test_a_member_keeps_at_most_the_limit(client, db, login, buyer, monkeypatch):
    monkeypatch.setattr(saved_searches, "MAX_SAVED_SEARCHES", 3)
    login(buyer)
    for word in ("maize", "apple", "rice"):
        assert client.post("/account/searches", data={"name": word, "q": word}).status_code == 302
    response = client.post("/account/searches", data={"name": "wheat", "q": "wheat"})
    assert response.status_code == 409
    assert "You can keep at most 3 saved searches. Delete one first." in response.get_data(as_text=True)
    assert [s.name for s in stored(buyer)] == ["maize", "apple", "rice"]


def test_the_account_page_links_to_the_saved_searches(client, db, login, buyer):
    login(buyer)
    assert 'href="/account/searches"' in client.get("/account").get_data(as_text=True)


def test_visitors_are_sent_to_log_in(client, db):
    assert client.get("/account/searches").status_code == 302
    response = client.post("/account/searches", data={"name": "Maize", "q": "maize"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert stored() == []


def test_posts_without_csrf_token_are_refused(client, db, login, buyer):
    login(buyer)
    response = client.post("/account/searches", data={"name": "Maize", "q": "maize"}, csrf=False)
    assert response.status_code == 400
    assert stored() == []


def test_owner_deletes_a_saved_search(client, db, login, buyer):
    login(buyer)
    client.post("/account/searches", data={"name": "Maize", "q": "maize"})
    [search] = stored(buyer)
    page = client.get("/account/searches").get_data(as_text=True)
    assert f'action="/account/searches/{search.id}/delete"' in page

    response = client.post(f"/account/searches/{search.id}/delete")
    assert response.status_code == 302
    assert stored() == []
    assert "You have no saved searches yet." in client.get("/account/searches").get_data(as_text=True)


def test_nobody_sees_or_deletes_another_members_search(client, db, login, buyer):
    login(buyer)
    client.post("/account/searches", data={"name": "Secret maize plan", "q": "maize"}, follow_redirects=True)
    [search] = stored(buyer)

    other = make_member(display_name="Nosy")
    login(other)
    assert "Secret maize plan" not in client.get("/account/searches").get_data(as_text=True)
    response = client.post(f"/account/searches/{search.id}/delete")
    assert response.status_code == 404
    assert client.post("/account/searches/999999/delete").status_code == 404
    assert client.get(f"/account/searches/{search.id}/delete").status_code == 405
    assert len(stored(buyer)) == 1


def test_deleting_the_member_deletes_their_searches(db, buyer):
    saved_searches.save_search(buyer, "Maize", {"q": "maize"}, market_choices())
    db.session.commit()
    db.session.delete(buyer)
    db.session.commit()
    assert db.session.scalar(select(func.count(SavedSearch.id))) == 0


def test_a_saved_search_matches_what_the_market_lists(db, buyer):
    """The Python matcher used for notifications agrees with the market's SQL for the same filters."""
    seller = make_member(display_name="Wang", verified_at=None)
    postings = [
        make_posting(seller, "maize", title="优质玉米出售", price=Decimal("2400"), unit_code="t"),
        make_posting(seller, "maize", title="Dry maize", province_code="23", price=Decimal("2.2"), unit_code="kg"),
        make_posting(seller, "apple", title="Red apples", price=None, quantity=Decimal("300"), unit_code="kg"),
        make_posting(seller, "maize", title="Maize wanted", kind="buy"),
    ]
    choices = market_choices()
    cases = [
        {"q": "玉米"},
        {"q": "maiz"},
        {"q": "dry"},
        {"q": "apple red"},
        {"q": "米"},
        {"kind": "sell"},
        {"commodity": "maize", "province": "41"},
        {"category": "grains"},
        {"min_price": "2.3"},
        {"max_price": "2.3"},
        {"min_quantity": "500"},
        {"min_quantity": "100"},
        {"verified": "1"},
        {"q": "ma"},
    ]
    for n, args in enumerate(cases):
        search = saved_searches.save_search(buyer, f"case {n}", args, choices)
        listed = set(find_result_ids(parse_market_filters(args, choices), choices, per_page=50).ids)
        for posting in postings:
            posting = db.session.get(Posting, posting.id)
            unit = posting.unit
            weight = unit.kg_per_unit if unit.kg_per_unit is not None else posting.unit_weight_kg
            matched = saved_searches.matches(
                search,
                posting,
                posting.commodity.category_id,
                weight,
                posting.owner.verified_at is not None,
                saved_searches.posting_words(posting),
            )
            assert matched == (posting.id in listed), (args, posting.title)


def test_the_list_shows_the_query_as_the_market_reads_it_not_as_typed(client, db, login, buyer):
    login(buyer)
    client.post("/account/searches", data={"name": "玉米", "q": "河南玉米 检测报告"})
    client.post("/account/searches", data={"name": "odd", "q": "zzqx"})

    english = client.get("/account/searches").get_data(as_text=True)
    assert "Henan · Maize · “检测报告”" in english
    assert "“河南玉米 检测报告”" not in english
    assert "“zzqx”" in english  # nothing understood: the words as typed

    client.post("/lang", data={"locale": "zh_Hans", "next": "/"})
    chinese = client.get("/account/searches").get_data(as_text=True)
    assert "河南 · 玉米 · “检测报告”" in chinese
