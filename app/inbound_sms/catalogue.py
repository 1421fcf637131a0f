"""The SMS parser's catalogue (sms.catalogue.Catalogue) built from the database catalogue.

Admins add aliases and commodities at run time, so the lookup tables are rebuilt when the catalogue
changes. The cache key is a fingerprint (row counts and highest ids of the four tables plus the
commodities' own names), a few small queries per message instead of loading every alias."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.catalogue.models import Commodity, CommodityAlias, Region, Unit
from app.extensions import db
from sms.catalogue import Catalogue
from sms.vocabulary import csv_commodity_names, place_names

_lock = threading.Lock()
_cache: dict[tuple, Catalogue] = {}


def _fingerprint() -> tuple:
    counts = [
        select(func.count(), func.max(Commodity.id)).select_from(Commodity),
        select(func.count(), func.max(CommodityAlias.id)).select_from(CommodityAlias),
        select(func.count(), func.max(Unit.code)).select_from(Unit),
        select(func.count(), func.max(Region.code)).select_from(Region),
    ]
    # Renaming a commodity keeps counts and ids, so its names take part too (the table is small).
    names = tuple(db.session.execute(select(Commodity.id, Commodity.name_en, Commodity.name_zh)).all())
    return (db.engine.url.render_as_string(), *(tuple(db.session.execute(q).one()) for q in counts), hash(names))


def _build() -> Catalogue:
    commodities = db.session.scalars(select(Commodity).options(selectinload(Commodity.aliases))).all()
    known = {c.slug for c in commodities}
    # The reference aliases (dialect names added since the database was seeded) join the database's own.
    reference = [(slug, names) for slug, names in csv_commodity_names() if slug in known]
    return Catalogue.build(
        commodities=[*reference, *((c.slug, [n for n in c.all_names() if n]) for c in commodities)],
        units=[(u.code, u.kg_per_unit, [u.name_en, u.name_zh]) for u in db.session.scalars(select(Unit))],
        provinces=[(r.code, [r.name_en, r.name_zh]) for r in db.session.scalars(select(Region))],
        # Cities and counties as the market's search reads them (烟台苹果 is apples from Shandong).
        places=place_names(),
    )


def sms_catalogue() -> Catalogue:
    """The parser catalogue for the current database contents (cached until the catalogue changes)."""
    key = _fingerprint()
    catalogue = _cache.get(key)
    if catalogue is None:
        catalogue = _build()
        with _lock:
            _cache.clear()
            _cache[key] = catalogue
    return catalogue
