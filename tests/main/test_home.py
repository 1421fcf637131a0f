"""The home page: search box, categories, newest sell offers and what buyers are looking for."""

from __future__ import annotations

import re

from app.postings.services import change_status
from tests.factories import make_posting
from tests.search.helpers import TITLE_RE


def _section(page: str, heading: str) -> str:
    """The HTML of the <section> whose <h2> is ``heading``."""
    match = re.search(rf"<section>\s*<h2>{re.escape(heading)}</h2>(.*?)</section>", page, re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


def test_home_page_has_a_search_box_that_goes_to_the_market(client, db):
    page = client.get("/").get_data(as_text=True)
    form = re.search(r'<form action="/market" method="get" role="search"[^>]*>(.*?)</form>', page, re.S)
    assert form and 'name="q"' in form.group(1)
    assert '<label for="home-q"' in page


def test_home_page_lists_every_category_linking_to_the_market(client, db):
    page = client.get("/").get_data(as_text=True)
    categories = _section(page, "Categories")
    assert '<a href="/market?category=grains">Grains</a>' in categories
    assert '<a href="/market?category=fruit">Fruit</a>' in categories
    assert categories.count("<li>") == 12


def test_newest_sell_offers_come_first_and_exclude_buy_requests_and_inactive_postings(client, db):
    for number in range(10):
        make_posting(title=f"Maize lot {number}")
    make_posting(kind="buy", title="Wanted: maize")
    paused = make_posting(title="Paused maize")
    change_status(paused, "pause", paused.owner)
    make_posting(title="Draft maize", publish=False)
    db.session.commit()
    sell = [t for t in TITLE_RE.findall(_section(client.get("/").get_data(as_text=True), "Newest sell offers"))]
    assert sell == [f"Maize lot {number}" for number in range(9, 1, -1)]  # the newest eight


def test_buyers_are_looking_for_shows_the_newest_buy_requests(client, db):
    make_posting(commodity="soybean", kind="buy", title="求购大豆")
    make_posting(commodity="wheat", kind="buy", title="Wanted: wheat")
    make_posting(title="Maize for sale")
    page = client.get("/").get_data(as_text=True)
    wanted = _section(page, "Buyers are looking for")
    assert TITLE_RE.findall(wanted) == ["Wanted: wheat", "求购大豆"]
    assert '<a href="/market?kind=buy">' in wanted


def test_empty_home_page_says_there_is_nothing_yet(client, db):
    page = client.get("/").get_data(as_text=True)
    assert "No sell offers yet." in page and "No buy requests yet." in page


def test_home_page_shows_prices_and_places_on_the_cards(client, db):
    make_posting(title="优质玉米出售", province_code="41")
    sell = _section(client.get("/").get_data(as_text=True), "Newest sell offers")
    assert "Henan" in sell and "¥2,500.00" in sell and "(¥2.50/kg)" in sell
