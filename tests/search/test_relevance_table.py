"""The relevance table of issue 16: queries as Chinese buyers type them (Chinese, English, pinyin,
Traditional, mixed, typos, place + commodity with and without spaces, dialect names, adjectives,
kinds) over a fixed market of 50 postings built through the posting services, each with the
postings that must come first and those that must not appear. Runs on SQLite and on PostgreSQL
(TEST_DATABASE_URL picks) through the market page, as a buyer sees it.

A row's ``first`` are the postings that must fill the first places of the results, in any order
among themselves (ties are broken by date, which the table does not fix); ``absent`` must not be
listed at all; ``present`` must be listed somewhere. All failing rows are reported together.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import make_member, make_posting
from tests.search.helpers import titles

# key: (commodity, kind, province, locality, title, description)
CORPUS = {
    "M1": ("maize", "sell", "41", "周口", "河南新鲜玉米出售", "今年新玉米，水分14%"),
    "M2": ("maize", "sell", "22", "长春", "吉林黄玉米 大量供应", "二等玉米"),
    "M3": ("maize", "buy", "37", "潍坊", "求购玉米 长期收购", "饲料厂收购玉米"),
    "M4": ("maize", "sell", "23", "", "Yellow corn, dried", "Clean dry corn from the northeast"),
    "M5": ("maize", "sell", "41", "南阳", "优质棒子 农家自产", ""),
    "A1": ("apple", "sell", "37", "烟台市栖霞", "烟台红富士苹果", "脆甜多汁 一级果"),
    "A2": ("apple", "sell", "61", "洛川", "陕西洛川苹果 特级", ""),
    "A3": ("apple", "sell", "65", "阿克苏", "Aksu apples, premium", "Sweet apples from Xinjiang"),
    "A4": ("apple", "buy", "44", "", "收购苹果 要大果", ""),
    "A5": ("apple", "sell", "37", "", "有機蘋果 山東", "有機種植"),
    "SP1": ("sweet-potato", "sell", "41", "", "红薯 出售 红心", ""),
    "SP2": ("sweet-potato", "sell", "37", "", "新鲜地瓜 烟薯25", ""),
    "SP3": ("sweet-potato", "buy", "51", "", "Wanted: sweet potatoes", "For starch."),
    "P1": ("potato", "sell", "15", "", "内蒙古土豆 马铃薯大量供应", ""),
    "P2": ("potato", "sell", "53", "", "云南洋芋 新货", ""),
    "P3": ("potato", "sell", "62", "定西", "Potatoes from Dingxi", ""),
    "R1": ("rice", "sell", "23", "五常", "五常大米 稻花香", "正宗五常"),
    "R2": ("rice", "sell", "43", "", "湖南籼米", ""),
    "W1": ("wheat", "sell", "41", "", "河南小麦 优质", ""),
    "W2": ("wheat", "buy", "13", "", "求购小麦 面粉厂", ""),
    "SB1": ("soybean", "sell", "23", "", "东北大豆 黄豆 非转基因", ""),
    "SB2": ("soybean", "buy", "37", "", "Soybeans wanted", ""),
    "PN1": ("peanut", "sell", "41", "", "花生米 新货", ""),
    "PN2": ("peanut", "sell", "37", "", "Shandong peanuts", ""),
    "O1": ("orange", "sell", "36", "赣州", "赣南脐橙 产地直供", ""),
    "O2": ("orange", "sell", "44", "", "Navel oranges", ""),
    "PE1": ("pear", "sell", "65", "库尔勒", "库尔勒香梨", ""),
    "PE2": ("pear", "sell", "13", "", "河北雪梨", ""),
    "T1": ("tomato", "sell", "37", "寿光", "寿光西红柿", ""),
    "T2": ("tomato", "sell", "53", "", "Tomatoes, greenhouse", ""),
    "SC1": ("scallion", "sell", "37", "章丘", "章丘大葱", ""),
    "CH1": ("chili-pepper", "sell", "52", "", "贵州辣椒 干辣椒", ""),
    "CH2": ("chili-pepper", "sell", "51", "", "四川海椒", ""),
    "G1": ("garlic", "sell", "37", "金乡", "金乡大蒜", ""),
    "GR1": ("grape", "sell", "65", "吐鲁番", "吐鲁番葡萄", ""),
    "K1": ("kiwifruit", "sell", "61", "周至", "周至猕猴桃", ""),
    "L1": ("lychee", "sell", "44", "", "荔枝 妃子笑", ""),
    "E1": ("egg", "sell", "41", "", "土鸡蛋 农家散养", ""),
    "PG1": ("pig", "sell", "41", "", "生猪出售 三元猪", ""),
    "TEA1": ("tea-leaf", "sell", "33", "", "西湖龙井 茶叶", ""),
    "J1": ("jujube", "sell", "65", "", "新疆红枣 特级", ""),
    "WM1": ("watermelon", "sell", "41", "开封", "开封西瓜", ""),
    "CB1": ("chinese-cabbage", "sell", "13", "", "大白菜 批发", ""),
    "C1": ("cabbage", "sell", "53", "", "包菜 圆白菜", ""),
    "MK1": ("milk", "sell", "15", "", "Fresh milk daily", ""),
    "HN1": ("honey", "sell", "42", "", "野生蜂蜜", ""),
    "ST1": ("strawberry", "sell", "21", "丹东", "丹东草莓", ""),
    "MG1": ("mango", "sell", "46", "", "海南芒果", ""),
    "MU1": ("mushroom-shiitake", "sell", "42", "随州", "随州香菇 干货", ""),
    "CO1": ("cotton", "sell", "65", "", "新疆棉花 籽棉", ""),
}


@dataclass(frozen=True)
class Row:
    q: str
    first: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    present: tuple[str, ...] = ()


def row(q: str, first: str = "", absent: str = "", present: str = "") -> Row:
    return Row(q, tuple(first.split()), tuple(absent.split()), tuple(present.split()))


MAIZE_TITLED = "M1 M2 M3"
APPLE_TITLED = "A1 A2 A3 A4"
TABLE = [
    # Maize: place + commodity with and without spaces, in any order, pinyin, dialect names, English.
    row("河南玉米", "M1", "M2 M3 M4 A1"),
    row("河南 玉米", "M1", "M2 M4"),
    row("玉米河南", "M1", "M2 M4"),
    row("玉米 河南省", "M1", "M2 M4"),
    row("新鲜玉米", "M1", "A1 SP2"),
    row("玉米", MAIZE_TITLED, "A1 R1"),
    row("棒子", "M5", "A1"),
    row("玉茭", MAIZE_TITLED, "A1"),
    row("苞米", MAIZE_TITLED, "A1"),
    row("包谷", MAIZE_TITLED, "A1"),
    row("yumi", MAIZE_TITLED, "A1 R1"),
    row("yu mi", MAIZE_TITLED, "A1"),
    row("YUMI", MAIZE_TITLED, "A1"),
    row("corn", "M1 M2 M3 M4", "A1"),
    row("ＣＯＲＮ", "M1 M2 M3 M4", "A1"),
    row("maize", MAIZE_TITLED, "A1"),
    row("maiz", MAIZE_TITLED, "A1"),
    row("corn henan", "M1", "M2 M4"),
    row("henanyumi", "M1", "M2 M4"),
    row("收购玉米", "M3", "M1 M2 M4 M5"),
    row("玉米收购", "M3", "M1 M2"),
    row("求购玉米", "M3", "M1"),
    row("出售玉米", "M1", "M3"),
    row("玉米 出售", "M1", "M3"),
    row("供应玉米", "M2", "M3"),
    row("卖玉米", "M1 M2", "M3"),
    row("吉林玉米", "M2", "M1 M3"),
    row("吉林 玉米 二等", "M2", "M1"),
    row("dry corn", "M4", "A1"),
    row("Yellow corn", "M4", "M1"),
    row("玉米 yellow", "M4", "M1"),
    row("corn wanted", "M3", "M1 M4"),
    row("maize for sale", "M1 M2", "M3"),
    row("玉米 黑龙江", "M4", "M1"),
    row("heilongjiang corn", "M4", "M1"),
    row("玉米corn", "M1 M2 M3 M4", "A1"),
    # Apples: cities, Traditional, pinyin, grades, varieties, kinds.
    row("烟台苹果", "A1", "A2 A3"),
    row("烟台 苹果", "A1", "A2"),
    row("煙台蘋果", "A1", "A2"),
    row("yantai pingguo", "A1", "A2"),
    row("apples yantai", "A1", "A2"),
    row("Apple 烟台", "A1", "A2"),
    row("苹果", APPLE_TITLED, "M1"),
    row("蘋果", APPLE_TITLED, "M1"),
    row("pingguo", APPLE_TITLED, "M1"),
    row("apple", APPLE_TITLED, "M1"),
    row("apples", APPLE_TITLED, "M1"),
    row("APPLES", APPLE_TITLED, "M1"),
    row("aples", APPLE_TITLED, "M1"),
    row("appel", APPLE_TITLED, "M1"),
    row("appl", APPLE_TITLED, "M1"),
    row("苹果apple", APPLE_TITLED, "M1"),
    row("红富士", "A1", "A2 A3"),
    row("红富士苹果", "A1", "A2"),
    row("hongfushi", "A1", "A2"),
    row("洛川苹果", "A2", "A1"),
    row("陕西苹果", "A2", "A1"),
    row("shaanxi apples", "A2", "A1"),
    row("苹果 特级", "A2", "M1"),
    row("特级苹果", "A2", "M1"),
    row("有机苹果", "A5", "M1"),
    row("有機蘋果", "A5", "M1"),
    row("organic apples", "A5", "M1"),
    row("收购苹果", "A4", "A1 A2 A3 A5"),
    row("苹果 求购", "A4", "A1"),
    row("apples wanted", "A4", "A1"),
    row("新疆苹果", "A3", "A1"),
    row("阿克苏苹果", "A3", "A1"),
    row("aksu apples", "A3", "A1"),
    row("premium apples", "A3", "M1"),
    row("山东苹果", "A1", "A2 A3", present="A5"),
    row("apple shandong", "A1 A5", "A2 A3"),
    # Sweet potatoes and potatoes: dialect names, plurals, typos; never confused with each other.
    row("红薯", "SP1 SP3", "P1 P2 P3"),
    row("地瓜", "SP2", "P1"),
    row("甘薯", "SP1 SP3", "P1"),
    row("番薯", "SP1 SP3", "P1"),
    row("红苕", "SP1 SP3", "P1"),
    row("红芋", "SP1 SP3", "P1"),
    row("sweet potato", "SP1 SP3", "P1 P3"),
    row("sweet potatoes", "SP1 SP3", "P1 P3"),
    row("sweet potatos", "SP1 SP3", "P1 P3"),
    row("hongshu", "SP1 SP3", "P1"),
    row("地瓜 山东", "SP2", "SP1"),
    row("烟薯", "SP2", "SP1"),
    row("收购红薯", "SP3", "SP1 SP2"),
    row("sweet potato wanted", "SP3", "SP1"),
    row("土豆", "P1 P3", "SP1 SP2 SP3"),
    row("马铃薯", "P1 P3", "SP1"),
    row("洋芋", "P2", "SP1"),
    row("地蛋", "P1 P3", "SP1"),
    row("potato", "P1 P3", "SP1 SP3"),
    row("potatoes", "P1 P3", "SP1 SP3"),
    row("potatos", "P1 P3", "SP1 SP3"),
    row("POTATOES", "P1 P3", "SP1"),
    row("tudou", "P1 P3", "SP1"),
    row("内蒙古土豆", "P1", "P2 P3"),
    row("inner mongolia potatoes", "P1", "P2 P3"),
    row("云南洋芋", "P2", "P1"),
    row("定西土豆", "P3", "P1"),
    row("土豆 新货", "P2", "SP1"),
    # Grains and oilseeds.
    row("五常大米", "R1", "R2"),
    row("五常 大米", "R1", "R2"),
    row("大米", "R1", "M1 SB1"),
    row("rice", "R1", "M1"),
    row("米", "R1 R2", "M1 PN1"),
    row("稻花香", "R1", "R2"),
    row("湖南大米", "R2", "R1"),
    row("正宗大米", "R1", "M1"),
    row("小麦", "W1 W2", "M1"),
    row("河南小麦", "W1", "W2"),
    row("麦子", "W1 W2", "M1"),
    row("wheat", "W1 W2", "M1"),
    row("wheet", "W1 W2", "M1"),
    row("whaet", "W1 W2", "M1"),
    row("xiaomai", "W1 W2", "M1"),
    row("求购小麦", "W2", "W1"),
    row("面粉厂", "W2", "W1"),
    row("小麦 优质", "W1", "M1"),
    row("大豆", "SB1 SB2", "M1"),
    row("黄豆", "SB1", "M1"),
    row("soybeans", "SB1 SB2", "M1"),
    row("soybaen", "SB1 SB2", "M1"),
    row("dadou", "SB1 SB2", "M1"),
    row("东北大豆", "SB1", "SB2"),
    row("非转基因大豆", "SB1", "SB2"),
    row("soybeans wanted", "SB2", "SB1"),
    row("花生", "PN1 PN2", "R1"),
    row("花生米", "PN1", "R1 R2"),
    row("peanuts", "PN1 PN2", "R1"),
    row("peanutt", "PN1 PN2", "R1"),
    row("peanut shandong", "PN2", "PN1"),
    row("山东花生", "PN2", "PN1"),
    row("huasheng", "PN1 PN2", "R1"),
    # Fruit and vegetables named after where they grow.
    row("赣南脐橙", "O1", "O2"),
    row("赣州脐橙", "O1", "O2"),
    row("江西橙子", "O1", "O2"),
    row("脐橙", "O1 O2", "A1"),
    row("navel oranges", "O2", "O1"),
    row("oranges", "O1 O2", "A1"),
    row("库尔勒香梨", "PE1", "PE2"),
    row("香梨", "PE1", "A1"),
    row("雪梨", "PE2", "A1"),
    row("梨", "PE1 PE2", "A1"),
    row("pears", "PE1 PE2", "A1"),
    row("新疆梨", "PE1", "PE2"),
    row("河北梨", "PE2", "PE1"),
    row("寿光西红柿", "T1", "T2"),
    row("西红柿", "T1", "A1"),
    row("洋柿子", "T2", "A1", present="T1"),
    row("tomatoes", "T2", "A1", present="T1"),
    row("tomatos", "T2", "A1"),
    row("tomatoe", "T2", "A1"),
    row("寿光 tomatoes", "T1", "T2"),
    row("shouguang tomatoes", "T1", "T2"),
    row("山东番茄", "T1", "T2"),
    row("章丘大葱", "SC1", "G1"),
    row("大葱", "SC1", "G1"),
    row("scallions", "SC1", "G1"),
    row("green onion", "SC1", "G1"),
    row("辣椒", "CH1", "G1", present="CH2"),
    row("海椒", "CH2", "A1", present="CH1"),
    row("辣子", "CH1", "A1", present="CH2"),
    row("干辣椒", "CH1", "G1"),
    row("贵州辣椒", "CH1", "CH2"),
    row("四川辣椒", "CH2", "CH1"),
    row("chilli", "CH1", "G1"),
    row("chili peppers", "CH1", "G1"),
    row("金乡大蒜", "G1", "SC1"),
    row("大蒜", "G1", "SC1"),
    row("蒜头", "G1", "SC1"),
    row("garlic", "G1", "SC1"),
    row("garlik", "G1", "SC1"),
    row("吐鲁番葡萄", "GR1", "A3"),
    row("葡萄", "GR1", "A1"),
    row("grapes", "GR1", "A1"),
    row("putao", "GR1", "A1"),
    row("新疆葡萄", "GR1", "J1"),
    row("猕猴桃", "K1", "A2"),
    row("奇异果", "K1", "A2"),
    row("kiwi", "K1", "A2"),
    row("周至猕猴桃", "K1", "A2"),
    row("陕西猕猴桃", "K1", "A2"),
    row("荔枝", "L1", "MG1"),
    row("lychee", "L1", "MG1"),
    row("litchi", "L1", "MG1"),
    row("妃子笑", "L1", "MG1"),
    row("广东荔枝", "L1", "MG1"),
    row("开封西瓜", "WM1", "A1"),
    row("西瓜", "WM1", "A1"),
    row("watermelons", "WM1", "A1"),
    row("xigua", "WM1", "A1"),
    row("大白菜", "CB1", "C1"),
    row("白菜", "CB1", "C1"),
    row("包菜", "C1", "CB1"),
    row("圆白菜", "C1", "CB1"),
    row("莲花白", "C1", "CB1"),
    row("cabbage", "C1", "CB1"),
    row("chinese cabbage", "CB1", "C1"),
    row("napa cabbage", "CB1", "C1"),
    row("丹东草莓", "ST1", "A1"),
    row("草莓", "ST1", "A1"),
    row("strawberries", "ST1", "A1"),
    row("strawbery", "ST1", "A1"),
    row("海南芒果", "MG1", "L1"),
    row("mangoes", "MG1", "L1"),
    row("mangos", "MG1", "L1"),
    row("随州香菇", "MU1", "A1"),
    row("冬菇", "MU1", "A1"),
    row("shiitake", "MU1", "A1"),
    row("干香菇", "MU1", "A1"),
    # Other produce, adjectives, animals.
    row("鸡蛋", "E1", "PG1"),
    row("土鸡蛋", "E1", "PG1"),
    row("eggs", "E1", "PG1"),
    row("生猪", "PG1", "E1"),
    row("live pigs", "PG1", "E1"),
    row("hog", "PG1", "E1"),
    row("茶叶", "TEA1", "M1"),
    row("龙井", "TEA1", "M1"),
    row("西湖龙井", "TEA1", "M1"),
    row("tea", "TEA1", "M1"),
    row("浙江茶叶", "TEA1", "M1"),
    row("红枣", "J1", "GR1"),
    row("大枣", "J1", "GR1"),
    row("新疆红枣", "J1", "GR1"),
    row("特级红枣", "J1", "GR1"),
    row("red dates", "J1", "GR1"),
    row("jujubes", "J1", "GR1"),
    row("蜂蜜", "HN1", "A1"),
    row("野生蜂蜜", "HN1", "A1"),
    row("honey", "HN1", "A1"),
    row("honney", "HN1", "A1"),
    row("棉花", "CO1", "A3"),
    row("新疆棉花", "CO1", "A3"),
    row("cottn", "CO1", "A3"),
    row("牛奶", "MK1", "E1"),
    row("fresh milk", "MK1", "E1"),
    # Places, kinds and adjectives on their own; words the market does not have.
    row("烟台", "A1", "A2 M1"),
    row("寿光", "T1", "M1 A2", present="A1 G1"),
    row("五常", "R1", "R2 M1"),
    row("新疆", "", "A1 M1", present="A3 PE1 GR1 J1 CO1"),
    row("xinjiang", "", "A1 M1", present="A3 PE1 GR1 J1 CO1"),
    row("求购", "", "M1 A1 SP1", present="M3 A4 SP3 W2 SB2"),
    row("wanted", "", "M1 A1", present="M3 A4 SP3 W2 SB2"),
    row("出售", "M1 SP1 PG1", "M3 A4 SP3 W2 SB2", present="A1 T1"),
    row("有机", "A5", "M1 A1"),
    row("organic", "", "M1 A1 A5"),
    row("拖拉机", "", "M1 A1 R1"),
    row("玉米 拖拉机", "", "M1 M2 M3 M4 M5"),
    row("iphone", "", "M1 A1"),
]


@pytest.fixture
def market(app, db):
    """The fixed market, newest posting last (so ties fall to the later rows of CORPUS)."""
    app.config["POSTINGS_PER_PAGE"] = 100
    owner = make_member(display_name="Relevance Farmer")
    buyer = make_member(display_name="Relevance Buyer")
    for commodity, kind, province, locality, title, description in CORPUS.values():
        make_posting(
            buyer if kind == "buy" else owner,
            commodity,
            kind=kind,
            province_code=province,
            locality=locality,
            title=title,
            description=description,
        )
    return {title: key for key, (_, _, _, _, title, _) in CORPUS.items()}


def test_the_table_is_large_enough_and_well_formed():
    assert len(TABLE) >= 150
    assert len({r.q for r in TABLE}) == len(TABLE), "a query is in the table twice"
    for r in TABLE:
        assert set(r.first) | set(r.absent) | set(r.present) <= set(CORPUS), r.q
        assert not set(r.first) & set(r.absent) and not set(r.present) & set(r.absent), r.q


def test_relevance_table(client, market):
    failures = []
    for r in TABLE:
        response = client.get("/market", query_string={"q": r.q})
        if response.status_code != 200:
            failures.append(f"{r.q!r}: status {response.status_code}")
            continue
        found = [market.get(title, title) for title in titles(response)]
        problems = []
        if set(found[: len(r.first)]) != set(r.first):
            problems.append(f"first {sorted(r.first)}")
        if set(found) & set(r.absent):
            problems.append(f"must not list {sorted(set(found) & set(r.absent))}")
        if not set(r.present) <= set(found):
            problems.append(f"must list {sorted(set(r.present) - set(found))}")
        if problems:
            failures.append(f"{r.q!r}: {'; '.join(problems)}; got {found}")
    assert not failures, f"{len(failures)} of {len(TABLE)} rows fail:\n" + "\n".join(failures)
