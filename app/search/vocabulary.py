"""The query vocabulary (app/search/understanding.py) of the running app, built from its database:
the catalogue's commodities with the aliases admins added, the reference aliases of
app/catalogue/data/commodities.csv, the regions and the shipped places.

Built once per process and kept for MARKET_CATALOGUE_SECONDS (as the market's own catalogue
snapshot); :func:`forget_query_vocabulary` drops it at once in the process that changed the
catalogue, so an alias an admin adds is understood by the next search there."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.caching.local import app_cache
from app.catalogue.models import Commodity, Region
from app.extensions import db
from app.search.understanding import CommodityRow, QueryVocabulary, Understanding
from sms.vocabulary import csv_commodity_names

_CACHE = "search_query_vocabulary"


def query_vocabulary() -> QueryVocabulary:
    """The vocabulary for the current catalogue (cached; see the module docstring)."""
    cache = app_cache(_CACHE, max_entries=1, max_age=current_app.config["MARKET_CATALOGUE_SECONDS"])
    return cache.get_or_compute("vocabulary", None, _build)


def understand(query: str | None) -> Understanding:
    """``query`` read with the current catalogue's vocabulary."""
    return query_vocabulary().understand(query or "")


def forget_query_vocabulary() -> None:
    """Drop this process's vocabulary (after a catalogue change), so the next search rebuilds it."""
    current_app.extensions.pop(_CACHE, None)


def _build() -> QueryVocabulary:
    commodities = db.session.scalars(select(Commodity).options(selectinload(Commodity.aliases))).all()
    reference = dict(csv_commodity_names())
    rows = [
        CommodityRow(
            c.slug,
            c.id,
            c.name_en,
            c.name_zh,
            tuple(dict.fromkeys(n for n in (*c.all_names(), *reference.get(c.slug, ())) if n)),
        )
        for c in commodities
    ]
    provinces = [(r.code, r.name_en, r.name_zh) for r in db.session.scalars(select(Region).order_by(Region.code))]
    return QueryVocabulary.build(rows, provinces)
