"""Distinct, realistic market searches for the search benchmark (issue 16, point 4).

    .venv/bin/python bench/search_workload.py --out DIR [--distinct 4000] [--mixed 4000] [--seed 16]

Writes two files of URL paths (one a line, ``/market?...``) built from the catalogue
(app/catalogue/data/*.csv: names, English names and plurals, aliases, pinyin of the Chinese names)
and the regions (provinces with and without 省/市, and some well-known producing cities and
counties), the way buyers type them:

* ``distinct.txt`` — ``--distinct`` different searches, in random order: single words, place +
  commodity with and without a space, adjectives (新鲜, 优质 …), kind words (求购, 出售 …), free
  words of sellers' texts, and no words at all; about half with one or more filters (kind,
  province, commodity, category, price range, minimum quantity, verified sellers), a fifth with a
  sort, pages 1–5 (mostly 1). Replayed with the result caches off, every request is a search the
  database answers.
* ``mixed.txt`` — ``--mixed`` requests as real traffic sends them: half drawn from the 200 most
  popular searches (a Zipf-like law: the first is asked most), half from the long tail of distinct
  ones. With the caches on this shows what they gain on traffic that repeats a little.

Only the standard library, pypinyin and the CSVs are used: no database, no app.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path
from urllib.parse import urlencode

from pypinyin import lazy_pinyin

DATA = Path(__file__).resolve().parent.parent / "app" / "catalogue" / "data"

ADJECTIVES_ZH = ["新鲜", "优质", "有机", "一级", "特级", "绿色", "精品", "新", "散装", "农家"]
ADJECTIVES_EN = ["fresh", "organic", "premium", "grade a", "new crop", "bulk"]
KIND_WORDS_ZH = ["出售", "供应", "收购", "求购", "批发", "大量供应", "长期收购", "急求"]
KIND_WORDS_EN = ["for sale", "wanted", "buying", "supply"]
FREE_WORDS = [
    "合作社",
    "产地直供",
    "检测报告",
    "可开发票",
    "代办物流",
    "自家种植",
    "量大从优",
    "现款",
    "cooperative",
    "direct from the farm",
    "invoice",
    "logistics",
    "new crop",
    "farm",
    "quality",
]
# Producing places buyers name instead of their province (city or county, its province's code).
PLACES = [
    ("烟台", "37"),
    ("寿光", "37"),
    ("赣南", "36"),
    ("五常", "23"),
    ("库尔勒", "65"),
    ("阿克苏", "65"),
    ("洛川", "61"),
    ("静宁", "62"),
    ("吐鲁番", "65"),
    ("眉山", "51"),
    ("砀山", "34"),
    ("章丘", "37"),
    ("盘锦", "21"),
    ("宁夏中宁", "64"),
    ("赤峰", "15"),
    ("周口", "41"),
    ("德州", "37"),
    ("绥化", "23"),
]
SORTS = ["newest", "price_asc", "price_desc", "quantity_desc", "relevance"]


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def commodity_words(row: dict[str, str]) -> tuple[list[str], list[str]]:
    """(Chinese words, Latin words) a buyer may type for one commodity."""
    zh = [row["name_zh"], *filter(None, row["aliases_zh"].split("|"))]
    en_name = row["name_en"].lower()
    en = [en_name, *filter(None, row["aliases_en"].lower().split("|"))]
    if not en_name.endswith("s"):
        en.append(en_name + "s")  # plural, as typed
    en.append("".join(lazy_pinyin(row["name_zh"])))  # pinyin on a phone keyboard: yumi
    return zh, en


def province_words(row: dict[str, str]) -> tuple[list[str], list[str]]:
    name = row["name_zh"]
    short = name
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"):
        if short.endswith(suffix):
            short = short[: -len(suffix)]
            break
    return [short, name], [row["name_en"].lower()]


def random_query(rng: random.Random, commodities, provinces) -> str:
    """What one buyer types in the search box (may be empty: filters only)."""
    commodity = rng.choice(commodities)
    zh, en = commodity_words(commodity)
    province = rng.choice(provinces)
    place_zh, place_en = province_words(province)
    place = rng.choice(place_zh + [p for p, _ in PLACES])
    form = rng.random()
    if form < 0.22:  # a single word, any language
        return rng.choice(zh + en)
    if form < 0.42:  # place + commodity, with and without a space
        if rng.random() < 0.3:
            return f"{rng.choice(place_en)} {rng.choice(en)}"
        return place + (" " if rng.random() < 0.4 else "") + rng.choice(zh)
    if form < 0.56:  # adjective + commodity
        if rng.random() < 0.3:
            return f"{rng.choice(ADJECTIVES_EN)} {rng.choice(en)}"
        return rng.choice(ADJECTIVES_ZH) + rng.choice(zh)
    if form < 0.68:  # a kind word with a commodity, either side
        word, name = rng.choice(KIND_WORDS_ZH), rng.choice(zh)
        if rng.random() < 0.25:
            return f"{rng.choice(en)} {rng.choice(KIND_WORDS_EN)}"
        return word + name if rng.random() < 0.5 else name + word
    if form < 0.78:  # place + adjective + commodity
        return place + rng.choice(ADJECTIVES_ZH) + rng.choice(zh)
    if form < 0.88:  # free words of sellers' texts, sometimes with a commodity
        word = rng.choice(FREE_WORDS)
        return word if rng.random() < 0.5 else f"{rng.choice(zh)} {word}"
    return ""  # filters only


def random_filters(rng: random.Random, commodities, categories, provinces, has_query: bool) -> dict[str, str]:
    args: dict[str, str] = {}
    if rng.random() < (0.45 if has_query else 1.0):
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            kind = rng.random()
            if kind < 0.2:
                args["kind"] = rng.choice(("sell", "buy"))
            elif kind < 0.4:
                args["province"] = rng.choice(provinces)["code"]
            elif kind < 0.55:
                args["commodity"] = rng.choice(commodities)["slug"]
            elif kind < 0.65:
                args["category"] = rng.choice(categories)["slug"]
            elif kind < 0.82:
                low = rng.choice((0.5, 1, 2, 3, 5, 8, 10, 20))
                if rng.random() < 0.6:
                    args["min_price"] = f"{low:g}"
                if rng.random() < 0.7:
                    args["max_price"] = f"{low * rng.choice((2, 3, 5, 10)):g}"
            elif kind < 0.9:
                args["min_quantity"] = str(rng.choice((100, 500, 1000, 5000, 20000)))
            else:
                args["verified"] = "1"
    if rng.random() < 0.2:
        args["sort"] = rng.choice(SORTS)
    page = rng.choices((1, 2, 3, 4, 5), weights=(60, 18, 10, 7, 5))[0]
    if page > 1:
        args["page"] = str(page)
    return args


def market_path(q: str, args: dict[str, str]) -> str:
    query = {"q": q, **args} if q else args
    return "/market" + ("?" + urlencode(query) if query else "")


def distinct_searches(count: int, seed: int) -> list[str]:
    """``count`` different market paths, in a random order."""
    rng = random.Random(seed)
    commodities, categories = read_csv("commodities.csv"), read_csv("categories.csv")
    provinces = read_csv("regions-cn.csv")
    seen: dict[str, None] = {}
    while len(seen) < count:
        q = random_query(rng, commodities, provinces)
        seen.setdefault(market_path(q, random_filters(rng, commodities, categories, provinces, bool(q))))
    return list(seen)


def mixed_traffic(distinct: list[str], count: int, seed: int, popular: int = 200) -> list[str]:
    """``count`` requests: half from the ``popular`` first searches with a Zipf-like law, half from
    the rest (a long tail that rarely repeats)."""
    rng = random.Random(seed + 1)
    # A short list (a quick run with --distinct 100) still gets a head and a tail to draw from.
    popular = max(1, min(popular, len(distinct) // 2))
    head, tail = distinct[:popular], distinct[popular:] or distinct
    weights = [1 / rank for rank in range(1, len(head) + 1)]
    return [rng.choices(head, weights)[0] if rng.random() < 0.5 else rng.choice(tail) for _ in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="directory for distinct.txt and mixed.txt")
    parser.add_argument("--distinct", type=int, default=4000)
    parser.add_argument("--mixed", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    distinct = distinct_searches(args.distinct, args.seed)
    (out / "distinct.txt").write_text("\n".join(distinct) + "\n", encoding="utf-8")
    mixed = mixed_traffic(distinct, args.mixed, args.seed)
    (out / "mixed.txt").write_text("\n".join(mixed) + "\n", encoding="utf-8")
    print(f"{len(distinct)} distinct searches, {len(mixed)} mixed requests ({len(set(mixed))} different) in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
