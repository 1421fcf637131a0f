"""Catalogue loading and look-ups (commodities by any of their names, units, regions)."""
from __future__ import annotations

import csv
import unicodedata
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.catalogue.models import Category, Commodity, CommodityAlias, Region, Unit
from app.extensions import db

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_catalogue() -> dict[str, int]:
    """Insert the bundled categories, units, regions, commodities and aliases that are missing.

    Idempotent: existing rows (and admin edits to them) are left alone. Returns how many rows of each
    kind were added. Does not commit.
    """
    added = {"categories": 0, "units": 0, "regions": 0, "commodities": 0, "aliases": 0}
    categories = {c.slug: c for c in db.session.scalars(select(Category))}
    for row in _rows("categories.csv"):
        if row["slug"] not in categories:
            categories[row["slug"]] = Category(
                slug=row["slug"], name_en=row["name_en"], name_zh=row["name_zh"], position=int(row["position"])
            )
            db.session.add(categories[row["slug"]])
            added["categories"] += 1
    units = {u.code for u in db.session.scalars(select(Unit))}
    for row in _rows("units.csv"):
        if row["code"] not in units:
            weight = Decimal(row["kg_per_unit"]) if row["kg_per_unit"] else None
            db.session.add(Unit(code=row["code"], name_en=row["name_en"], name_zh=row["name_zh"], kg_per_unit=weight))
            added["units"] += 1
    regions = {r.code for r in db.session.scalars(select(Region))}
    for row in _rows("regions-cn.csv"):
        if row["code"] not in regions:
            db.session.add(Region(code=row["code"], name_en=row["name_en"], name_zh=row["name_zh"], kind=row["kind"]))
            added["regions"] += 1
    db.session.flush()
    commodities = {c.slug: c for c in db.session.scalars(select(Commodity).options(selectinload(Commodity.aliases)))}
    for row in _rows("commodities.csv"):
        commodity = commodities.get(row["slug"])
        if commodity is None:
            commodity = Commodity(
                slug=row["slug"],
                name_en=row["name_en"],
                name_zh=row["name_zh"],
                category=categories[row["category"]],
                default_unit_code=row["default_unit"],
            )
            db.session.add(commodity)
            added["commodities"] += 1
        existing = {a.text for a in commodity.aliases}
        for language, column in (("en", "aliases_en"), ("zh", "aliases_zh")):
            for text in filter(None, (row[column] or "").split("|")):
                if text not in existing:
                    commodity.aliases.append(CommodityAlias(text=text, language=language))
                    existing.add(text)
                    added["aliases"] += 1
    db.session.flush()
    return added


def fold(text: str) -> str:
    """Case- and width-insensitive form of a name: full-width letters and digits become ASCII."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def find_commodity(name: str) -> Commodity | None:
    """The commodity whose slug, English or Chinese name or alias equals ``name`` (case/width folded)."""
    wanted = fold(name)
    if not wanted:
        return None
    for commodity in all_commodities():
        if wanted in {fold(n) for n in (commodity.slug, *commodity.all_names())}:
            return commodity
    return None


def all_commodities() -> list[Commodity]:
    return list(
        db.session.scalars(
            select(Commodity).options(selectinload(Commodity.aliases)).order_by(Commodity.category_id, Commodity.name_en)
        )
    )


def categories_with_commodities() -> list[Category]:
    return list(
        db.session.scalars(select(Category).options(selectinload(Category.commodities)).order_by(Category.position))
    )


def all_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.kg_per_unit.is_(None), Unit.kg_per_unit)))


def all_regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))
