"""Price observations and the reference-price rollup: Decimal arithmetic on fixtures, unit
conversions (斤, kg, tonne, count units), idempotency, and the events that keep today current."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.catalogue.models import Unit
from app.catalogue.services import find_commodity
from app.market.models import NATIONAL, ObservationSource, PriceObservation, ReferencePrice
from app.market.prices import latest_reference, price_per_kg
from app.market.rollup import rollup_day
from app.postings.services import local_today
from tests.factories import make_posting
from tests.market.price_data import bid, complete_order, noon_utc, sell


def _reference(db, commodity: str, area: str, day=None) -> ReferencePrice:
    return db.session.scalar(
        select(ReferencePrice).where(
            ReferencePrice.commodity_id == find_commodity(commodity).id,
            ReferencePrice.area_code == area,
            ReferencePrice.day == (day or local_today()),
        )
    )


@pytest.mark.parametrize(
    ("unit_code", "price", "expected"),
    [
        ("jin", "1.30", "2.6000"),  # 斤 = 0.5 kg
        ("kg", "3.00", "3.0000"),  # 公斤
        ("t", "2500.00", "2.5000"),  # 吨 = 1000 kg
        ("liang", "0.20", "4.0000"),  # 两 = 50 g
        ("bag50", "130.00", "2.6000"),
        ("jin", "0.01", "0.0200"),
        ("t", "1.00", "0.0010"),
    ],
)
def test_prices_are_converted_to_decimal_per_kg(db, unit_code, price, expected):
    result = price_per_kg(Decimal(price), db.session.get(Unit, unit_code))
    assert result == Decimal(expected)
    assert isinstance(result, Decimal)


def test_count_units_need_a_stated_weight(db):
    crate = db.session.get(Unit, "crate")
    assert price_per_kg(Decimal("50.00"), crate) is None
    assert price_per_kg(Decimal("50.00"), crate, Decimal("20")) == Decimal("2.5000")


def _market_day(db):
    """Maize in Henan (41): two trades in kg and tonnes, asks in kg / 斤 / tonnes, one bid; one ask in Hebei (13)."""
    by_kg = sell("maize", "3.00", "kg")  # ask 3.00/kg
    by_tonne = sell("maize", "2500.00", "t")  # ask 2.50/kg
    sell("maize", "1.40", "jin")  # ask 2.80/kg
    sell("maize", "2.00", "kg", province="13")  # ask 2.00/kg, Hebei
    bid("maize", "2.60", "kg")  # bid 2.60/kg
    complete_order(by_kg, "10")  # 10 kg at 3.00
    complete_order(by_tonne, "2")  # 2000 kg at 2.50


def test_rollup_computes_volume_weighted_trade_price_and_medians(db):
    _market_day(db)
    rows = rollup_day()
    db.session.commit()

    henan = _reference(db, "maize", "41")
    # (10 × 3.00 + 2000 × 2.50) / 2010 = 5030 / 2010 = 2.502487… → 2.5025
    assert henan.trade_price_per_kg == Decimal("2.5025")
    assert henan.trade_volume_kg == Decimal("2010.000")
    assert henan.median_ask_per_kg == Decimal("2.8000")  # of 2.50, 2.80, 3.00
    assert henan.median_bid_per_kg == Decimal("2.6000")
    assert henan.report_price_per_kg is None
    assert (henan.min_per_kg, henan.max_per_kg) == (Decimal("2.5000"), Decimal("3.0000"))
    assert henan.observation_count == 6  # 2 trades, 3 asks, 1 bid

    national = _reference(db, "maize", NATIONAL)
    assert national.median_ask_per_kg == Decimal("2.6500")  # (2.50 + 2.80) / 2 of four asks
    assert national.min_per_kg == Decimal("2.0000")
    assert national.observation_count == 7
    assert national.trade_price_per_kg == Decimal("2.5025")

    hebei = _reference(db, "maize", "13")
    assert (hebei.median_ask_per_kg, hebei.trade_price_per_kg, hebei.observation_count) == (Decimal("2.0000"), None, 1)
    assert rows == 3

    quote = latest_reference(find_commodity("maize").id, "41")
    assert quote.trade_price_per_kg == Decimal("2.5025") and quote.headline_per_kg == Decimal("2.5025")
    assert latest_reference(find_commodity("maize").id, None).count == 7


def _snapshot(db):
    observations = sorted(
        (
            o.id,
            o.source,
            o.commodity_id,
            o.province_code,
            o.price_per_kg,
            o.quantity_kg,
            o.observed_on,
            o.order_id,
            o.posting_id,
            o.report_id,
        )
        for o in db.session.scalars(select(PriceObservation))
    )
    references = sorted(
        (
            r.id,
            r.commodity_id,
            r.area_code,
            r.day,
            r.trade_price_per_kg,
            r.trade_volume_kg,
            r.median_ask_per_kg,
            r.median_bid_per_kg,
            r.report_price_per_kg,
            r.min_per_kg,
            r.max_per_kg,
            r.observation_count,
            r.updated_at,
        )
        for r in db.session.scalars(select(ReferencePrice))
    )
    return observations, references


def test_rollup_twice_changes_nothing(db, app):
    _market_day(db)
    rollup_day()
    db.session.commit()
    before = _snapshot(db)
    db.session.expire_all()

    result = app.test_cli_runner().invoke(args=["market", "rollup"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _snapshot(db) == before
    assert len(before[1]) == 3


def test_rollup_drops_asks_that_are_no_longer_active(db):
    from app.postings.services import change_status

    posting = sell("maize", "3.00", "kg")
    rollup_day()
    db.session.commit()
    assert _reference(db, "maize", "41").median_ask_per_kg == Decimal("3.0000")

    change_status(posting, "close", posting.owner)
    rollup_day()
    db.session.commit()
    assert _reference(db, "maize", "41") is None
    assert db.session.scalar(select(PriceObservation).where(PriceObservation.posting_id == posting.id)) is None


def test_a_past_day_keeps_its_trades_and_its_ask_snapshot(db):
    today = local_today()
    yesterday = today - timedelta(days=1)
    posting = sell("rice", "4.00", "kg")
    complete_order(posting, "5", when=noon_utc(yesterday))
    # The order's completion already recomputed yesterday (the signal), trade only: asks are today's.
    past = _reference(db, "rice", "41", yesterday)
    assert past.trade_price_per_kg == Decimal("4.0000") and past.median_ask_per_kg is None

    rollup_day(yesterday)
    db.session.commit()
    again = _reference(db, "rice", "41", yesterday)
    assert (again.trade_price_per_kg, again.observation_count) == (Decimal("4.0000"), 1)
    observation = db.session.scalar(
        select(PriceObservation).where(PriceObservation.source == ObservationSource.TRADE.value)
    )
    assert observation.observed_on == yesterday and observation.quantity_kg == Decimal("5.000")


def test_completing_an_order_updates_todays_reference_without_the_cli(db):
    posting = sell("wheat", "2.80", "kg")
    complete_order(posting, "100")
    row = _reference(db, "wheat", "41")
    assert row.trade_price_per_kg == Decimal("2.8000")
    assert row.trade_volume_kg == Decimal("100.000")


def test_publishing_a_posting_updates_todays_asks(db):
    sell("wheat", "1.50", "jin")
    row = _reference(db, "wheat", "41")
    assert row.median_ask_per_kg == Decimal("3.0000")


def test_negotiable_and_weightless_postings_are_not_observed(db):
    make_posting(commodity="potato", price=None, unit_code="kg", quantity=Decimal("10"))
    make_posting(commodity="potato", price=Decimal("30.00"), unit_code="crate", quantity=Decimal("10"))
    rollup_day()
    db.session.commit()
    assert db.session.scalar(select(PriceObservation)) is None
    assert db.session.scalar(select(ReferencePrice)) is None


def test_rollup_cli_refuses_a_bad_date(app):
    result = app.test_cli_runner().invoke(args=["market", "rollup", "--date", "yesterday"])
    assert result.exit_code == 2
    assert "2026-11-26" in result.output or "date like" in result.output


def test_a_conflicting_price_refresh_never_blocks_publishing(db, monkeypatch):
    """When the refresh hits a UNIQUE conflict (another transaction wrote the same reference row
    first), only the refresh is undone: the posting is still published and saved."""
    import app.market.rollup as rollup

    def conflicting_rollup(day, commodity_id):
        for _ in range(2):  # the second row breaks UNIQUE (commodity, area, day) in the real database
            db.session.add(
                ReferencePrice(
                    commodity_id=commodity_id,
                    area_code=NATIONAL,
                    day=day,
                    min_per_kg=Decimal(1),
                    max_per_kg=Decimal(1),
                    observation_count=1,
                )
            )
        db.session.flush()

    monkeypatch.setattr(rollup, "rollup_day", conflicting_rollup)
    posting = sell("wheat", "2.00", "kg")
    db.session.expire_all()
    assert posting.status == "active"
    assert db.session.scalar(select(ReferencePrice)) is None
