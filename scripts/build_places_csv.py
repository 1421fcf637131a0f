"""Build app/catalogue/data/places-cn.csv: prefecture-level cities and county-level divisions of
mainland China with their province, for search's query understanding (app/search/understanding.py).

Source: the administrative division codes (adcodes) shipped in the cpca package's
``cpca/resources/adcodes.csv`` (MIT licence; the National Bureau of Statistics' division codes).
The app does not import cpca: it reads the CSV this script writes. To refresh the places::

    pip download cpca==0.5.5 --no-deps -d /tmp/cpca && unzip -o /tmp/cpca/cpca-*.whl -d /tmp/cpca
    .venv/bin/python scripts/build_places_csv.py /tmp/cpca/cpca/resources/adcodes.csv

Output columns: code (6-digit division code), name_zh (official name), short_zh (the name a buyer
types: 烟台 for 烟台市, 延边 for 延边朝鲜族自治州; empty when too short or shared by two places),
province_code, level (city, county, district or region), pinyin (of short_zh, no tones or spaces).
Rows of level "region" (赣南, 胶东 …) are the producing regions kept in EXTRA_REGIONS below: they are
not divisions, but buyers name produce after them.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

from pypinyin import lazy_pinyin

OUT = Path(__file__).resolve().parents[1] / "app" / "catalogue" / "data" / "places-cn.csv"
# Producing regions that are not administrative divisions: name, province code.
EXTRA_REGIONS = [
    ("赣南", "36"),
    ("胶东", "37"),
    ("鲁西南", "37"),
    ("苏北", "32"),
    ("豫东", "41"),
    ("豫南", "41"),
    ("冀中", "13"),
    ("陕北", "61"),
    ("关中", "61"),
    ("南疆", "65"),
    ("北疆", "65"),
    ("黔东南", "52"),
    ("湘西", "43"),
    ("粤西", "44"),
    ("桂南", "45"),
    ("闽南", "35"),
    ("川西", "51"),
    ("滇南", "53"),
]
# Everyday words and produce names that are also the short name of a county: a buyer typing them
# means the word (龙井 is the tea far more often than the city in Jilin).
COMMON_WORDS = {
    "江南",
    "东方",
    "平安",
    "吉利",
    "红旗",
    "富民",
    "和平",
    "新华",
    "长安",
    "大方",
    "永和",
    "绿园",
    "中原",
    "龙井",
}
_ETHNIC_AUTONOMY = re.compile(r"^(.{2,}?)(?:[^族]{1,4}族)+自治(?:州|县|旗)$")
_SUFFIXES = ("特别行政区", "自治州", "自治县", "地区", "林区", "新区", "市", "县", "区", "盟", "旗")


def short_name(name: str) -> str:
    """The name without its administrative suffix; "" when what is left is a single character."""
    match = _ETHNIC_AUTONOMY.match(name)
    if match:
        short = match.group(1)
    else:
        short = name
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                short = name[: -len(suffix)]
                break
    return short if len(short) >= 2 and short not in COMMON_WORDS else ""


def level_of(code: str, name: str) -> str | None:
    if code[2:] == "0000":
        return None  # provinces are in regions-cn.csv
    if code[4:] == "00":
        return "city" if not name.endswith("市辖区") else None
    return "district" if name.endswith("区") else "county"


def main(adcodes_path: str) -> None:
    rows = []
    with open(adcodes_path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            if row["adcode"][6:] != "000000" or code[:2] in {"71", "81", "82"}:
                continue  # townships; Taiwan, Hong Kong and Macao are not in the market's regions
            level = level_of(code, row["name"])
            if level is not None:
                # Districts are parts of cities (海淀区, 朝阳区): known by their full name only.
                short = short_name(row["name"]) if level != "district" else ""
                rows.append(
                    {"code": code, "name_zh": row["name"], "short_zh": short, "province_code": code[:2], "level": level}
                )
    # A short name two places share would make the search choose for the buyer; a city keeps its
    # short name over counties and districts of the same name (本溪 is the city, not 本溪满族自治县).
    counts = Counter(r["short_zh"] for r in rows if r["short_zh"])
    city_shorts = {r["short_zh"] for r in rows if r["level"] == "city"}
    for r in rows:
        if r["short_zh"] and (
            counts[r["short_zh"]] > 1
            and not (
                r["level"] == "city"
                and r["short_zh"] in city_shorts
                and sum(1 for o in rows if o["short_zh"] == r["short_zh"] and o["level"] == "city") == 1
            )
        ):
            r["short_zh"] = ""
    for name, province in EXTRA_REGIONS:
        rows.append({"code": "", "name_zh": name, "short_zh": name, "province_code": province, "level": "region"})
    for r in rows:
        r["pinyin"] = "".join(lazy_pinyin(r["short_zh"])) if r["short_zh"] else ""
    rows.sort(key=lambda r: (r["province_code"], r["code"] or "999999", r["name_zh"]))
    with open(OUT, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["code", "name_zh", "short_zh", "province_code", "level", "pinyin"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} places to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
