"""Query understanding without a database (app/search/understanding.py), with the vocabulary of
the shipped catalogue CSVs and places."""

from __future__ import annotations

import pytest

from app.search.understanding import (
    CommodityRow,
    QueryVocabulary,
    expanded_groups,
    pinyin_alternative,
    reference_vocabulary,
    singular,
    text_groups,
    within_one_edit,
)


@pytest.fixture(scope="module")
def vocabulary() -> QueryVocabulary:
    return reference_vocabulary()


def read(vocabulary, query: str) -> list[tuple[str, object]]:
    """(role, value) of each part; a place as its Chinese name and province."""
    parts = vocabulary.understand(query).parts
    return [(p.role, (p.value.name_zh, p.value.province_code) if p.role == "place" else p.value) for p in parts]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("河南玉米", [("place", ("河南", "41")), ("commodity", "maize")]),
        ("玉米河南", [("commodity", "maize"), ("place", ("河南", "41"))]),
        ("河南省 玉米", [("place", ("河南", "41")), ("commodity", "maize")]),
        ("新鲜玉米", [("grade", "新鲜"), ("commodity", "maize")]),
        ("烟台苹果", [("place", ("烟台", "37")), ("commodity", "apple")]),
        ("煙台蘋果", [("place", ("烟台", "37")), ("commodity", "apple")]),
        ("寿光大葱", [("place", ("寿光", "37")), ("commodity", "scallion")]),
        ("赣南脐橙", [("place", ("赣南", "36")), ("commodity", "orange")]),
        ("五常大米", [("place", ("五常", "23")), ("commodity", "rice")]),
        ("库尔勒香梨", [("place", ("库尔勒", "65")), ("commodity", "pear")]),
        ("棒子", [("commodity", "maize")]),
        ("玉茭", [("commodity", "maize")]),
        ("甘薯", [("commodity", "sweet-potato")]),
        ("番薯", [("commodity", "sweet-potato")]),
        ("红苕", [("commodity", "sweet-potato")]),
        ("yumi", [("commodity", "maize")]),
        ("yu mi", [("commodity", "maize")]),
        ("pingguo", [("commodity", "apple")]),
        ("henanyumi", [("place", ("河南", "41")), ("commodity", "maize")]),
        ("yantai pingguo", [("place", ("烟台", "37")), ("commodity", "apple")]),
        ("收购玉米", [("kind", "buy"), ("commodity", "maize")]),
        ("玉米求购", [("commodity", "maize"), ("kind", "buy")]),
        ("供应苹果", [("kind", "sell"), ("commodity", "apple")]),
        ("卖玉米", [("kind", "sell"), ("commodity", "maize")]),
        ("maize for sale", [("commodity", "maize"), ("kind", "sell")]),
        (
            "山东 有机 苹果 出售",
            [("place", ("山东", "37")), ("grade", "有机"), ("commodity", "apple"), ("kind", "sell")],
        ),
        ("organic apples", [("grade", "有机"), ("commodity", "apple")]),
        ("红富士苹果", [("text", "红富士"), ("commodity", "apple")]),
        ("河南的玉米", [("place", ("河南", "41")), ("commodity", "maize")]),
        ("inner mongolia potatoes", [("place", ("内蒙古", "15")), ("commodity", "potato")]),
        ("sweet potato", [("commodity", "sweet-potato")]),
        ("chinese cabbage", [("commodity", "chinese-cabbage")]),
    ],
)
def test_queries_are_read_into_their_parts(vocabulary, query, expected):
    assert read(vocabulary, query) == expected


@pytest.mark.parametrize(
    "query, slug",
    [
        ("apples", "apple"),
        ("tomatoes", "tomato"),
        ("potatoes", "potato"),
        ("strawberries", "strawberry"),
        ("peanuts", "peanut"),
        ("aples", "apple"),
        ("potatos", "potato"),
        ("tomatos", "tomato"),
        ("whaet", "wheat"),
        ("maiz", "maize"),
        ("appl", "apple"),
        ("ＣＯＲＮ", "maize"),
        ("Maize", "maize"),
    ],
)
def test_english_plurals_typos_and_prefixes_name_a_commodity(vocabulary, query, slug):
    understanding = vocabulary.understand(query)
    assert understanding.commodity_slugs == (slug,)


def test_a_corrected_word_says_so(vocabulary):
    assert vocabulary.understand("aples").parts[0].corrected
    assert not vocabulary.understand("apples").parts[0].corrected


def test_short_words_are_not_corrected_and_unknown_words_stay_free_text(vocabulary):
    assert read(vocabulary, "appel") == [("commodity", "apple")]  # 5 letters: one swap
    assert read(vocabulary, "cor") == [("text", "cor")]  # 3 letters: neither a typo nor a prefix
    assert read(vocabulary, "drying") == [("text", "drying")]  # not 大英 (daying), a county's pinyin
    assert read(vocabulary, "拖拉机") == [("text", "拖拉机")]


def test_one_character_words_count_only_at_the_ends_of_a_run(vocabulary):
    assert read(vocabulary, "丰收苹果") == [("text", "丰收"), ("commodity", "apple")]
    assert read(vocabulary, "收玉米") == [("kind", "buy"), ("commodity", "maize")]
    assert read(vocabulary, "米") == [("commodity", "rice")]
    assert read(vocabulary, "小米") == [("commodity", "millet")]


def test_a_query_of_adjectives_only_is_free_text(vocabulary):
    assert read(vocabulary, "organic") == [("text", "organic")]
    assert read(vocabulary, "有机 出售") == [("text", "有机"), ("kind", "sell")]


def test_the_understanding_answers_the_filters(vocabulary):
    understanding = vocabulary.understand("烟台 新鲜 苹果 玉米 出售 红富士")
    assert understanding.commodity_slugs == ("apple", "maize")
    assert understanding.province_codes == ("37",)
    assert understanding.place_mentions == ("烟台",)
    assert understanding.grades == ("新鲜",)
    assert understanding.kind == "sell"
    assert understanding.free_words == ("红富士",)
    assert vocabulary.understand("出售 收购 玉米").kind == ""  # both kinds: neither is a filter


def test_parts_can_be_removed_and_replaced_as_typed(vocabulary):
    understanding = vocabulary.understand("河南玉米 出售")
    place, commodity, kind = understanding.parts
    assert understanding.without(place) == "玉米 出售"
    assert understanding.without(kind) == "河南玉米"
    assert understanding.without(place, commodity) == "出售"
    typo = vocabulary.understand("xyzzy aplpe")
    assert typo.replaced(typo.parts[0], "apple") == "apple aplpe"


def test_an_admin_alias_is_read_once_the_vocabulary_has_it():
    rows = [
        CommodityRow("maize", 1, "Maize", "玉米", ("玉米", "Maize", "苞米")),
        CommodityRow("apple", 2, "Apple", "苹果", ("苹果", "Apple")),
    ]
    provinces = [("41", "Henan", "河南省")]
    before = QueryVocabulary.build(rows, provinces, places=[])
    assert before.understand("玉麦").commodity_slugs == ()
    rows[0] = CommodityRow("maize", 1, "Maize", "玉米", ("玉米", "Maize", "苞米", "玉麦"))
    assert QueryVocabulary.build(rows, provinces, places=[]).understand("河南玉麦").commodity_slugs == ("maize",)


def test_free_words_become_term_groups_with_pinyin_alternatives(vocabulary):
    assert text_groups(vocabulary.understand("红富士苹果")) == [(("红富",),), (("富士",),)]
    assert text_groups(vocabulary.understand("hongfushi")) == [(("hongfushi",), ("hongfu", "fushi"))]
    assert pinyin_alternative("apple") is None
    assert pinyin_alternative("xian") is None  # one syllable


def test_the_forum_expands_a_commodity_to_all_its_names(vocabulary):
    groups = expanded_groups(vocabulary.understand("棒子"), vocabulary)
    assert len(groups) == 1
    alternatives = set(groups[0])
    assert {("玉米",), ("corn",), ("maize",), ("棒子",), ("苞米",)} <= alternatives
    assert ("米",) not in alternatives
    assert all(
        ("米",) not in alternative for alternative in expanded_groups(vocabulary.understand("大米"), vocabulary)[0]
    )


def test_helpers():
    assert [singular(w) for w in ("apples", "tomatoes", "cherries", "peaches", "grass", "citrus", "rice")] == [
        "apple",
        "tomato",
        "cherry",
        "peach",
        "grass",
        "citrus",
        "rice",
    ]
    assert within_one_edit("aples", "apple") is False  # two edits
    assert within_one_edit("aple", "apple") and within_one_edit("whaet", "wheat") and within_one_edit("wheet", "wheat")


def test_any_text_is_read_without_error(vocabulary):
    for query in ("", "   ", "!!!", "\x00", "玉" * 300, "a" * 500, "AND OR NOT", "'; DROP TABLE posting; --", "😀玉米"):
        vocabulary.understand(query)
    assert len(vocabulary.understand("玉米 " * 100).parts) <= 16
