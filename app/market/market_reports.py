"""Manual market reports: a price an info-station operator or an admin saw at a wholesale market,
entered in the unit it was quoted in (kg, 斤, 公斤, 吨 …) and stored with its price per kg."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.catalogue.models import Commodity, Region, Unit
from app.core.errors import DomainError
from app.extensions import db
from app.market.models import MarketReport
from app.market.prices import price_per_kg
from app.market.rollup import rollup_day
from app.members.models import Member
from app.postings.services import local_today

# A report may be backdated a little (typed in after a trip to town), never dated in the future.
MAX_BACKDATE_DAYS = 30
MAX_PRICE = Decimal("10000000")


def can_report(member) -> bool:
    return bool(getattr(member, "is_authenticated", False) and (member.is_station_operator or member.is_admin))


def record_market_report(
    entered_by: Member,
    *,
    market_name: str,
    commodity_id: int,
    province_code: str,
    price: Decimal,
    unit_code: str,
    observed_on: date,
    today: date | None = None,
) -> MarketReport:
    """Store a market report and recompute that day's reference prices of its commodity.

    Returns the report. Raises DomainError: 403 when ``entered_by`` is not a station operator or an
    admin; 400 for an unknown commodity, province or unit, a count unit (crate, head …, whose weight
    is unknown), a price out of range, an empty market name, or a date in the future or more than
    MAX_BACKDATE_DAYS ago. Does not commit.
    """
    if not can_report(entered_by):
        raise DomainError(_("Only information stations and admins can enter market prices."), status=403)
    today = today or local_today()
    market_name = " ".join((market_name or "").split())
    if not market_name or len(market_name) > 100:
        raise DomainError(_("Enter the market's name (at most 100 characters)."), status=400)
    if db.session.get(Commodity, commodity_id) is None:
        raise DomainError(_("Unknown commodity."), status=400)
    if db.session.get(Region, province_code or "") is None:
        raise DomainError(_("Unknown province."), status=400)
    unit = db.session.get(Unit, unit_code or "")
    if unit is None or unit.kg_per_unit is None:
        raise DomainError(_("Choose a unit of weight (kg, jin, tonne …)."), status=400)
    if not price.is_finite() or price <= 0 or price > MAX_PRICE:
        raise DomainError(_("Enter a price above zero."), status=400)
    if observed_on > today or observed_on < today - timedelta(days=MAX_BACKDATE_DAYS):
        raise DomainError(
            _("The date must be today or within the last %(days)s days.", days=MAX_BACKDATE_DAYS), status=400
        )
    report = MarketReport(
        market_name=market_name,
        commodity_id=commodity_id,
        province_code=province_code,
        price=price,
        unit_code=unit.code,
        price_per_kg=price_per_kg(price, unit),
        observed_on=observed_on,
        entered_by_id=entered_by.id,
    )
    db.session.add(report)
    db.session.flush()
    rollup_day(observed_on, commodity_id)
    return report


def recent_reports(limit: int = 20) -> list[MarketReport]:
    return list(db.session.scalars(select(MarketReport).order_by(MarketReport.id.desc()).limit(limit)))
