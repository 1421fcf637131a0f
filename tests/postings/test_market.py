"""The /market page: the search form with htmx active search, the results fragment, paging and a
fixed number of SQL statements per page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import event

from app.media.images import StoredImage
from app.postings import search as search_postings
from tests.factories import make_posting
from tests.search.helpers import search, titles

HX = {"HX-Request": "true"}


def test_full_page_has_a_search_form_that_works_without_javascript(client, db):
    make_posting(title="优质玉米出售")
    response = client.get("/market")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page and 'id="results"' in page
    form = re.search(r"<form id=\"market-search\"[^>]*>", page).group(0)
    assert 'method="get"' in form and 'action="/market"' in form
    assert 'hx-get="/market"' in form and 'hx-target="#results"' in form and 'hx-push-url="true"' in form
    assert 'hx-trigger="input changed delay:300ms from:#q, search, change, submit"' in form
    assert 'hx-indicator="#search-indicator"' in form
    assert '<label for="q"' in page and 'name="q"' in page
    assert titles(response) == ["优质玉米出售"]
    assert "1 posting found" in page


def test_htmx_request_gets_only_the_results_fragment(client, db):
    make_posting(title="优质玉米出售")
    response = client.get("/market?q=玉米", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and "<form" not in body
    assert titles(response) == ["优质玉米出售"]
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("header", ["HX-History-Restore-Request", "HX-Boosted"])
def test_history_restore_and_boosted_requests_get_the_full_page(client, db, header):
    response = client.get("/market?q=玉米", headers={**HX, header: "true"})
    assert "<html" in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


def test_plain_request_keeps_the_query_in_the_search_box(client, db):
    page = client.get("/market", query_string={"q": "玉米 <b>", "kind": "buy", "sort": "price_asc"}).get_data(
        as_text=True
    )
    assert 'value="玉米 &lt;b&gt;"' in page
    assert '<option value="buy" selected>' in page
    assert '<option value="price_asc" selected>' in page


def test_the_catalogue_selects_keep_the_choice_in_each_language(client, db):
    page = client.get("/market", query_string={"commodity": "maize", "province": "41"}).get_data(as_text=True)
    assert '<option value="maize" selected>Maize</option>' in page
    assert '<option value="41" selected>Henan</option>' in page and page.count(" selected>") == 4  # + kind, sort
    # Another choice, then the first again, and Chinese: each rendering marks its own choice.
    page = client.get("/market", query_string={"commodity": "wheat"}).get_data(as_text=True)
    assert '<option value="wheat" selected>Wheat</option>' in page and '<option value="maize">Maize</option>' in page
    chinese = client.get("/market", query_string={"category": "grains"}, headers={"Accept-Language": "zh-CN"})
    page = chinese.get_data(as_text=True)
    assert '<option value="grains" selected>粮食</option>' in page and '<optgroup label="粮食">' in page
    assert '<option value="maize">玉米</option>' in page


def test_empty_market_says_so_and_offers_a_way_forward(client, db):
    body = client.get("/market?q=durian&kind=buy", headers=HX).get_data(as_text=True)
    assert "Nothing matches “durian” yet." in body
    assert "Remove the filters" in body and "/market?q=durian" in body
    assert "Post a buy request" in body


@pytest.fixture
def assorted(db):
    from app.core.clock import utcnow
    from tests.factories import make_member

    trusted = make_member(display_name="Trusted co-op", verified_at=utcnow())
    return {
        "henan_maize": make_posting(
            title="Henan maize", province_code="41", price=Decimal("2000"), quantity=Decimal("30")
        ),
        "shandong_maize": make_posting(
            title="Shandong maize", province_code="37", price=Decimal("3000"), owner=trusted
        ),
        "apples_jin": make_posting(
            commodity="apple",
            title="Apples by the jin",
            unit_code="jin",
            price=Decimal("2.50"),
            quantity=Decimal("800"),
        ),
        "wheat_wanted": make_posting(
            commodity="wheat", kind="buy", title="Wanted: wheat", price=None, quantity=Decimal("5")
        ),
        "pears_crate": make_posting(
            commodity="pear",
            title="Pears by the crate",
            unit_code="crate",
            unit_weight_kg=Decimal("20"),
            price=Decimal("100"),
            quantity=Decimal("50"),
        ),
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"kind": "buy"}, ["Wanted: wheat"]),
        ({"kind": "sell", "category": "grains"}, ["Shandong maize", "Henan maize"]),
        ({"category": "fruit"}, ["Pears by the crate", "Apples by the jin"]),
        ({"commodity": "apple"}, ["Apples by the jin"]),
        ({"province": "37"}, ["Shandong maize"]),
        ({"min_price": "4"}, ["Pears by the crate", "Apples by the jin"]),  # ¥5/kg and ¥5/kg
        ({"max_price": "2.5"}, ["Henan maize"]),  # ¥2/kg; negotiable postings have no price
        ({"min_price": "2.5", "max_price": "3"}, ["Shandong maize"]),
        # in kg: 1,000 of pears (50 crates of 20 kg), 5 t of wheat, 10 t and 30 t of maize; not 800 jin
        ({"min_quantity": "1000"}, ["Pears by the crate", "Wanted: wheat", "Shandong maize", "Henan maize"]),
        ({"verified": "1"}, ["Shandong maize"]),
        ({"q": "maize", "province": "41"}, ["Henan maize"]),
    ],
)
def test_each_filter_narrows_the_results(client, assorted, params, expected):
    assert search(client, **params) == expected


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("", ["Pears by the crate", "Wanted: wheat", "Apples by the jin", "Shandong maize", "Henan maize"]),
        ("newest", ["Pears by the crate", "Wanted: wheat", "Apples by the jin", "Shandong maize", "Henan maize"]),
        # ¥ per kg: maize 2 and 3, apples 5, pears 5 (the newer first); negotiable last either way.
        ("price_asc", ["Henan maize", "Shandong maize", "Pears by the crate", "Apples by the jin", "Wanted: wheat"]),
        ("price_desc", ["Pears by the crate", "Apples by the jin", "Shandong maize", "Henan maize", "Wanted: wheat"]),
        # kg: 30 t, 10 t, 50 crates of 20 kg, 800 jin = 400 kg, 5 t of wheat
        (
            "quantity_desc",
            ["Henan maize", "Shandong maize", "Wanted: wheat", "Pears by the crate", "Apples by the jin"],
        ),
    ],
)
def test_each_sort_order(client, assorted, sort, expected):
    assert search(client, sort=sort) == expected


@pytest.mark.parametrize(
    "params, notice",
    [
        ({"min_price": "abc"}, "The lowest price was not understood"),
        ({"min_price": "NaN"}, "The lowest price was not understood"),
        ({"max_price": "-5"}, "The highest price was not understood"),
        ({"max_price": "1e309"}, "The highest price was not understood"),
        ({"max_price": "0"}, "The highest price was not understood"),
        ({"min_quantity": "Infinity"}, "The minimum quantity was not understood"),
        ({"min_quantity": "0.00001"}, "The minimum quantity was not understood"),
        ({"min_price": "5", "max_price": "2"}, "The lowest price is above the highest price"),
        ({"category": "spaceships"}, "Unknown category"),
        ({"commodity": "../etc/passwd"}, "Unknown commodity"),
        ({"province": "9\x009"}, "Unknown province"),
        ({"kind": "steal"}, "Unknown kind of posting"),
        ({"sort": "DROP TABLE"}, "Unknown sort order"),
    ],
)
def test_bad_filter_values_are_ignored_with_a_message(client, assorted, params, notice):
    for headers in (HX, {}):
        response = client.get("/market", query_string=params, headers=headers)
        assert response.status_code == 200
        assert notice in response.get_data(as_text=True)
    assert len(search(client, **params)) == 5


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999", "１", "2.5"])
def test_odd_page_numbers_show_a_page_without_error(client, assorted, page):
    response = client.get("/market", query_string={"page": page})
    assert response.status_code == 200


def test_prices_with_full_width_digits_separators_and_yen_are_understood(client, assorted):
    assert search(client, min_price="￥４", max_price="1,000") == ["Pears by the crate", "Apples by the jin"]


def test_pages_keep_the_filters(app, client, assorted):
    app.config["POSTINGS_PER_PAGE"] = 2
    first = client.get("/market", query_string={"kind": "sell", "sort": "price_asc"}, headers=HX)
    body = first.get_data(as_text=True)
    assert titles(first) == ["Henan maize", "Shandong maize"]
    assert "4 postings found" in body and "Page 1 of 2" in body
    next_link = re.search(r'<a rel="next" href="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert "kind=sell" in next_link and "sort=price_asc" in next_link and "page=2" in next_link
    second = client.get(next_link, headers=HX)
    assert titles(second) == ["Pears by the crate", "Apples by the jin"]
    assert 'rel="prev"' in second.get_data(as_text=True) and 'rel="next"' not in second.get_data(as_text=True)


def test_a_page_past_the_end_links_back_to_the_first(app, client, assorted):
    body = client.get("/market?page=40&kind=sell", headers=HX).get_data(as_text=True)
    assert "This page is past the end of the results." in body
    assert 'href="/market?kind=sell"' in body


def test_large_result_sets_are_counted_up_to_a_limit(app, client, assorted, monkeypatch):
    monkeypatch.setattr(search_postings, "MIN_COUNT", 2)
    monkeypatch.setattr(search_postings, "PAGES_AHEAD", 1)
    app.config["POSTINGS_PER_PAGE"] = 1
    body = client.get("/market", headers=HX).get_data(as_text=True)
    assert "2+ postings found" in body
    assert "Page 1</span>" in body and 'rel="next"' in body
    third = client.get("/market?page=3", headers=HX)
    assert titles(third) == ["Apples by the jin"]  # the count moves along with the page
    assert 'rel="next"' in third.get_data(as_text=True)


class StatementCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.before)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.before)

    def before(self, *args):
        self.count += 1


def _add_postings(count: int, owner):
    for number in range(count):
        photo = StoredImage(f"p{number}.jpg", f"p{number}-t.jpg", 800, 600)
        make_posting(owner=owner, title=f"Maize lot {number}", photos=[photo], kind="sell" if number % 3 else "buy")


@pytest.mark.parametrize("url", ["/market", "/market?q=maize", "/market?category=grains&sort=price_desc&verified=1"])
def test_the_number_of_sql_statements_does_not_grow_with_the_page(app, client, db, url):
    from app.core.clock import utcnow
    from tests.factories import make_member

    app.config["POSTINGS_PER_PAGE"] = 50
    owner = make_member(display_name="Trusted co-op", verified_at=utcnow())
    client.get("/market?kind=buy")  # loads the catalogue choices, which are kept for a while
    _add_postings(5, owner)
    with StatementCounter(db.engine) as few:
        assert len(titles(client.get(url))) == 5
    _add_postings(35, owner)
    with StatementCounter(db.engine) as many:
        assert len(titles(client.get(url))) == 40
    assert many.count == few.count
    assert few.count <= 8
