"""Price subscriptions: the service the SMS commands use, members' alert page, and the
info-station's village list and notice board (authorization, bad input, CSRF)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.catalogue.services import find_commodity
from app.core.errors import DomainError
from app.market.models import NATIONAL, PriceSubscription
from app.market.subscriptions import subscribe_phone, unsubscribe_phone
from app.members.models import Storefront
from app.postings.services import local_today
from tests.factories import make_member
from tests.market.price_data import reference

PHONE = "+8613900000011"


def _id(slug):
    return find_commodity(slug).id


def _all(db):
    return list(db.session.scalars(select(PriceSubscription).order_by(PriceSubscription.id)))


# --- the service -------------------------------------------------------------------------------


def test_subscribe_phone_is_idempotent_also_without_a_province(db):
    first, created = subscribe_phone(PHONE, _id("maize"), None, "zh")
    again, created_again = subscribe_phone(PHONE, _id("maize"), None, "en")
    db.session.commit()
    assert created and not created_again and first.id == again.id
    assert again.locale == "en" and again.area_code == NATIONAL and again.province_code is None
    henan, created_henan = subscribe_phone(PHONE, _id("maize"), "41", "zh")
    assert created_henan and henan.province_code == "41"
    assert len(_all(db)) == 2


def test_the_database_refuses_a_second_national_row(db):
    subscribe_phone(PHONE, _id("maize"), None, "zh")
    db.session.commit()
    db.session.add(PriceSubscription(phone=PHONE, commodity_id=_id("maize"), area_code=NATIONAL))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_subscribe_refuses_unknown_commodity_or_province(db):
    with pytest.raises(DomainError):
        subscribe_phone(PHONE, 999999, None, "zh")
    with pytest.raises(DomainError):
        subscribe_phone(PHONE, _id("maize"), "99", "zh")


def test_unsubscribe_by_commodity_province_or_everything(db):
    for province in (None, "41"):
        subscribe_phone(PHONE, _id("maize"), province, "zh")
    subscribe_phone(PHONE, _id("rice"), None, "zh")
    subscribe_phone("+8613900000012", _id("maize"), None, "zh")
    db.session.commit()
    assert unsubscribe_phone(PHONE, _id("maize"), "41") == 1
    assert unsubscribe_phone(PHONE, _id("wheat")) == 0
    assert unsubscribe_phone(PHONE, None) == 2
    db.session.commit()
    assert [s.phone for s in _all(db)] == ["+8613900000012"]


# --- members' alert page -----------------------------------------------------------------------


def test_member_adds_updates_and_removes_an_alert(client, login, db):
    member = login(make_member())
    response = client.post(
        "/account/price-alerts",
        data={
            "commodity_id": _id("maize"),
            "province_code": "41",
            "target_price": "2.40",
            "threshold_percent": "15",
            "channel": "sms",
        },
    )
    assert response.status_code == 302
    [subscription] = _all(db)
    assert (subscription.phone, subscription.member_id, subscription.province_code) == (member.phone, member.id, "41")
    assert subscription.target_price_per_kg == Decimal("2.40") and subscription.threshold_percent == Decimal("15.0")

    client.post("/account/price-alerts", data={"commodity_id": _id("maize"), "province_code": "41", "channel": "sms"})
    db.session.expire_all()
    [subscription] = _all(db)
    assert subscription.target_price_per_kg is None

    page = client.get("/account/price-alerts", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Maize" in page
    response = client.post(f"/account/price-alerts/{subscription.id}/delete")
    assert response.status_code == 302
    assert _all(db) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"commodity_id": ""},
        {"commodity_id": "abc"},
        {"commodity_id": "999999"},
        {"province_code": "99"},
        {"target_price": "-1"},
        {"target_price": "NaN"},
        {"threshold_percent": "150"},
        {"channel": "fax"},
        {"target_price": "1e9"},
    ],
)
def test_alert_form_refuses_garbage(client, login, db, changes):
    login(make_member())
    data = {"commodity_id": _id("maize"), "province_code": "", "channel": "sms", **changes}
    response = client.post("/account/price-alerts", data=data)
    assert response.status_code == 422
    assert _all(db) == []


def test_email_alerts_need_an_email_address(client, login, db):
    login(make_member(email=None))
    response = client.post("/account/price-alerts", data={"commodity_id": _id("maize"), "channel": "email"})
    assert response.status_code == 400
    assert _all(db) == []


def test_sms_alerts_need_a_verified_number(client, login, db):
    login(make_member(phone_verified_at=None))
    response = client.post("/account/price-alerts", data={"commodity_id": _id("maize"), "channel": "sms"})
    assert response.status_code == 400
    assert "Verify your mobile number" in response.get_data(as_text=True)
    assert _all(db) == []


def test_members_cannot_remove_someone_elses_alert(client, login, db):
    owner = make_member()
    subscribe_phone(owner.phone, _id("maize"), None, "zh", member=owner)
    db.session.commit()
    [subscription] = _all(db)
    login(make_member())
    assert client.post(f"/account/price-alerts/{subscription.id}/delete").status_code == 404
    assert len(_all(db)) == 1


def test_alert_pages_need_login_and_csrf(client, login, db):
    response = client.get("/account/price-alerts")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(make_member())
    response = client.post("/account/price-alerts", data={"commodity_id": _id("maize"), "channel": "sms"}, csrf=False)
    assert response.status_code == 400
    assert _all(db) == []


# --- the station's village list and notice board -----------------------------------------------


@pytest.fixture
def station(db):
    member = make_member(display_name="Village station", is_station_operator=True)
    db.session.add(Storefront(member=member, slug="village-station", name="Village station", province_code="41"))
    db.session.commit()
    return member


def test_station_adds_numbers_for_several_commodities_and_removes_one(client, login, db, station):
    login(station)
    response = client.post(
        "/station/price-list",
        data={
            "phone": "139 0000 0021",
            "commodity_ids": [_id("maize"), _id("wheat")],
            "province_code": "41",
            "locale": "zh_Hans",
        },
    )
    assert response.status_code == 302
    rows = _all(db)
    assert [(s.phone, s.station_id, s.province_code, s.locale) for s in rows] == [
        ("+8613900000021", station.id, "41", "zh_Hans")
    ] * 2
    page = client.get("/station/price-list", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "+8613900000021" in page and "Wheat" in page
    assert client.post(f"/station/price-list/{rows[0].id}/delete").status_code == 302
    assert len(_all(db)) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"phone": "12345"},
        {"phone": ""},
        {"commodity_ids": []},
        {"commodity_ids": ["x"]},
        {"commodity_ids": ["999999"]},
        {"locale": "fr"},
        {"province_code": "99"},
    ],
)
def test_station_list_refuses_garbage(client, login, db, station, changes):
    login(station)
    data = {
        "phone": "13900000021",
        "commodity_ids": [_id("maize")],
        "province_code": "",
        "locale": "zh_Hans",
        **changes,
    }
    assert client.post("/station/price-list", data=data).status_code == 422
    assert _all(db) == []


def test_station_pages_are_for_station_operators_only(client, login, db, station):
    subscribe_phone("+8613900000021", _id("maize"), None, "zh", station=station)
    db.session.commit()
    [subscription] = _all(db)
    for path in ("/station/price-list", "/station/notice-board"):
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(make_member())
    for path in ("/station/price-list", "/station/notice-board", "/prices/report"):
        assert client.get(path).status_code == 403
    assert client.post(f"/station/price-list/{subscription.id}/delete").status_code == 403
    # Another station may not touch this station's list.
    login(make_member(is_station_operator=True))
    assert client.post(f"/station/price-list/{subscription.id}/delete").status_code == 404
    assert len(_all(db)) == 1


def test_notice_board_prints_todays_prices_in_chinese_with_a_qr_code(client, login, db, station):
    today = local_today()
    reference("maize", today, "2.2000", province="41")
    subscribe_phone("+8613900000021", _id("maize"), None, "zh", station=station)
    subscribe_phone("+8613900000022", _id("wheat"), None, "zh", station=station)
    db.session.commit()
    login(station)
    response = client.get("/station/notice-board", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    assert "玉米" in page and "¥1.10/" in page  # per 斤, from the station's province (41)
    assert "小麦" in page  # on the list but no price yet
    assert re.search(r'<svg[^>]*class="qr"', page)
    assert "http://jishi.test/prices?province=41" in page
    assert "notice-board.css" in page
    english = client.get("/station/notice-board?lang=en").get_data(as_text=True)
    assert "Maize" in english and "¥2.20/kg" in english
