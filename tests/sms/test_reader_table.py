"""Issue 22: the tolerant SMS reader on at least 300 messages as farmers write them — Chinese,
English, Traditional, pinyin, mixed, any punctuation, Chinese numerals, money forms, units, and
opt-out look-alikes next to true opt-outs — each with the command and arguments it must give.
(The replies of a representative subset are checked through the webhook in
tests/inbound_sms/test_reader_webhook.py.)"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from sms.catalogue import Catalogue
from sms.commands import (
    Accept,
    AcceptContract,
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
    Orders,
    OrderStep,
    ParseError,
    PriceQuery,
    Subscribe,
    Unit,
    Unknown,
    Unsubscribe,
    parse,
)
from tests.sms.helpers import assert_reads

KG, T, JIN, HEAD = Unit("kg", D("1")), Unit("t", D("1000")), Unit("jin", D("0.5")), Unit("head", None)
CRATE, PIECE, BOX, LIANG = Unit("crate", None), Unit("piece", None), Unit("box", None), Unit("liang", D("0.05"))
BAG, BUNCH = Unit("bag", None), Unit("bunch", None)
HENAN, SHANDONG, HEBEI = "41", "37", "13"


def listing(side, commodity, quantity, unit, price, price_unit=None, note="", province=None, unread="", kg=None):
    return Listing(
        side,
        commodity,
        D(quantity),
        unit,
        D(price),
        price_unit or unit,
        note,
        province,
        unread,
        None if kg is None else D(kg),
    )


def error(reason, command):
    return ("error", reason, command)


CASES: list[tuple[str, str, object]] = []


def case(case_id: str, text: str, expected) -> None:
    CASES.append((case_id, text, expected))


# --- PRICE: every synonym, script and word order, with punctuation -------------------------------
_PRICE_WORDS = ["价格", "行情", "价钱", "價格", "PRICE", "price", "Price"]
_MAIZE_WORDS = ["玉米", "棒子", "苞谷", "玉茭", "苞米", "包谷", "corn", "maize", "yumi", "Yu Mi"]
for i, word in enumerate(_PRICE_WORDS):
    for j, maize in enumerate(_MAIZE_WORDS):
        case(f"price-{i}-{j}-first", f"{word} {maize}", PriceQuery("maize"))
for i, word in enumerate(["价格", "行情", "价钱", "價格", "多少钱", "多少钱一斤"]):
    case(f"price-last-{i}", f"玉米{word}", PriceQuery("maize"))
    case(f"price-last-province-{i}", f"河南玉米{word}", PriceQuery("maize", HENAN))
for i, text in enumerate(
    [
        "价格，玉米。",
        "价格：玉米",
        "价格、玉米！",
        "价格；玉米？",
        "价格 玉米...",
        "【价格】玉米",
        "price, maize.",
        "PRICE: maize!",
        "price - maize",
        "价格\u3000玉米\u3000",
        "“价格”玉米",
    ]
):
    case(f"price-punctuation-{i}", text, PriceQuery("maize"))
for i, text in enumerate(
    [
        "价格 玉米 河南",
        "河南 价格 玉米",
        "玉米 河南 价格",
        "价格，河南，玉米",
        "价格 玉米 河南省",
        "price maize henan",
        "price henan maize",
        "Henan maize price",
        "price of maize in henan",
        "請問 河南 玉米 價格",
        "我想查一下河南玉米的价格",
        "今天河南玉米多少钱一斤",
    ]
):
    case(f"price-province-anywhere-{i}", text, PriceQuery("maize", HENAN))
for i, (text, slug) in enumerate(
    [
        ("价格 地瓜", "sweet-potato"),
        ("价格 甘薯", "sweet-potato"),
        ("价格 番薯", "sweet-potato"),
        ("价格 红薯", "sweet-potato"),
        ("price hongshu", "sweet-potato"),
        ("price xiaomai", "wheat"),
        ("价格 麥子", "wheat"),
        ("price dadou", "soybean"),
        ("价格 黃豆", "soybean"),
        ("價格 馬鈴薯", "potato"),
        ("行情 蘋果", "apple"),
        ("price huasheng", "peanut"),
        ("价格 sweet potato", "sweet-potato"),
        ("PRICE Sweet Potato", "sweet-potato"),
        ("价格 土豆", "potato"),
        ("价格 西红柿", "tomato"),
        ("價格 西紅柿", "tomato"),
        ("行情 生猪", "pig"),
        ("price hog", "pig"),
    ]
):
    case(f"price-commodity-{i}", text, PriceQuery(slug))
case("price-two-word-province", "PRICE sweet potato Inner Mongolia", PriceQuery("sweet-potato", "15"))
case("price-missing-commodity", "价格", error("missing_commodity", "price"))
case("price-missing-commodity-punct", "价格？", error("missing_commodity", "price"))
case("price-unknown-commodity", "价格 石头", error("unknown_commodity", "price"))
case("price-unknown-commodity-en", "PRICE cornflakes", error("unknown_commodity", "price"))
case("price-unknown-province", "价格 玉米 火星", error("unknown_province", "price"))
case("price-unknown-province-en", "PRICE maize Mars", error("unknown_province", "price"))
case("price-stray-words-before-commodity", "hello 玉米价格", error("not_understood", "price"))
case("price-stray-quantity", "价格 玉米 5吨", error("not_understood", "price"))
case("sub-stray-number", "订阅 玉米 12", error("not_understood", "sub"))

# --- SELL / BUY: synonyms, scripts, numerals, units and money forms ------------------------------
for i, word in enumerate(["卖", "出售", "供应", "卖出", "賣", "sell", "SELL", "Sell"]):
    case(f"sell-synonym-{i}", f"{word} 玉米 5吨 2100", listing("sell", "maize", "5", T, "2100"))
for i, word in enumerate(["买", "求购", "收", "收购", "采购", "買", "buy", "BUY"]):
    case(f"buy-synonym-{i}", f"{word} 小麦 10吨 2500", listing("buy", "wheat", "10", T, "2500"))
for i, (quantity_text, quantity, unit) in enumerate(
    [
        ("5吨", "5", T),
        ("5噸", "5", T),
        ("五吨", "5", T),
        ("两吨", "2", T),
        ("兩噸", "2", T),
        ("十吨", "10", T),
        ("二十吨", "20", T),
        ("十五吨", "15", T),
        ("三千斤", "3000", JIN),
        ("5万斤", "50000", JIN),
        ("3万5斤", "35000", JIN),
        ("1万2千斤", "12000", JIN),
        ("两千五百斤", "2500", JIN),
        ("一千零五斤", "1005", JIN),
        ("一百斤", "100", JIN),
        ("1.5万斤", "15000", JIN),
        ("500公斤", "500", KG),
        ("500千克", "500", KG),
        ("5 t", "5", T),
        ("5 tons", "5", T),
        ("5tonnes", "5", T),
        ("2,000kg", "2000", KG),
        ("５吨", "5", T),
        ("0.5吨", "0.5", T),
        ("三点五吨", "3.5", T),
    ]
):
    case(
        f"sell-quantity-{i}",
        f"卖 玉米 {quantity_text} 2100",
        listing("sell", "maize", quantity, unit, "2100", T)
        if unit is T
        else listing("sell", "maize", quantity, unit, "2100"),
    )
for i, (price_text, price, price_unit) in enumerate(
    [
        ("2100", "2100", None),
        ("2,100", "2100", None),
        ("2100元", "2100", None),
        ("¥2100", "2100", None),
        ("￥2100", "2100", None),
        ("¥2,100/吨", "2100", T),
        ("2100元/吨", "2100", T),
        ("2100元每吨", "2100", T),
        ("每吨2100", "2100", T),
        ("每吨2100元", "2100", T),
        ("1块2", "1.2", None),
        ("一块五", "1.5", None),
        ("8毛", "0.8", None),
        ("5毛5", "0.55", None),
        ("1块2毛5", "1.25", None),
        ("1元2角", "1.2", None),
        ("1.2元", "1.2", None),
        ("¥1.2", "1.2", None),
        ("每斤1.2元", "1.2", JIN),
        ("每斤1.15元", "1.15", JIN),
        ("1.2元/斤", "1.2", JIN),
        ("1.2元每斤", "1.2", JIN),
        ("1.2元一斤", "1.2", JIN),
        ("一块二一斤", "1.2", JIN),
        ("1块2/斤", "1.2", JIN),
        ("1.05/jin", "1.05", JIN),
        ("2.1/kg", "2.1", KG),
        ("2100 per ton", "2100", T),
        ("2100 yuan", "2100", None),
        ("2100块", "2100", None),
        ("两千一", "2100", None),
        ("2千1", "2100", None),
        ("2100元/噸", "2100", T),
        ("每公斤2.1元", "2.1", KG),
        ("1.2块钱", "1.2", None),
    ]
):
    case(f"sell-price-{i}", f"卖 玉米 5吨 {price_text}", listing("sell", "maize", "5", T, price, price_unit))
for i, (text, expected) in enumerate(
    [
        ("卖，玉米，5吨，2400。", listing("sell", "maize", "5", T, "2400")),
        ("卖：玉米；5吨；2400！", listing("sell", "maize", "5", T, "2400")),
        ("卖玉米5吨2100", listing("sell", "maize", "5", T, "2100")),
        ("我要卖玉米5吨2100", listing("sell", "maize", "5", T, "2100")),
        ("玉米 5吨 2100 卖", listing("sell", "maize", "5", T, "2100")),
        ("卖 河南 玉米 5吨 2100", listing("sell", "maize", "5", T, "2100", province=HENAN)),
        ("河南 卖 玉米 5吨 2100", listing("sell", "maize", "5", T, "2100", province=HENAN)),
        ("卖 玉米 5吨 2100 山东 货好", listing("sell", "maize", "5", T, "2100", note="山东 货好")),
        ("卖 玉米 5吨 2100，货好，水分14", listing("sell", "maize", "5", T, "2100", note="货好,水分14")),
        ("賣 玉米 5噸 2100 貨好", listing("sell", "maize", "5", T, "2100", note="貨好")),
        ("sell maize 5t 2100 Hebei dry, clean", listing("sell", "maize", "5", T, "2100", note="Hebei dry, clean")),
        ("end of season, sell maize 5t 2100", listing("sell", "maize", "5", T, "2100", unread="end of season")),
        ("hello, 卖 玉米 5吨 2100", listing("sell", "maize", "5", T, "2100", unread="hello")),
        ("SELL yumi 5t 2100", listing("sell", "maize", "5", T, "2100")),
        ("卖 棒子 5吨 2100", listing("sell", "maize", "5", T, "2100")),
        ("卖 苞谷 两吨 一块二一斤", listing("sell", "maize", "2", T, "1.2", JIN)),
        ("卖 地瓜 200斤 1.2元每斤", listing("sell", "sweet-potato", "200", JIN, "1.2", JIN)),
        ("卖 甘薯 200斤 1块2", listing("sell", "sweet-potato", "200", JIN, "1.2")),
        ("卖 鸡 100只 30", listing("sell", "chicken", "100", HEAD, "30")),
        ("卖 猪 10头 1500", listing("sell", "pig", "10", HEAD, "1500")),
        ("卖 苹果 20筐 80", listing("sell", "apple", "20", CRATE, "80")),
        ("卖 鸡蛋 300枚 1.2", listing("sell", "egg", "300", PIECE, "1.2")),
        ("卖 草莓 50盒 25", listing("sell", "strawberry", "50", BOX, "25")),
        ("SELL hog 10 heads 1500", listing("sell", "pig", "10", HEAD, "1500")),
        ("卖 茶叶 一两 20", listing("sell", "tea-leaf", "1", LIANG, "20")),
        ("买 小麦 10吨 2500元", listing("buy", "wheat", "10", T, "2500")),
        ("求购，小麦，十吨，两千五", listing("buy", "wheat", "10", T, "2500")),
        ("收购 黄豆 20吨 每斤2.3元", listing("buy", "soybean", "20", T, "2.3", JIN)),
        ("buy wheat 20 t 2,500 per ton", listing("buy", "wheat", "20", T, "2500", T)),
        ("Buy corn 5t ¥2100/t.", listing("buy", "maize", "5", T, "2100", T)),
    ]
):
    case(f"listing-form-{i}", text, expected)
for i, (text, reason) in enumerate(
    [
        ("卖 玉米 5吨 1元2", "not_understood"),
        ("卖 玉米 5吨 2100 3000", "not_understood"),
        ("卖 玉米 100 2100", "missing_unit"),
        ("卖 玉米 5 2100", "missing_unit"),
        ("卖 玉米 5吨", "missing_price"),
        ("卖 玉米", "missing_quantity"),
        ("卖", "missing_commodity"),
        ("卖 石头 5吨 2100", "unknown_commodity"),
        ("卖 玉米 吨 2100", "bad_number"),
        ("卖 玉米 5吨 -2100", "not_positive"),
        ("卖 玉米 -5吨 2100", "not_positive"),
        ("卖 玉米 0吨 2100", "not_positive"),
        ("卖 玉米 5吨 0", "not_positive"),
        ("卖 玉米 5吨 1.005/kg", "too_precise"),
        ("卖 玉米 1.2345吨 2100", "too_precise"),
        ("卖 玉米 2万吨 2100", "too_large"),
        ("卖 玉米 5斤 999999元/斤", "too_large"),
        ("卖 猪 10头 15/kg", "unit_mismatch"),
        ("卖 玉米 5吨 2100/parsec", "unknown_unit"),
        ("卖 玉米 5吨 inf", "bad_number"),
        ("SELL maize nan t 2100", "bad_number"),
        ("卖 玉米 5吨 一亿", "too_large"),
    ]
):
    case(f"listing-refused-{i}", text, error(reason, "sell"))

# --- drafts: YES / NO and their synonyms ----------------------------------------------------------
for i, word in enumerate(["确认", "確認", "确定", "发布", "發佈", "好", "是", "YES", "yes", "Yes", "confirm"]):
    for j, number in enumerate(["12", " 12。", " #12", " 12!", "　１２"]):
        case(
            f"confirm-{i}-{j}", f"{word}{number}" if number.startswith((" ", "　")) else f"{word} {number}", Confirm(12)
        )
for i, word in enumerate(["NO", "no", "不要", "删除", "刪除", "取消", "cancel", "Cancel"]):
    for j, number in enumerate(["12", "12.", "#12"]):
        case(f"discard-{i}-{j}", f"{word} {number}", Discard(12))
case("confirm-missing-number", "确认", error("missing_number", "confirm"))
case("confirm-bad-number", "YES 12abc", error("bad_number", "confirm"))
case("confirm-words-after-number", "YES 12 13", error("bad_number", "confirm"))
case("confirm-with-please", "YES please", error("missing_number", "confirm"))
case("discard-missing-number", "NO", error("missing_number", "discard"))
case("discard-zero", "不要 0", error("bad_number", "discard"))
case("confirm-after-unknown-words", "maybe YES 12", error("not_understood", "confirm"))
case("confirm-after-filler", "请 确认 12", Confirm(12))
case("confirm-ok-without-number", "好的", error("missing_number", "confirm"))
case("confirm-yes-without-number", "是的。", error("missing_number", "confirm"))

# --- offers: ACCEPT / DECLINE / COUNTER -----------------------------------------------------------
for i, word in enumerate(["ACCEPT", "accept", "接受", "同意"]):
    case(f"accept-{i}", f"{word} k7q2", Accept("K7Q2"))
    case(f"accept-punct-{i}", f"{word}：K7Q2。", Accept("K7Q2"))
for i, word in enumerate(["DECLINE", "拒绝", "拒絕"]):
    case(f"decline-{i}", f"{word} #ab12", Decline("AB12"))
for i, (text, price, unit) in enumerate(
    [
        ("COUNTER K7Q2 2000", "2000", None),
        ("还价 K7Q2 1.1元/斤", "1.1", JIN),
        ("還價 K7Q2 1.1元/斤", "1.1", JIN),
        ("还价 K7Q2 一块五", "1.5", None),
        ("还价 K7Q2 每斤1.15元", "1.15", JIN),
        ("counter k7q2 ¥2,000/t", "2000", T),
        ("还价 K7Q2 两千", "2000", None),
        ("还价，K7Q2，8毛", "0.8", None),
    ]
):
    case(f"counter-{i}", text, Counter("K7Q2", D(price), unit))
case("counter-missing-price", "还价 K7Q2", error("missing_price", "counter"))
case("counter-extra-number", "还价 K7Q2 2000 3000", error("not_understood", "counter"))
case("accept-bad-code", "ACCEPT k7-q2!", error("bad_code", "accept"))
case("accept-missing-code", "接受", error("missing_code", "accept"))
case("offers-en", "OFFERS", Offers())
case("offers-zh", "报价", Offers())
case("offers-traditional", "報價", Offers())

# --- counted units: priced per unit, with an optional kg per unit ---------------------------------
for i, (text, expected) in enumerate(
    [
        ("卖 鸡 100只 35", listing("sell", "chicken", "100", HEAD, "35")),
        ("卖 鸡 一百只 35元", listing("sell", "chicken", "100", HEAD, "35")),
        ("賣 雞 100隻 35", listing("sell", "chicken", "100", HEAD, "35")),
        ("卖 牛 3头 9000", listing("sell", "cattle", "3", HEAD, "9000")),
        ("卖 羊 20只 1200", listing("sell", "sheep", "20", HEAD, "1200")),
        ("卖 猪 两头 3000", listing("sell", "pig", "2", HEAD, "3000")),
        ("sell chicken 100 head 35", listing("sell", "chicken", "100", HEAD, "35")),
        ("sell hog 10 heads ¥1,500", listing("sell", "pig", "10", HEAD, "1500")),
        ("卖 玉米 100袋 120", listing("sell", "maize", "100", BAG, "120")),
        ("卖 玉米 100袋 每袋50斤 60", listing("sell", "maize", "100", BAG, "60", kg="25")),
        ("卖 玉米 100袋 一袋50公斤 120", listing("sell", "maize", "100", BAG, "120", kg="50")),
        ("卖 玉米 100袋 50公斤/袋 120", listing("sell", "maize", "100", BAG, "120", kg="50")),
        ("卖 玉米 100袋 每袋50斤 每斤1.2元", listing("sell", "maize", "100", BAG, "1.2", JIN, kg="25")),
        ("sell maize 100 bags 60", listing("sell", "maize", "100", BAG, "60")),
        ("SELL maize 100 sacks 50 kg per sack 120", listing("sell", "maize", "100", BAG, "120", kg="50")),
        ("卖 苹果 20筐 80", listing("sell", "apple", "20", CRATE, "80")),
        ("卖 苹果 20筐 每筐30斤 120", listing("sell", "apple", "20", CRATE, "120", kg="15")),
        ("卖，苹果，20筐，每筐30斤，120元。", listing("sell", "apple", "20", CRATE, "120", kg="15")),
        ("卖 苹果 二十筐 每筐三十斤 一百二", listing("sell", "apple", "20", CRATE, "120", kg="15")),
        ("卖 苹果 20筐 一筐30斤 120", listing("sell", "apple", "20", CRATE, "120", kg="15")),
        ("卖 苹果 20筐 30斤/筐 120", listing("sell", "apple", "20", CRATE, "120", kg="15")),
        ("卖 苹果 20筐 每筐30斤 每斤4元", listing("sell", "apple", "20", CRATE, "4", JIN, kg="15")),
        ("卖 苹果 20筐 每筐120", listing("sell", "apple", "20", CRATE, "120", CRATE)),
        ("sell apple 20 crates 15 kg per crate 120", listing("sell", "apple", "20", CRATE, "120", kg="15")),
        ("sell apple 20 crates 120 per crate", listing("sell", "apple", "20", CRATE, "120", CRATE)),
        ("卖 苹果 10箱 50", listing("sell", "apple", "10", BOX, "50")),
        ("卖 苹果 10箱 每箱10公斤 50", listing("sell", "apple", "10", BOX, "50", kg="10")),
        ("sell apple 10 boxes 50", listing("sell", "apple", "10", BOX, "50")),
        ("卖 苹果 10件 50", listing("sell", "apple", "10", PIECE, "50")),
        ("卖 西瓜 30个 12", listing("sell", "watermelon", "30", PIECE, "12")),
        ("卖 西瓜 30个 每个8斤 12", listing("sell", "watermelon", "30", PIECE, "12", kg="4")),
        ("sell watermelon 30 pieces 12", listing("sell", "watermelon", "30", PIECE, "12")),
        ("卖 葱 50把 3", listing("sell", "scallion", "50", BUNCH, "3")),
        ("买 鸡 200只 30", listing("buy", "chicken", "200", HEAD, "30")),
        ("收 苹果 100筐 每筐30斤 100", listing("buy", "apple", "100", CRATE, "100", kg="15")),
    ]
):
    case(f"counted-{i}", text, expected)
for i, (text, reason) in enumerate(
    [
        ("卖 苹果 20筐 每斤4元", "unit_mismatch"),
        ("卖 玉米 100袋 2元/公斤", "unit_mismatch"),
        ("卖 苹果 20筐 每筐0斤 120", "not_positive"),
        ("卖 苹果 20筐 每筐300000斤 120", "too_large"),
        ("卖 苹果 20筐 每筐0.0001公斤 120", "too_precise"),
        ("卖 苹果 20筐 每筐30斤", "missing_price"),
    ]
):
    case(f"counted-refused-{i}", text, error(reason, "sell"))

# --- the order by SMS: the J number tells an order from a draft -----------------------------------
for i, number in enumerate(["J0000003", "j0000003", "J3", "j3", "#J3", "J 3", "Ｊ３", "J03"]):
    case(f"order-number-{i}", f"确认 {number}", OrderStep("confirm", 3))
for i, (word, action) in enumerate(
    [
        ("确认", "confirm"),
        ("確認", "confirm"),
        ("确定", "confirm"),
        ("CONFIRM", "confirm"),
        ("confirm", "confirm"),
        ("拒绝", "decline"),
        ("拒絕", "decline"),
        ("DECLINE", "decline"),
        ("decline", "decline"),
        ("发货", "ship"),
        ("發貨", "ship"),
        ("已发货", "ship"),
        ("确认发货", "ship"),
        ("SHIP", "ship"),
        ("shipped", "ship"),
        ("dispatched", "ship"),
        ("收款", "paid"),
        ("已收款", "paid"),
        ("确认收款", "paid"),
        ("收到款", "paid"),
        ("收到钱", "paid"),
        ("PAID", "paid"),
        ("收货", "received"),
        ("收貨", "received"),
        ("已收货", "received"),
        ("确认收货", "received"),
        ("收到货", "received"),
        ("到货", "received"),
        ("RECEIVED", "received"),
        ("delivered", "received"),
    ]
):
    case(f"order-step-{i}", f"{word} J0000017", OrderStep(action, 17))
    case(f"order-step-punct-{i}", f"{word}：J17。", OrderStep(action, 17))
for i, (text, expected) in enumerate(
    [
        ("发货 J0000003 顺丰 SF1234567890", OrderStep("ship", 3, "顺丰 SF1234567890", "sf-express", "SF1234567890")),
        ("发货 J3，顺丰：SF1234567890。", OrderStep("ship", 3, "顺丰:SF1234567890", "sf-express", "SF1234567890")),
        ("發貨 J3 順豐 SF1234567890", OrderStep("ship", 3, "順豐 SF1234567890", "sf-express", "SF1234567890")),
        ("发货 J3 中通 75312345678901", OrderStep("ship", 3, "中通 75312345678901", "zto", "75312345678901")),
        ("SHIP J3 SF sf1234567890", OrderStep("ship", 3, "SF sf1234567890", "sf-express", "SF1234567890")),
        ("ship j3 zto 75312345678901", OrderStep("ship", 3, "zto 75312345678901", "zto", "75312345678901")),
        ("发货 J3 豫A12345", OrderStep("ship", 3, "豫A12345")),
        ("发货 J3 车牌 豫A12345", OrderStep("ship", 3, "车牌 豫A12345")),
        ("SHIPPED J3 truck HA-12345", OrderStep("ship", 3, "truck HA-12345")),
        ("请 确认 J3", OrderStep("confirm", 3)),
        ("收款 J3 谢谢", OrderStep("paid", 3)),
        ("拒绝 J0000234", OrderStep("decline", 234)),
        ("拒绝 J234", Decline("J234")),
        ("拒绝 2345", Decline("2345")),
        ("确认 12", Confirm(12)),
        ("YES 12", Confirm(12)),
        ("NO 12", Discard(12)),
        ("订单", Orders()),
        ("我的订单", Orders()),
        ("訂單", Orders()),
        ("ORDERS", Orders()),
        ("orders?", Orders()),
        ("order", Orders()),
        ("查订单", Orders()),
        ("卖 玉米 5吨 2100 当天发货", listing("sell", "maize", "5", T, "2100", note="当天发货")),
        ("sell maize 5t 2100 min order 1t", listing("sell", "maize", "5", T, "2100", note="min order 1t")),
        ("取消订单", OptOutHint()),
        ("Cancel my order", OptOutHint()),
    ]
):
    case(f"order-form-{i}", text, expected)
for i, (text, reason, command) in enumerate(
    [
        ("发货 12", "bare_order_number", "ship"),
        ("收款 3", "bare_order_number", "paid"),
        ("收货 0000003", "bare_order_number", "received"),
        ("拒绝 12", "bare_order_number", "decline"),
        ("拒绝 100", "bare_order_number", "decline"),
        ("DECLINE 1234567", "bare_order_number", "decline"),
        ("发货", "missing_order_number", "ship"),
        ("收款。", "missing_order_number", "paid"),
        ("收货 请", "missing_order_number", "received"),
        ("SHIP", "missing_order_number", "ship"),
        ("发货 J0", "bad_order_number", "ship"),
        ("确认 Jx", "bad_order_number", "confirm"),
        ("发货 货到了", "bad_order_number", "ship"),
        ("收款 J3 多少", "not_understood", "paid"),
        ("确认 J3 J4", "not_understood", "confirm"),
        ("订单 J3", "not_understood", "orders"),
    ]
):
    case(f"order-refused-{i}", text, error(reason, command))
# Order words count only as the first word: elsewhere they are prose, and the sender gets HELP.
case("order-word-not-first", "hello 发货 J3", Unknown("hello 发货 j3"))

# --- accepting an order's purchase contract (issue 24 point 4) ------------------------------------
for i, (text, expected) in enumerate(
    [
        ("合同 J3", AcceptContract(3)),
        ("同意合同 J0000003", AcceptContract(3)),
        ("接受合同：J3。", AcceptContract(3)),
        ("确认合同 J12", AcceptContract(12)),
        ("签合同 j12", AcceptContract(12)),
        ("签署合同 J12", AcceptContract(12)),
        ("CONTRACT J3", AcceptContract(3)),
        ("contract #j3", AcceptContract(3)),
        ("合同J3", AcceptContract(3)),
        ("同意 K7M2", Accept("K7M2")),
    ]
):
    case(f"contract-{i}", text, expected)
for i, (text, reason) in enumerate(
    [
        ("合同", "missing_order_number"),
        ("合同 3", "bare_order_number"),
        ("CONTRACT Jx", "bad_order_number"),
        ("合同 J3 多少钱", "not_understood"),
    ]
):
    case(f"contract-refused-{i}", text, error(reason, "contract"))
case("contract-word-not-first", "卖 玉米 5吨 2100 签合同", listing("sell", "maize", "5", T, "2100", note="签合同"))

# --- price alerts ---------------------------------------------------------------------------------
for i, (text, expected) in enumerate(
    [
        ("订阅玉米价格", Subscribe("maize")),
        ("订阅 玉米 河南", Subscribe("maize", HENAN)),
        ("訂閱 玉米", Subscribe("maize")),
        ("SUB maize henan", Subscribe("maize", HENAN)),
        ("subscribe maize", Subscribe("maize")),
        ("订阅河南玉米行情", Subscribe("maize", HENAN)),
        ("取消订阅 玉米", Unsubscribe("maize")),
        ("取消订阅", Unsubscribe()),
        ("取消，订阅", Unsubscribe()),
        ("取消訂閱 玉米 河南", Unsubscribe("maize", HENAN)),
        ("UNSUB maize", Unsubscribe("maize")),
        ("UNSUB", Unsubscribe()),
        ("退订 玉米", Unsubscribe("maize")),
        ("UNSUBSCRIBE maize", Unsubscribe("maize")),
        ("stop maize henan", Unsubscribe("maize", HENAN)),
    ]
):
    case(f"alerts-{i}", text, expected)
case("sub-missing-commodity", "订阅", error("missing_commodity", "sub"))
case("unsub-unknown-commodity", "UNSUB unobtainium", error("unknown_commodity", "unsub"))

# --- true opt-outs: the keyword alone, any case, width and surrounding punctuation ----------------
for i, text in enumerate(
    [
        "STOP",
        "stop",
        "Stop",
        "stop.",
        "STOP!",
        "STOP!!!",
        " stop ",
        "(stop)",
        "ＳＴＯＰ",
        "ｓｔｏｐ。",
        "STOPALL",
        "stopall!",
        "UNSUBSCRIBE",
        "unsubscribe.",
        "CANCEL",
        "cancel.",
        "END",
        "end!",
        "QUIT",
        "quit?",
        "TD",
        "td",
        "ＴＤ",
        "td。",
        "退订",
        "退订。",
        "退订！",
        "「退订」",
        "【退订】",
        "N",
        "n",
        "n.",
        "取消",
        "取消！",
        "“STOP”",
    ]
):
    case(f"optout-{i}", text, OptOut())

# --- opt-out look-alikes: never acted on, read as what they are or asked for the keyword alone ----
_HINT = OptOutHint()
for i, (text, expected) in enumerate(
    [
        ("取消 K7M2", _HINT),
        ("取消订单", _HINT),
        ("Cancel my order", _HINT),
        ("cancel the order please", _HINT),
        ("stop sending me these", _HINT),
        ("stop please", _HINT),
        ("quit it", _HINT),
        ("退订什么", _HINT),
        ("TD 12?", _HINT),
        ("END OF SEASON", _HINT),
        ("the end", _HINT),
        ("退订谢谢", _HINT),
        ("end", OptOut()),
        ("不要了", error("missing_number", "discard")),
        ("no thanks", error("bad_number", "discard")),
    ]
):
    case(f"optout-lookalike-{i}", text, expected)

# --- opt-in: the keyword alone ---------------------------------------------------------------------
for i, text in enumerate(["START", "start!", "Start.", "UNSTOP", "unstop", "YES", "yes", "Yes!", "ＹＥＳ"]):
    case(f"optin-{i}", text, OptIn())

# --- help and unknown ------------------------------------------------------------------------------
for i, text in enumerate(["HELP", "help?", "帮助", "幫助", "INFO"]):
    case(f"help-{i}", text, Help())
for i, (text, folded) in enumerate(
    [
        ("hello there", "hello there"),
        ("你好", "你好"),
        ("", ""),
        ("玉米", "玉米"),
        ("SELLmaize 5t", "sellmaize 5t"),
        ("12345", "12345"),
        ("谢谢！", "谢谢"),
    ]
):
    case(f"unknown-{i}", text, Unknown(folded))


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_reader_table(catalogue: Catalogue, text: str, expected):
    assert_reads(catalogue, text, expected)


def test_the_table_has_more_than_500_messages_with_unique_ids():
    ids = [case_id for case_id, _, _ in CASES]
    assert len(ids) > 500
    assert len(set(ids)) == len(ids)


def test_a_message_that_only_starts_with_an_opt_out_word_never_opts_out(catalogue: Catalogue):
    for word in ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "TD", "退订", "取消"):
        for tail in (" my order", " K7M2", "订单", " 12345678901"):
            assert not isinstance(parse(word + tail, catalogue), OptOut), word + tail


def test_parsed_money_is_a_decimal_never_a_float(catalogue: Catalogue):
    result = parse("卖 玉米 5吨 1块2", catalogue)
    assert isinstance(result.price, D) and result.price == D("1.2") and result.price_unit == T


@pytest.mark.parametrize(
    "text, unread",
    [
        ("卖 玉米 5吨 1元2", "2"),
        ("SELL maize 5t 2100 3000", "3000"),
        ("hello 玉米价格", "hello"),
        ("价格 玉米 5吨", "5吨"),
        ("maybe YES 12", "maybe"),
        ("还价 K7Q2 2000 3000", "3000"),
    ],
)
def test_a_refusal_names_the_words_it_did_not_understand(catalogue: Catalogue, text, unread):
    with pytest.raises(ParseError) as raised:
        parse(text, catalogue)
    assert (raised.value.reason, raised.value.text) == ("not_understood", unread)
