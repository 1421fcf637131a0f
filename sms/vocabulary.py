"""The one vocabulary of commodity names, unit words and command words, shared by the SMS reader and
(coming) search: Traditional characters fold to Simplified (opencc), commodity names also answer to
their pinyin ("yumi", "yu mi") and to the dialect aliases kept in app/catalogue/data/commodities.csv.
Flask-free: the caller hands in the catalogue rows (from the database or the CSVs)."""

from __future__ import annotations

import csv
import functools
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import opencc

CATALOGUE_DATA = Path(__file__).resolve().parents[1] / "app" / "catalogue" / "data"

# Spellings farmers text that the catalogue's two names per unit do not cover. Counted units get
# their measure words (只 for animals and birds, 枚 for eggs, 件 for a packed piece…). 袋 alone is the
# counted bag of no fixed weight (its kg per bag may follow: "100袋 每袋50斤"); the weighed sacks
# bag25/bag50 answer only to their full names, so the reader never picks a weight for the farmer.
EXTRA_UNIT_WORDS = {
    "kg": ("kgs", "kilo", "kilos", "千克"),
    "t": ("ton", "tons", "tonne", "tonnes", "mt", "公吨"),
    "g": ("grams",),
    "jin": ("catty", "市斤"),
    "dan": ("picul",),
    "lb": ("lbs",),
    "head": ("heads", "只", "口"),
    "crate": ("crates",),
    "box": ("boxes", "盒"),
    "piece": ("pieces", "pcs", "枚", "件"),
    "bag": ("bags", "sack", "sacks"),
    "bunch": ("bunches", "捆"),
}

_CONVERTER = opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=4096)
def _simplified_char(ch: str) -> str:
    converted = _CONVERTER.convert(ch)
    return converted if len(converted) == 1 else ch


def fold(text: str) -> str:
    """NFKC (full-width letters, digits and the ideographic space become ASCII), lower case and
    Traditional → Simplified, one character for one, so positions in the folded text match the NFKC
    text (the reader keeps the farmer's own spelling for notes)."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for ch in text:
        lower = ch.lower()
        ch = lower if len(lower) == 1 else ch
        out.append(_simplified_char(ch) if ord(ch) > 0x2E7F else ch)
    return "".join(out)


def fold_for_matching(text: str) -> str:
    """``fold`` then casefold: how a name typed by a person is compared with the catalogue's names
    and aliases, and how search folds text at index and query time (app.search.text.fold)."""
    return fold(unicodedata.normalize("NFKC", text or "")).casefold()


def _is_han(text: str) -> bool:
    return bool(text) and all("\u3400" <= ch <= "\u9fff" for ch in text)


def pinyin_names(name: str) -> tuple[str, ...]:
    """ "玉米" → ("yumi", "yu mi"); names of one character, or not all Chinese, get none (a
    one-syllable pinyin word such as "mi" is too easily something else)."""
    if not _is_han(name) or len(name) < 2:
        return ()
    # Imported here: its phrase tables take ~0.2 s and ~40 MB, needed only when a catalogue is built.
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(name)
    return ("".join(syllables), " ".join(syllables))


def english_plural(name: str) -> str | None:
    """The plural of an English name's last word (apples, tomatoes, cherries, peaches); None for a
    name that is not a plain English word or phrase, or already ends in s."""
    if not name.isascii() or not name.replace(" ", "").isalpha() or name.endswith("s") or len(name) < 3:
        return None
    if name.endswith("y") and name[-2] not in "aeiou":
        return name[:-1] + "ies"
    if name.endswith(("o", "ch", "sh", "x")):
        return name + "es"
    return name + "s"


def commodity_names(rows: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Folded name → slug for ``(slug, names)`` rows, plus each Chinese name's pinyin and each
    English name's plural. A pinyin spelling or plural two commodities share is left out (the reader
    must not choose), and neither ever shadows a real name."""
    names: dict[str, str] = {}
    derived: dict[str, set[str]] = {}
    for slug, row_names in rows:
        for name in row_names:
            key = fold(name).strip()
            if not key:
                continue
            names[key] = slug
            for spelling in (*pinyin_names(key), english_plural(key)):
                if spelling:
                    derived.setdefault(spelling, set()).add(slug)
    for spelling, slugs in derived.items():
        if len(slugs) == 1 and spelling not in names:
            names[spelling] = next(iter(slugs))
    return names


def place_names() -> list[tuple[str, list[str]]]:
    """``(province code, names)`` of the cities, counties and producing regions in places-cn.csv:
    the official name and, when it names one place only, the short one and its pinyin (烟台市,
    烟台, yantai); a pinyin two places share names neither."""
    rows = csv_rows("places-cn.csv")
    spellings: dict[str, int] = {}
    for row in rows:
        if row["pinyin"]:
            spellings[row["pinyin"]] = spellings.get(row["pinyin"], 0) + 1
    return [
        (
            row["province_code"],
            [
                row["name_zh"],
                *filter(
                    None,
                    [
                        row["short_zh"],
                        row["pinyin"] if len(row["pinyin"]) >= 4 and spellings[row["pinyin"]] == 1 else "",
                    ],
                ),
            ],
        )
        for row in rows
    ]


def csv_rows(name: str) -> list[dict[str, str]]:
    """The rows of one of the catalogue's reference CSVs."""
    with open(CATALOGUE_DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_commodity_names() -> list[tuple[str, list[str]]]:
    """``(slug, names)`` of every commodity in commodities.csv: both names and all aliases, so a
    database seeded before an alias was added still understands it."""
    return [
        (
            row["slug"],
            [
                row["name_en"],
                row["name_zh"],
                *filter(None, row["aliases_en"].split("|")),
                *filter(None, row["aliases_zh"].split("|")),
            ],
        )
        for row in csv_rows("commodities.csv")
    ]


# Command words. Latin ones are whole words; Chinese ones are found anywhere by longest match.
# "Weak" words (好, 是, 收) count only as the first word of a message: inside a note they are prose.
KEYWORDS: dict[str, str] = {
    **dict.fromkeys(("stop", "stopall", "unsubscribe", "end", "quit", "td", "退订"), "optout"),
    **dict.fromkeys(("cancel", "取消"), "cancel"),
    **dict.fromkeys(("start", "unstop"), "optin"),
    "yes": "yes",
    **dict.fromkeys(("help", "info", "帮助"), "help"),
    **dict.fromkeys(("price", "prices", "价格", "行情", "价钱", "多少钱", "多少钱一斤", "啥价"), "price"),
    **dict.fromkeys(("sell", "卖", "出售", "供应", "卖出"), "sell"),
    **dict.fromkeys(("buy", "买", "求购", "收购", "采购", "收"), "buy"),
    **dict.fromkeys(("confirm", "确认", "确定", "发布", "好", "是"), "confirm"),
    **dict.fromkeys(("no", "不要", "删除"), "discard"),
    **dict.fromkeys(("offers", "报价"), "offers"),
    **dict.fromkeys(("accept", "接受", "同意"), "accept"),
    **dict.fromkeys(("decline", "拒绝"), "decline"),
    **dict.fromkeys(("counter", "还价"), "counter"),
    **dict.fromkeys(("sub", "subscribe", "订阅"), "sub"),
    **dict.fromkeys(("unsub", "取消订阅"), "unsub"),
    # Order steps: the order number (J0000003) follows. "确认收货" is one word, so it is not 确认.
    **dict.fromkeys(("ship", "shipped", "dispatch", "dispatched", "发货", "已发货", "确认发货", "发车"), "ship"),
    **dict.fromkeys(("paid", "收款", "已收款", "确认收款", "收到款", "收到钱", "款已收", "已收到款"), "paid"),
    **dict.fromkeys(("received", "delivered", "收货", "已收货", "确认收货", "收到货", "到货", "货已收到"), "received"),
    **dict.fromkeys(("orders", "order", "订单", "我的订单"), "orders"),
    # Accepting an order's purchase contract (docs/contracts.md): the order number follows.
    **dict.fromkeys(("contract", "合同", "同意合同", "接受合同", "确认合同", "签合同", "签署合同"), "contract"),
}
WEAK_KEYWORDS = frozenset({"好", "是", "收"})
# Families that count only as the first word (after fillers): "当天发货" or "my order" inside a
# listing's note or an opt-out look-alike is prose, not an order command.
FIRST_WORD_FAMILIES = frozenset({"ship", "paid", "received", "orders", "contract"})
# Carriers a seller may name before a waybill number ("发货 J3 顺丰 SF1234567890") → the carrier code
# a shipment stores (app/logistics, the code carriers' webhooks are configured under).
CARRIERS = {
    "顺丰": "sf-express",
    "sf": "sf-express",
    "sf-express": "sf-express",
    "中通": "zto",
    "zto": "zto",
    "圆通": "yto",
    "yto": "yto",
    "韵达": "yunda",
    "yunda": "yunda",
    "申通": "sto",
    "sto": "sto",
    "京东": "jd",
    "jd": "jd",
    "邮政": "ems",
    "ems": "ems",
    "德邦": "deppon",
    "deppon": "deppon",
    "极兔": "jtexpress",
    "j&t": "jtexpress",
}
# Whole-message opt-out and opt-in words (CTIA / Twilio defaults, plus the Chinese carriers' TD/退订).
OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "td", "退订", "n", "取消"})
OPT_IN_WORDS = frozenset({"start", "unstop", "yes"})
# Words that carry no argument; skipped wherever they stand. "收到"/"你好" are here so that their
# 收/好 are not read as commands.
FILLERS = frozenset(
    {
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "吧",
        "请",
        "请问",
        "我",
        "我要",
        "我想",
        "想",
        "要",
        "今天",
        "现在",
        "一下",
        "查",
        "查询",
        "问",
        "什么",
        "是多少",
        "你好",
        "收到",
        "谢谢",
        "有",
        "please",
        "pls",
        "the",
        "today",
        "now",
        "i",
        "want",
        "to",
        "of",
        "for",
        "in",
        "is",
        "what",
        "my",
    }
)
CURRENCY_BEFORE = ("¥", "rmb", "cny")
CURRENCY_AFTER = ("元", "块钱", "块", "yuan", "rmb", "cny")
PER_WORDS = ("/", "每", "per", "a", "an")

# Search (app/search/understanding.py): words that name the kind of posting a buyer wants to see.
# The SMS command words of the two sides, plus how people type them into a search box.
KIND_WORDS: dict[str, str] = {
    **{word: family for word, family in KEYWORDS.items() if family in ("sell", "buy")},
    **dict.fromkeys(
        (
            "selling",
            "sale",
            "for sale",
            "supply",
            "supplier",
            "offer",
            "offers",
            "出",
            "批发",
            "供货",
            "现货",
            "出货",
            "销售",
            "代卖",
        ),
        "sell",
    ),
    **dict.fromkeys(
        (
            "buying",
            "wanted",
            "wtb",
            "purchase",
            "purchasing",
            "求",
            "收货",
            "回收",
            "大量收购",
            "长期收购",
            "需求",
            "需要",
        ),
        "buy",
    ),
}
KIND_WORDS.pop("offers", None)  # OFFERS is an SMS command (the offers on my postings), not a kind

# Grades and adjectives of quality: a posting that says them ranks first, none is a filter.
# Word → the grade's Chinese word (what a chip shows and what the posting's text is searched for).
GRADE_WORDS: dict[str, str] = {
    **{
        word: word
        for word in (
            "新鲜",
            "优质",
            "有机",
            "一级",
            "二级",
            "三级",
            "特级",
            "精品",
            "精选",
            "绿色",
            "无公害",
            "野生",
            "正宗",
            "农家",
            "散装",
            "当季",
            "新货",
            "新季",
            "头茬",
            "大果",
            "特大",
            "统货",
            "原产地",
            "产地直供",
            "纯天然",
            "生态",
            "土",
            "高产",
            "干",
            "鲜",
            "优级",
            "一等",
            "二等",
            "地标",
            "富硒",
        )
    },
    **{
        "fresh": "新鲜",
        "organic": "有机",
        "premium": "精品",
        "quality": "优质",
        "high quality": "优质",
        "grade a": "一级",
        "first grade": "一级",
        "top grade": "特级",
        "wild": "野生",
        "green": "绿色",
        "new crop": "新货",
        "bulk": "散装",
        "dried": "干",
        "dry": "干",
    },
}
