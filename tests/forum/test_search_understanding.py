"""Forum search reads a query as the market does (issue 16): Traditional characters, pinyin and
every name of a commodity find the same posts; other words still have to be there."""

from __future__ import annotations

import pytest

from tests.forum.conftest import make_thread, page_text


@pytest.fixture
def threads(client, login, author):
    make_thread(client, login, author, title="玉米价格", body="河南的优质玉米每斤多少钱？")
    make_thread(client, login, author, title="苞米收了", body="今年东北苞米不错")
    make_thread(client, login, author, title="烟台苹果怎么样", body="红富士甜")
    make_thread(client, login, author, title="Storing sweet potatoes", body="Keep them dry and above 10 degrees.")
    make_thread(client, login, author, title="Tractor for hire", body="In Zhoukou.")


def found(client, q: str) -> set[str]:
    text = page_text(client.get("/forum/search", query_string={"q": q}))
    titles = {"玉米价格", "苞米收了", "烟台苹果怎么样", "Storing sweet potatoes", "Tractor for hire"}
    return {title for title in titles if title in text}


@pytest.mark.parametrize("q", ["玉米", "棒子", "yumi", "yu mi", "corn", "maize", "苞米", "玉蜀黍"])
def test_any_name_of_maize_finds_both_maize_threads(client, threads, q):
    assert found(client, q) == {"玉米价格", "苞米收了"}


@pytest.mark.parametrize("q", ["蘋果", "苹果", "pingguo", "apples", "aples", "烟台", "煙台蘋果", "yantai"])
def test_traditional_pinyin_plurals_and_typos_find_the_apple_thread(client, threads, q):
    assert found(client, q) == {"烟台苹果怎么样"}


@pytest.mark.parametrize("q", ["红薯", "地瓜", "甘薯", "sweet potato", "sweet potatoes", "potatoes storing"])
def test_sweet_potato_by_any_name(client, threads, q):
    assert found(client, q) == {"Storing sweet potatoes"}


def test_other_words_must_still_be_in_the_post(client, threads):
    assert found(client, "玉米 东北") == {"苞米收了"}
    assert found(client, "河南 玉米") == {"玉米价格"}
    assert found(client, "玉米 tractor") == set()
    assert "No posts match" in page_text(client.get("/forum/search", query_string={"q": "拖拉机"}))
