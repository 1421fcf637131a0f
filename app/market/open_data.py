"""The open-data price API: parameters, rows with stable field names, CSV and JSON.

``GET /api/prices?commodity=&province=&from=&to=&format=csv|json`` — see README "Open price data".
Field names below are a public contract: add new ones at the end, never rename or remove.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.catalogue.models import Commodity, Region
from app.extensions import db
from app.market.models import ReferencePrice
from app.market.prices import reference_series
from app.postings.services import local_today

FIELDS = (
    "date",
    "commodity",
    "commodity_name_en",
    "commodity_name_zh",
    "province",
    "trade_price_per_kg",
    "trade_volume_kg",
    "median_ask_per_kg",
    "median_bid_per_kg",
    "report_price_per_kg",
    "min_per_kg",
    "max_per_kg",
    "observations",
)
DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_COMMODITIES = 50
ALL_AREAS = "all"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class BadParameter(ValueError):
    """A query parameter the API cannot use; the message names it (returned as JSON with 400)."""


@dataclass(frozen=True)
class PriceQuery:
    commodities: list[Commodity] | None  # None: every commodity
    province_code: str | None  # None: national rows
    all_areas: bool
    start: date
    end: date
    format: str


def parse_query(args, today: date | None = None) -> PriceQuery:
    """Read and check the API's query parameters. Raises BadParameter with a message naming the
    parameter: unknown commodity slug or province, a malformed or reversed date range, a range
    longer than MAX_DAYS, an unknown format."""
    today = today or local_today()
    output = (args.get("format") or "json").strip().lower()
    if output not in ("json", "csv"):
        raise BadParameter("format must be json or csv")

    commodities = None
    raw_commodities = (args.get("commodity") or "").strip()
    if raw_commodities:
        slugs = [slug.strip() for slug in raw_commodities.split(",") if slug.strip()]
        if len(slugs) > MAX_COMMODITIES:
            raise BadParameter(f"commodity: at most {MAX_COMMODITIES} slugs")
        found = {c.slug: c for c in db.session.scalars(select(Commodity).where(Commodity.slug.in_(slugs)))}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise BadParameter(f"commodity: unknown slug {unknown[0][:60]!r}")
        commodities = [found[slug] for slug in dict.fromkeys(slugs)]

    province = (args.get("province") or "").strip()
    all_areas = province.lower() == ALL_AREAS
    if province and not all_areas and (len(province) != 2 or db.session.get(Region, province) is None):
        raise BadParameter(
            "province: use a two-digit GB/T 2260 code (e.g. 41), 'all', or leave it out for national prices"
        )

    end = _parse_date(args.get("to"), "to") or today
    start = _parse_date(args.get("from"), "from") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise BadParameter("from must not be after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise BadParameter(f"at most {MAX_DAYS} days per request")
    return PriceQuery(commodities, None if all_areas or not province else province, all_areas, start, end, output)


def _parse_date(raw: str | None, name: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(f"{name}: use a date like 2026-11-26") from None


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def rows_for(query: PriceQuery) -> list[dict]:
    """The reference rows the query asks for, oldest first, as dicts keyed by FIELDS (decimals as
    strings, so no precision is lost in JSON; province None for national rows)."""
    ids = [c.id for c in query.commodities] if query.commodities is not None else None
    series = reference_series(ids, query.province_code, query.start, query.end, all_areas=query.all_areas)
    commodities = {
        c.id: c for c in db.session.scalars(select(Commodity).where(Commodity.id.in_({r.commodity_id for r in series})))
    }
    return [_row(reference, commodities[reference.commodity_id]) for reference in series]


def _row(reference: ReferencePrice, commodity: Commodity) -> dict:
    return {
        "date": reference.day.isoformat(),
        "commodity": commodity.slug,
        "commodity_name_en": commodity.name_en,
        "commodity_name_zh": commodity.name_zh,
        "province": reference.province_code,
        "trade_price_per_kg": _decimal(reference.trade_price_per_kg),
        "trade_volume_kg": _decimal(reference.trade_volume_kg),
        "median_ask_per_kg": _decimal(reference.median_ask_per_kg),
        "median_bid_per_kg": _decimal(reference.median_bid_per_kg),
        "report_price_per_kg": _decimal(reference.report_price_per_kg),
        "min_per_kg": _decimal(reference.min_per_kg),
        "max_per_kg": _decimal(reference.max_per_kg),
        "observations": reference.observation_count,
    }


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text: None → "", a leading = + - @ (or tab/CR) is
    prefixed with an apostrophe so it is never run as a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(rows: list[dict]) -> str:
    """UTF-8 CSV text with a header row of FIELDS; a byte-order mark so Excel shows Chinese names."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([safe_cell(row[field]) for field in FIELDS])
    return buffer.getvalue()
