"""Catalogue loading and look-ups (commodities by any of their names, units, regions)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.catalogue import signals
from app.catalogue.models import Category, Commodity, CommodityAlias, Region, Unit
from app.extensions import db
from sms.vocabulary import fold_for_matching

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
    return fold_for_matching(text).strip()


def folded_names(commodity: Commodity) -> set[str]:
    """The commodity's slug, names and aliases, folded for comparison with what a person typed."""
    return {fold(n) for n in (commodity.slug, *commodity.all_names())}


def find_commodity(name: str) -> Commodity | None:
    """The commodity whose slug, English or Chinese name or alias equals ``name`` (case/width folded)."""
    wanted = fold(name)
    if not wanted:
        return None
    for commodity in all_commodities():
        if wanted in folded_names(commodity):
            return commodity
    return None


def all_commodities() -> list[Commodity]:
    return list(
        db.session.scalars(
            select(Commodity)
            .options(selectinload(Commodity.aliases))
            .order_by(Commodity.category_id, Commodity.name_en)
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


# --- Admin edits -----------------------------------------------------------------------------------

ALIAS_LANGUAGES = ("en", "zh")


class CatalogueError(ValueError):
    """An admin edit of the catalogue was refused. ``field`` names the form field the message belongs to."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def get_commodity(commodity_id: int) -> Commodity | None:
    """The commodity with its category and aliases loaded, or None."""
    return db.session.scalar(
        select(Commodity)
        .where(Commodity.id == commodity_id)
        .options(selectinload(Commodity.aliases), selectinload(Commodity.category))
    )


def _claimed_by_other(name: str, commodity: Commodity | None) -> Commodity | None:
    """Another commodity that already answers to ``name`` (slug, official name or alias), if any.

    A name that points at two commodities would make search and find_commodity ambiguous, so the
    admin is told which commodity already uses it.
    """
    wanted = fold(name)
    for other in all_commodities():
        if other is commodity:
            continue
        if wanted in folded_names(other):
            return other
    return None


def _check_name_free(field: str, name: str, commodity: Commodity | None) -> None:
    other = _claimed_by_other(name, commodity)
    if other is not None:
        raise CatalogueError(
            field,
            _l("“%(name)s” is already used by %(en)s / %(zh)s.", name=name, en=other.name_en, zh=other.name_zh),
        )


def _reindex_postings(commodity: Commodity) -> None:
    # Commodity names and aliases are part of every posting's search text and of the words search
    # understands: postings re-index in the same transaction, search forgets its vocabulary.
    db.session.flush()
    signals.commodity_names_changed.send(signals.SENDER, commodity_id=commodity.id)


def create_commodity(
    *,
    slug: str,
    name_en: str,
    name_zh: str,
    category_id: int,
    default_unit_code: str,
    aliases_en: Iterable[str] = (),
    aliases_zh: Iterable[str] = (),
) -> Commodity:
    """Add a commodity with its aliases. Returns it (flushed, not committed).

    Raises CatalogueError when the slug is taken, a name or alias already belongs to another
    commodity, an alias repeats one of the commodity's names, or the category or unit do not exist.
    """
    if db.session.scalar(select(Commodity.id).where(Commodity.slug == slug)) is not None:
        raise CatalogueError("slug", _l("This slug is already taken."))
    category = db.session.get(Category, category_id)
    if category is None:
        raise CatalogueError("category_id", _l("Choose a category."))
    if db.session.get(Unit, default_unit_code) is None:
        raise CatalogueError("default_unit_code", _l("Choose a unit."))
    _check_name_free("slug", slug, None)
    _check_name_free("name_en", name_en, None)
    _check_name_free("name_zh", name_zh, None)

    seen = {fold(slug), fold(name_en), fold(name_zh)}
    aliases: list[CommodityAlias] = []
    for field, language, texts in (("aliases_en", "en", aliases_en), ("aliases_zh", "zh", aliases_zh)):
        for text in texts:
            if fold(text) in seen:
                raise CatalogueError(field, _l("“%(name)s” is listed twice.", name=text))
            _check_name_free(field, text, None)
            seen.add(fold(text))
            aliases.append(CommodityAlias(text=text, language=language))
    # Built only after every check: a half-built object in the session would be autoflushed by the
    # look-ups above.
    commodity = Commodity(
        slug=slug,
        name_en=name_en,
        name_zh=name_zh,
        category_id=category.id,
        default_unit_code=default_unit_code,
        aliases=aliases,
    )
    db.session.add(commodity)
    _flush_or_refuse("slug", _l("This slug is already taken."))
    signals.commodity_names_changed.send(signals.SENDER, commodity_id=commodity.id)
    return commodity


def rename_commodity(commodity: Commodity, *, name_en: str, name_zh: str) -> bool:
    """Change the commodity's official names and re-index its postings. Returns whether anything changed.

    Raises CatalogueError when a new name already belongs to another commodity.
    """
    if (commodity.name_en, commodity.name_zh) == (name_en, name_zh):
        return False
    _check_name_free("name_en", name_en, commodity)
    _check_name_free("name_zh", name_zh, commodity)
    commodity.name_en = name_en
    commodity.name_zh = name_zh
    _reindex_postings(commodity)
    return True


def add_alias(commodity: Commodity, text: str, language: str) -> CommodityAlias:
    """Add one alias (``language`` "en" or "zh") and re-index the commodity's postings. Returns the alias.

    Raises CatalogueError when the commodity already answers to ``text`` or another commodity does.
    """
    text = (text or "").strip()
    if not text or len(text) > 80:
        raise CatalogueError("text", _l("Enter an alias of at most 80 characters."))
    if language not in ALIAS_LANGUAGES:
        raise CatalogueError("language", _l("Choose English or Chinese."))
    if fold(text) in folded_names(commodity):
        raise CatalogueError("text", _l("This commodity already has that name or alias."))
    _check_name_free("text", text, commodity)
    alias = CommodityAlias(text=text, language=language)
    commodity.aliases.append(alias)
    _flush_or_refuse("text", _l("This commodity already has that name or alias."))
    _reindex_postings(commodity)
    return alias


def remove_alias(commodity: Commodity, alias_id: int) -> CommodityAlias | None:
    """Remove one of the commodity's aliases and re-index its postings.

    Returns the removed alias, or None when the commodity has no alias with that id.
    """
    alias = next((a for a in commodity.aliases if a.id == alias_id), None)
    if alias is None:
        return None
    commodity.aliases.remove(alias)
    _reindex_postings(commodity)
    return alias


def _flush_or_refuse(field: str, message) -> None:
    """Flush; a unique constraint hit by a concurrent admin becomes a form error, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise CatalogueError(field, message) from error


def categories_for_admin() -> list[Category]:
    """Every category with its commodities and their aliases loaded (the admin list page)."""
    return list(
        db.session.scalars(
            select(Category)
            .options(selectinload(Category.commodities).selectinload(Commodity.aliases))
            .order_by(Category.position)
        )
    )
