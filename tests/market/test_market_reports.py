"""Manual market reports by info-station operators and admins: units converted to per kg, the day's
reference updated, and refusals (who, what unit, which date, garbage)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.catalogue.services import find_commodity
from app.market.models import MarketReport, ObservationSource, PriceObservation, ReferencePrice
from app.postings.services import local_today
from tests.factories import make_member


def _form(**changes) -> dict:
    data = {
        "market_name": "Zhengzhou wholesale market",
        "commodity_id": find_commodity("maize").id,
        "province_code": "41",
        "price": "1.30",
        "unit_code": "jin",
        "observed_on": local_today().isoformat(),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", [{"is_station_operator": True}, {"is_admin": True}])
def test_station_or_admin_enters_a_price_in_jin(client, login, db, role):
    login(make_member(**role))
    response = client.post("/prices/report", data=_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/prices/maize")
    report = db.session.scalar(select(MarketReport))
    assert (report.price, report.unit_code, report.price_per_kg) == (Decimal("1.30"), "jin", Decimal("2.6000"))
    observation = db.session.scalar(select(PriceObservation))
    assert observation.source == ObservationSource.REPORT.value and observation.report_id == report.id
    references = db.session.scalars(select(ReferencePrice).order_by(ReferencePrice.area_code)).all()
    assert [(r.area_code, r.report_price_per_kg) for r in references] == [
        ("00", Decimal("2.6000")),
        ("41", Decimal("2.6000")),
    ]


def test_a_price_per_tonne_from_yesterday(client, login, db):
    login(make_member(is_station_operator=True))
    yesterday = local_today() - timedelta(days=1)
    client.post("/prices/report", data=_form(price="2450", unit_code="t", observed_on=yesterday.isoformat()))
    reference = db.session.scalar(select(ReferencePrice).where(ReferencePrice.area_code == "41"))
    assert reference.day == yesterday and reference.report_price_per_kg == Decimal("2.4500")


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"unit_code": "crate"}, 422),  # no fixed weight: not offered
        ({"unit_code": "parsec"}, 422),
        ({"price": "0"}, 422),
        ({"price": "abc"}, 422),
        ({"price": "1.234"}, 422),
        ({"market_name": ""}, 422),
        ({"market_name": "x" * 101}, 422),
        ({"commodity_id": "999999"}, 422),
        ({"province_code": "99"}, 422),
        ({"observed_on": "someday"}, 422),
        ({"observed_on": 1}, 400),  # days from today: tomorrow
        ({"observed_on": -31}, 400),
    ],
)
def test_bad_reports_are_refused(client, login, db, changes, status):
    login(make_member(is_station_operator=True))
    if isinstance(changes.get("observed_on"), int):
        changes = {"observed_on": (local_today() + timedelta(days=changes["observed_on"])).isoformat()}
    response = client.post("/prices/report", data=_form(**changes))
    assert response.status_code == status
    assert db.session.scalar(select(MarketReport)) is None


def test_ordinary_members_cannot_enter_market_prices(client, login, db):
    assert client.get("/prices/report").status_code == 302
    login(make_member())
    assert client.post("/prices/report", data=_form()).status_code == 403
    assert db.session.scalar(select(MarketReport)) is None


def test_report_form_shows_jin_by_default_in_chinese(client, login, db):
    login(make_member(is_station_operator=True, locale="zh_Hans"))
    page = client.get("/prices/report").get_data(as_text=True)
    assert '<option selected value="jin">' in page or 'value="jin" selected' in page
