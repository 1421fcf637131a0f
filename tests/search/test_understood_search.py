"""The market page says how it read a query, each part removable by a plain link, and suggests a
correction or a broader search when nothing matches (issue 16, point 2); an alias an admin adds is
understood; ``flask search reindex`` refreshes the search text of old rows."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from app.postings.models import Posting
from tests.factories import make_member, make_posting
from tests.search.helpers import search, titles

CHIP_RE = re.compile(r'<span class="chip chip-(\w+)">(.*?)<a class="chip-remove" href="([^"]+)"', re.S)
SUGGESTION_RE = re.compile(r'<li class="suggestion"><a href="([^"]+)">(.*?)</a>', re.S)


def chips(response) -> list[tuple[str, str, dict]]:
    """(role, visible label, query arguments of the remove link) of each chip."""
    found = []
    for role, label, href in CHIP_RE.findall(response.get_data(as_text=True)):
        label = " ".join(html.unescape(re.sub(r"<[^>]+>", "", label)).split())
        found.append((role, label, parse_qs(urlsplit(html.unescape(href)).query)))
    return found


def suggestions(response) -> list[tuple[str, dict]]:
    return [
        (html.unescape(label), parse_qs(urlsplit(html.unescape(href)).query))
        for href, label in SUGGESTION_RE.findall(response.get_data(as_text=True))
    ]


@pytest.fixture
def market(db):
    make_posting(title="河南新鲜玉米出售", province_code="41", locality="周口")
    make_posting(commodity="apple", title="烟台红富士苹果", province_code="37", locality="烟台市栖霞")
    make_posting(commodity="apple", kind="buy", title="收购苹果", province_code="44")


def test_the_page_says_how_it_read_the_query_in_english(client, market):
    response = client.get("/market", query_string={"q": "河南玉米 出售"})
    assert response.status_code == 200
    assert "Searching for:" in response.get_data(as_text=True)
    assert [(role, label) for role, label, _ in chips(response)] == [
        ("place", "Henan (河南)"),
        ("commodity", "Maize (玉米)"),
        ("kind", "Sell offers (出售)"),
    ]
    assert [args.get("q") for _, _, args in chips(response)] == [["玉米 出售"], ["河南 出售"], ["河南玉米"]]
    assert titles(response) == ["河南新鲜玉米出售"]


def test_the_page_says_how_it_read_the_query_in_chinese(client, market):
    response = client.get(
        "/market", query_string={"q": "yantai apples", "lang": "zh"}, headers={"Accept-Language": "zh-CN"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "正在搜索：" in page
    assert [(role, label) for role, label, _ in chips(response)] == [
        ("place", "烟台 (山东) (yantai)"),
        ("commodity", "苹果 (apples)"),
    ]


def test_a_removed_part_link_runs_the_search_without_it(client, market):
    response = client.get("/market", query_string={"q": "烟台苹果", "kind": "sell"})
    place_chip = next(args for role, _, args in chips(response) if role == "place")
    assert place_chip == {"q": ["苹果"], "kind": ["sell"]}  # the form's other filters stay
    wider = client.get("/market", query_string={"q": "苹果", "kind": "sell"})
    assert titles(wider) == ["烟台红富士苹果"]
    last = client.get("/market", query_string={"q": "苹果"})
    commodity_chip = next(args for role, _, args in chips(last) if role == "commodity")
    assert "q" not in commodity_chip  # removing the only part clears the query


def test_the_chips_come_with_htmx_results_too_and_work_without_js(client, market):
    fragment = client.get("/market", query_string={"q": "河南玉米"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert [role for role, _, _ in chips(fragment)] == ["place", "commodity"]
    assert 'hx-boost="true"' in fragment.get_data(as_text=True)


def test_free_words_alone_show_no_chips(client, market):
    response = client.get("/market", query_string={"q": "红富士"})
    assert chips(response) == [] and titles(response) == ["烟台红富士苹果"]


def test_nothing_found_suggests_a_broader_search_that_finds_something(client, market):
    response = client.get("/market", query_string={"q": "河南苹果"})
    assert response.status_code == 200 and titles(response) == []
    assert suggestions(response) == [("Search all provinces", {"q": ["苹果"]})]
    assert titles(client.get("/market", query_string={"q": "苹果"})) != []


def test_nothing_found_suggests_dropping_unknown_words_or_the_other_kind(client, market):
    response = client.get("/market", query_string={"q": "玉米 拖拉机"})
    assert ("Search without “拖拉机”", {"q": ["玉米"]}) in suggestions(response)
    buy = client.get("/market", query_string={"q": "求购玉米"})
    assert titles(buy) == []
    assert ("Show sell offers instead", {"q": ["玉米"], "kind": ["sell"]}) in suggestions(buy)


def test_nothing_found_suggests_the_closest_commodity_for_a_typo(client, market):
    # One letter off is read as the commodity already; the word that finds nothing can be dropped.
    response = client.get("/market", query_string={"q": "appels xx"})
    assert suggestions(response) == [("Search without “xx”", {"q": ["appels"]})]
    typo = client.get("/market", query_string={"q": "mieze"})  # two letters off: not read as maize
    assert titles(typo) == []
    assert suggestions(typo)[0] == ("Did you mean “maize”?", {"q": ["maize"]})
    assert titles(client.get("/market", query_string={"q": "maize"})) == ["河南新鲜玉米出售"]


def test_nothing_found_never_leaves_the_buyer_without_a_way_on(client, market):
    response = client.get("/market", query_string={"q": "iphone"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and titles(response) == []
    assert suggestions(response) == [("See everything on the market", {})]
    assert "Post a buy request" in page


def test_suggestions_are_translated(client, market):
    response = client.get("/market", query_string={"q": "河南苹果"}, headers={"Accept-Language": "zh-CN"})
    assert suggestions(response) == [("在所有省份中搜索", {"q": ["苹果"]})]


def test_an_alias_an_admin_adds_is_understood_by_the_market(client, login, db, market):
    assert search(client, q="河南玉麦") == []
    login(make_member(display_name="Admin Wang", is_admin=True))
    from app.catalogue.services import find_commodity

    maize = find_commodity("maize")
    response = client.post(f"/admin/commodities/{maize.id}/aliases", data={"text": "玉麦", "language": "zh"})
    assert response.status_code in (302, 303)
    assert search(client, q="河南玉麦") == ["河南新鲜玉米出售"]
    assert [role for role, _, _ in chips(client.get("/market", query_string={"q": "河南玉麦"}))] == [
        "place",
        "commodity",
    ]


def test_reindex_command_rewrites_old_search_text(app, db, market):
    old = db.session.scalars(db.select(Posting).order_by(Posting.id)).first()
    # As a deploy finds it: text prepared by the previous release (no pinyin, no locality).
    db.session.execute(text("UPDATE posting SET search_text = :t WHERE id = :id"), {"t": "河 南 河南", "id": old.id})
    db.session.commit()
    assert "周口" not in db.session.get(Posting, old.id).search_text
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "postings: batch 2 done" in result.output
    db.session.expire_all()
    refreshed = db.session.get(Posting, old.id).search_text.split()
    assert {"周口", "玉米", "henan", "xinxian"} <= set(refreshed)  # locality, names, pinyin of the title
