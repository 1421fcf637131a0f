"""Table test of the inbound SMS parser: English and Chinese, full-width input, and malformed commands."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D

import pytest

from sms.catalogue import Catalogue
from sms.commands import (
    Accept,
    Confirm,
    Counter,
    Decline,
    Discard,
    Help,
    Listing,
    Offers,
    OptIn,
    OptOut,
    OptOutHint,
    ParseError,
    PriceQuery,
    Subscribe,
    Unit,
    Unknown,
    Unsubscribe,
    parse,
)
from tests.sms.helpers import assert_reads

KG, T, JIN, DAN, G, HEAD = (
    Unit("kg", D("1")),
    Unit("t", D("1000")),
    Unit("jin", D("0.5")),
    Unit("dan", D("50")),
    Unit("g", D("0.001")),
    Unit("head", None),
)
HENAN, INNER_MONGOLIA = "41", "15"


def sell(commodity, quantity, unit, price, price_unit=None, note="", side="sell"):
    return Listing(side, commodity, D(quantity), unit, D(price), price_unit or unit, note)


def buy(*args, **kwargs):
    return sell(*args, side="buy", **kwargs)


def error(reason, command):
    return ("error", reason, command)


CASES = [
    # --- PRICE ---
    ("price-en", "PRICE maize", PriceQuery("maize")),
    ("price-en-lowercase-province", "price Maize henan", PriceQuery("maize", HENAN)),
    ("price-en-alias", "PRICE corn Henan", PriceQuery("maize", HENAN)),
    ("price-en-two-word-commodity", "PRICE sweet potato", PriceQuery("sweet-potato")),
    ("price-en-two-word-province", "PRICE sweet potato Inner Mongolia", PriceQuery("sweet-potato", INNER_MONGOLIA)),
    ("price-en-extra-spaces", "  PRICE   maize   henan  ", PriceQuery("maize", HENAN)),
    ("price-zh", "价格 玉米", PriceQuery("maize")),
    ("price-zh-alias-province", "价格 苞米 河南", PriceQuery("maize", HENAN)),
    ("price-zh-no-spaces-full-province", "价格玉米河南省", PriceQuery("maize", HENAN)),
    ("price-zh-ideographic-spaces", "价格\u3000玉米\u3000河南", PriceQuery("maize", HENAN)),
    ("price-zh-trailing-punctuation", "价格 玉米？", PriceQuery("maize")),
    ("price-zh-grade-before-commodity", "价格 新鲜玉米", PriceQuery("maize")),
    ("price-zh-two-grades-and-place", "价格 河南优质新鲜玉米", PriceQuery("maize", HENAN)),
    ("price-zh-subscribe-with-grade", "订阅 有机玉米 河南", Subscribe("maize", HENAN)),
    ("price-en-grade", "PRICE fresh maize", PriceQuery("maize")),
    ("price-grade-alone-is-no-commodity", "价格 新鲜", error("missing_commodity", "price")),
    ("price-grade-and-unknown-word", "价格 新鲜火星果", error("unknown_commodity", "price")),
    ("price-missing-commodity", "PRICE", error("missing_commodity", "price")),
    ("price-unknown-commodity", "PRICE unobtainium", error("unknown_commodity", "price")),
    ("price-unknown-province", "价格 玉米 火星", error("unknown_province", "price")),
    ("price-en-prefix-is-not-a-name", "PRICE cornflakes", error("unknown_commodity", "price")),
    # --- SELL / BUY ---
    ("sell-en", "SELL maize 5t 2100", sell("maize", "5", T, "2100")),
    (
        "sell-en-spaced-unit-thousands-note",
        "sell maize 5 t 2,100 dry, clean",
        sell("maize", "5", T, "2100", note="dry, clean"),
    ),
    ("sell-zh-grade-before-commodity-is-the-note", "卖 新鲜玉米 5吨 2100", sell("maize", "5", T, "2100", note="新鲜")),
    (
        "sell-zh-grade-joins-the-note",
        "卖 有机玉米 5吨 2100 产地直发",
        sell("maize", "5", T, "2100", note="有机 产地直发"),
    ),
    ("sell-en-grade-before-commodity", "SELL fresh maize 5t 2100", sell("maize", "5", T, "2100", note="fresh")),
    ("sell-en-note-keeps-case", "SELL maize 5t 2100 Grade A", sell("maize", "5", T, "2100", note="Grade A")),
    ("sell-en-yen-per-unit", "SELL maize 5t ¥2100/t", sell("maize", "5", T, "2100", T)),
    ("sell-en-kg-price-per-kg", "SELL maize 500kg 2.1/kg", sell("maize", "500", KG, "2.1", KG)),
    ("sell-en-price-per-jin", "SELL maize 5t 1.05/jin", sell("maize", "5", T, "1.05", JIN)),
    ("sell-en-price-per-word", "SELL maize 5 tons 2100 per ton", sell("maize", "5", T, "2100", T)),
    ("sell-en-count-unit", "SELL hog 10 head 1500", sell("pig", "10", HEAD, "1500")),
    ("buy-en", "BUY wheat 20t 2500", buy("wheat", "20", T, "2500")),
    ("sell-zh", "卖 玉米 5吨 1.05元/斤", sell("maize", "5", T, "1.05", JIN)),
    ("sell-zh-no-spaces", "卖玉米5吨2100", sell("maize", "5", T, "2100")),
    ("sell-zh-yen-note", "卖 玉米 5吨 ¥2100/吨 货好", sell("maize", "5", T, "2100", T, note="货好")),
    ("sell-zh-fullwidth-yen", "卖 玉米 5吨 ￥2100", sell("maize", "5", T, "2100")),
    ("sell-zh-fullwidth-digits", "卖 玉米 ５吨 ２１００", sell("maize", "5", T, "2100")),
    ("sell-en-fullwidth-everything", "ＳＥＬＬ\u3000ｍａｉｚｅ\u3000５ｔ\u3000２１００", sell("maize", "5", T, "2100")),
    ("sell-zh-jin-per-jin-mei", "卖 地瓜 200斤 1.2元每斤", sell("sweet-potato", "200", JIN, "1.2", JIN)),
    ("sell-zh-dan", "卖 玉米 5担 120", sell("maize", "5", DAN, "120")),
    ("sell-zh-qianke", "卖 玉米 5千克 3", sell("maize", "5", KG, "3")),
    ("sell-zh-gram", "卖 玉米 500克 0.01", sell("maize", "500", G, "0.01")),
    ("sell-zh-head", "卖 猪 10头 1500", sell("pig", "10", HEAD, "1500")),
    ("buy-zh-yuan", "买 小麦 10吨 2500元", buy("wheat", "10", T, "2500")),
    ("buy-zh-alias-gongjin", "买 麦子 10 公斤 3元/公斤", buy("wheat", "10", KG, "3", KG)),
    ("sell-missing-quantity", "SELL maize", error("missing_quantity", "sell")),
    ("sell-missing-unit", "SELL maize 5 2100", error("missing_unit", "sell")),
    ("sell-missing-price", "SELL maize 5t", error("missing_price", "sell")),
    ("sell-negative-quantity", "SELL maize -5t 2100", error("not_positive", "sell")),
    ("sell-zero-quantity", "SELL maize 0t 2100", error("not_positive", "sell")),
    ("sell-zero-price", "SELL maize 5t 0", error("not_positive", "sell")),
    ("sell-negative-price-zh", "卖 玉米 5吨 -2100", error("not_positive", "sell")),
    ("sell-nan-quantity", "SELL maize nan t 2100", error("bad_number", "sell")),
    ("sell-inf-price", "SELL maize 5t inf", error("bad_number", "sell")),
    ("sell-unknown-price-unit", "SELL maize 5t 2100/parsec", error("unknown_unit", "sell")),
    ("sell-absurd-quantity", "SELL maize 99999999t 2100", error("too_large", "sell")),
    ("sell-absurd-quantity-in-kg", "SELL maize 20000t 2100", error("too_large", "sell")),
    ("sell-absurd-price-per-kg", "卖 玉米 5斤 999999元/斤", error("too_large", "sell")),
    ("sell-price-too-precise", "SELL maize 5t 1.005/kg", error("too_precise", "sell")),
    ("sell-quantity-too-precise", "SELL maize 1.2345t 2100", error("too_precise", "sell")),
    ("sell-count-unit-priced-per-kg", "SELL hog 10 head 15/kg", error("unit_mismatch", "sell")),
    ("sell-zh-unknown-commodity", "卖 石头 5吨 2100", error("unknown_commodity", "sell")),
    ("sell-zh-unit-without-number", "卖 玉米 吨 2100", error("bad_number", "sell")),
    ("buy-zh-missing-commodity", "买", error("missing_commodity", "buy")),
    # --- drafts: YES / NO / 确认 / 取消 ---
    ("confirm-en", "YES 12", Confirm(12)),
    ("confirm-en-hash", "yes #7", Confirm(7)),
    ("confirm-zh", "确认 12", Confirm(12)),
    ("confirm-zh-no-space", "确认12", Confirm(12)),
    ("confirm-zh-fullwidth-number", "确认　１２", Confirm(12)),
    ("confirm-zh-missing-number", "确认", error("missing_number", "confirm")),
    ("confirm-en-bad-number", "YES 12abc", error("bad_number", "confirm")),
    ("discard-en", "NO 12", Discard(12)),
    ("discard-en-cancel-with-number", "cancel 12", Discard(12)),
    ("discard-zh", "取消 12", Discard(12)),
    ("discard-en-missing-number", "NO", error("missing_number", "discard")),
    ("discard-zero-is-not-a-draft", "NO 0", error("bad_number", "discard")),
    # --- opt-out / opt-in / help ---
    *[
        (f"optout-{word}", word, OptOut())
        for word in ("STOP", "stopall", "UNSUBSCRIBE", "CANCEL", "End", "QUIT", "TD", "td", "退订", "取消")
    ],
    # Issue 22: only the keyword alone opts out; a longer message is read for what it says.
    ("optout-stop-with-words-asks-for-the-keyword", "stop sending me these", OptOutHint()),
    ("optout-fullwidth-stop", "ＳＴＯＰ", OptOut()),
    ("unsubscribe-with-commodity-ends-that-alert", "UNSUBSCRIBE maize", Unsubscribe("maize")),
    ("optin-yes-bare", "yes", OptIn()),
    ("yes-with-words-is-a-confirmation-without-number", "YES please", error("missing_number", "confirm")),
    ("optin-start", "START", OptIn()),
    ("optin-unstop", "unstop", OptIn()),
    ("help-en", "HELP", Help()),
    ("help-info", "info", Help()),
    ("help-zh", "帮助", Help()),
    # --- offers ---
    ("offers-en", "OFFERS", Offers()),
    ("offers-zh", "报价", Offers()),
    ("accept-en", "ACCEPT k7q2", Accept("K7Q2")),
    ("accept-zh", "接受 K7Q2", Accept("K7Q2")),
    ("accept-missing-code", "ACCEPT", error("missing_code", "accept")),
    ("accept-bad-code", "ACCEPT k7-q2!", error("bad_code", "accept")),
    ("decline-en-hash", "DECLINE #ab12", Decline("AB12")),
    ("decline-zh", "拒绝 k7q2", Decline("K7Q2")),
    ("counter-en-bare-price", "COUNTER K7Q2 2000", Counter("K7Q2", D("2000"))),
    ("counter-en-price-per-jin", "COUNTER K7Q2 1.1/jin", Counter("K7Q2", D("1.1"), JIN)),
    ("counter-zh", "还价 K7Q2 1.1元/斤", Counter("K7Q2", D("1.1"), JIN)),
    ("counter-missing-price", "COUNTER K7Q2", error("missing_price", "counter")),
    ("counter-zero-price", "还价 K7Q2 0", error("not_positive", "counter")),
    # --- price alerts ---
    ("sub-en", "SUB maize henan", Subscribe("maize", HENAN)),
    ("sub-zh", "订阅 玉米 河南", Subscribe("maize", HENAN)),
    ("sub-zh-no-space", "订阅玉米", Subscribe("maize")),
    ("sub-missing-commodity", "SUB", error("missing_commodity", "sub")),
    ("unsub-en", "UNSUB maize", Unsubscribe("maize")),
    ("unsub-en-bare-means-all-alerts", "UNSUB", Unsubscribe()),
    ("unsub-zh", "取消订阅 玉米", Unsubscribe("maize")),
    ("unsub-zh-spaced-keyword", "取消 订阅 玉米 河南", Unsubscribe("maize", HENAN)),
    ("unsub-zh-bare", "取消订阅", Unsubscribe()),
    ("unsub-unknown-commodity", "UNSUB unobtainium", error("unknown_commodity", "unsub")),
    # --- not commands ---
    ("unknown-en", "hello there", Unknown("hello there")),
    ("unknown-zh", "你好", Unknown("你好")),
    ("unknown-empty", "", Unknown("")),
    ("unknown-keyword-glued-to-latin-word", "SELLmaize 5t", Unknown("sellmaize 5t")),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_parser_table(catalogue: Catalogue, text: str, expected):
    assert_reads(catalogue, text, expected)


def test_the_table_has_at_least_sixty_cases_with_unique_ids():
    ids = [case[0] for case in CASES]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)


def test_listing_converts_to_kg_with_decimals(catalogue: Catalogue):
    listing = parse("卖 玉米 5吨 1.05元/斤", catalogue)
    assert listing.quantity_kg == D("5000")
    assert listing.price_per_kg == D("2.1")
    assert isinstance(listing.price, D) and isinstance(listing.quantity, D)


def test_count_units_have_no_kg_conversion(catalogue: Catalogue):
    listing = parse("SELL hog 10 head 1500", catalogue)
    assert listing.quantity_kg is None and listing.price_per_kg is None


def test_parse_error_names_the_field(catalogue: Catalogue):
    with pytest.raises(ParseError) as raised:
        parse("SELL maize 5t 2100/parsec", catalogue)
    assert raised.value.field == "price"
    assert "unknown_unit" in str(raised.value)


def test_catalogue_build_adds_province_short_names_and_unit_codes():
    catalogue = Catalogue.build(
        commodities=[("maize", ["Maize", "玉米", ""])],
        units=[("t", "1000", ["tonne", "吨"]), ("head", None, ["头"])],
        provinces=[("45", ["Guangxi", "广西壮族自治区"]), ("23", ["Heilongjiang", "黑龙江省"])],
    )
    assert catalogue.provinces["广西"] == "45" and catalogue.provinces["黑龙江"] == "23"
    assert catalogue.units["t"] == catalogue.units["公吨"] == Unit("t", D("1000"))
    assert catalogue.units["头"].kg_per_unit is None
    assert "" not in catalogue.commodities


def test_sms_package_imports_without_flask_or_the_app():
    code = (
        "import sys, sms.commands, sms.segments, sms.gateways, sms.catalogue; "
        "bad = [m for m in sys.modules if m == 'flask' or m == 'app' or m.startswith(('flask.', 'app.'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2]))
